class DomainError(Exception):
    """A request that breaks a rule; the message (already translated) says what to fix."""
