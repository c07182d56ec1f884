"""cfdash's benchmark (not shipped with the package). See ``bench/README.md``.

Shared setup: ``plan`` (what and how much), ``procs`` (world processes, tmux, /proc readings),
``sandbox``, ``machine`` (load and machine), ``textual_hooks`` (the only place that reaches
into Textual), ``memworld`` (the app over an in-memory transport), ``terminal`` (one program
in tmux over a window). Worlds: ``world`` (the still life, and the CLI serving either world)
and ``rollout_world``. One module per section in ``sections/``; reports from the JSON in
``report`` (text), ``readme_table`` (Markdown) and ``compare``. Entry point: ``perf.py``.
"""
