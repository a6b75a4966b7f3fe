"""Site staff, their work groups and closed-loop status; meal times."""
from __future__ import annotations

__all__: list[str] = []
