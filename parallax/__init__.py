"""Parallax: Markdown records of events, told by several outlets, in; a static site out."""

__version__ = "0.1.0"
