"""Meal times and meal-delivery rosters per floor and room, with diets."""
