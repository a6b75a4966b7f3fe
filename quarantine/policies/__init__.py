"""Dated policy records and the editable vocabularies (categories, needs, diets, zone and area types)."""
