"""The only writers of early identification data."""

from .attendance import record_attendance

__all__ = ["record_attendance"]
