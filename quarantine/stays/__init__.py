"""Beds and stays: the one home of check-in, arrival, moves, check-out and release, the bed counter,
and the placement rules (shared with the planner) that every placement by hand keeps."""
