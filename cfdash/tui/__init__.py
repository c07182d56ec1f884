"""The Textual dashboard: the app, its screens and widgets (the only package that imports Textual)."""
