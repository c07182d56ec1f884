"""``python -m cfdash``."""

from cfdash.cli import main

raise SystemExit(main())
