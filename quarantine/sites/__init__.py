"""Quarantine sites: their three zones and two passages, functional areas, readiness and status."""
