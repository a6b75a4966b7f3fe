"""Buildings, rooms and beds: creation in bulk, room states with history, turnover after check-out."""
