"""cfdash: a terminal dashboard for Multiplay Clanforge image-install jobs.

Only the version lives here, so ``import cfdash`` stays cheap and never imports Textual.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
