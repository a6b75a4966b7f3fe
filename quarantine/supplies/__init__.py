"""Supplies: items, stores, stock movements, days of cover, and the flags shown on the home page."""
