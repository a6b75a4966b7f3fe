"""URL pieces shared by the health views: the day asked for."""
from __future__ import annotations

from datetime import date

from flask import abort, request

from quarantine.localtime import local_today


def day_arg(name: str = "day") -> date:
    """`?day=YYYY-MM-DD`, today (local) when absent; a malformed or future day is a bad request."""
    text = request.args.get(name, "").strip()
    if not text:
        return local_today()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        abort(400)
    if day > local_today():
        abort(400)
    return day

