"""Running a site day to day: the quarantine clock, PCR tests, the daily routine and the daily report."""
