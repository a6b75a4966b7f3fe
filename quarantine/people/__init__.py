"""People under quarantine: records, search, and their stays in rooms."""
