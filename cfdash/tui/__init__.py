"""The Textual dashboard: app, screens and widgets — the only package that imports Textual."""
