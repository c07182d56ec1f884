"""Where the Clanforge service lives, said once for the client and the config schema.

A module of its own below both, like :mod:`cfdash.stages`: the client may not import the
config, and the config must not pull in the HTTP client by importing ``cfdash.api``.
"""

from __future__ import annotations

__all__ = ["DEFAULT_BASE_URL"]

#: The service's address: the client's default, and ``base_url``'s when a config leaves it out.
DEFAULT_BASE_URL = "https://api.multiplay.co.uk"
