"""Transfer rosters: reading and checking the spreadsheets sending counties send (no Flask, no database)."""
