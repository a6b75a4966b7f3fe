"""The audit trail: recorded on every flush of the audited records, and read on the administrators' page."""
