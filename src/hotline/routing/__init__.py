"""Learned routing: the category classifier and repeat / duplicate detection (docs/routing.md)."""
