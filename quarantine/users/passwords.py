"""Minimum rules for a password a person chooses (generated ones are 14 random letters and digits)."""
from __future__ import annotations

from quarantine.i18n import _

MIN_LENGTH = 10
# The most common choices, which a guesser tries first (a short list: the length rule does the rest).
COMMON = frozenset({"1234567890", "12345678910", "0123456789", "qwertyuiop", "1q2w3e4r5t", "password123",
                    "password1234", "iloveyou12", "a123456789", "abc1234567", "woaini1314", "aa12345678",
                    "qq123456789", "1234qwer!@", "asdfghjkl1", "zxcvbnm123"})


def password_problem(password: str, username: str = "") -> str | None:
    """What is wrong with `password` as a new password, or None when it will do."""
    if len(password) < MIN_LENGTH:
        return _("A password needs at least %(n)d characters.", n=MIN_LENGTH)
    if len(set(password)) < 4:
        return _("A password needs at least 4 different characters.")
    if password.lower() in COMMON:
        return _("This password is one of the most common ones; choose another.")
    if username and username.lower() in password.lower():
        return _("A password must not contain the username.")
    return None
