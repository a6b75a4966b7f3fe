"""Background jobs on Huey: planning runs, and the scheduled housekeeping (dead runs, old uploads, ...)."""
