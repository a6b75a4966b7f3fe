"""Daily health records: PCR tests, temperatures, disinfection, health rounds, releases."""
from __future__ import annotations

__all__: list[str] = []
