"""The headless commands — ``status``, ``queue``, ``retry``, ``watch`` and ``serve`` — for
pipelines.

They drive the dashboard's engine (``cfdash.engine``) without a screen, and never import
Textual: a CI job that only wants an exit status should not pay for a UI toolkit, and a test
checks it in a fresh interpreter. Each command is an ``async`` function taking settings and
returning an exit status (see :mod:`cfdash.headless.common`); ``cfdash.cli`` only parses
arguments and runs them.
"""

from cfdash.headless.common import (
    EXIT_API,
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_SQUASHED,
    EXIT_USAGE,
    HeadlessError,
)
from cfdash.headless.context import headless_settings
from cfdash.headless.queue import run_queue
from cfdash.headless.retry import run_retry
from cfdash.headless.serve import ServeOptions, check_host, run_serve, serve_command
from cfdash.headless.status import run_status
from cfdash.headless.watch import run_watch

__all__ = [
    "EXIT_API",
    "EXIT_FAILED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_SQUASHED",
    "EXIT_USAGE",
    "HeadlessError",
    "ServeOptions",
    "check_host",
    "headless_settings",
    "run_queue",
    "run_retry",
    "run_serve",
    "run_status",
    "run_watch",
    "serve_command",
]
