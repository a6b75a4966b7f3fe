"""Translation helpers usable inside and outside a request.

Service modules and the command line share messages with the web pages; outside a
request (CLI, tests of pure functions) the English source text is returned.
"""
from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext, lazy_gettext, ngettext

__all__ = ["_", "_l", "ngettext"]


def _(message: str, **variables: object) -> str:
    if has_request_context():
        return gettext(message, **variables)
    return message % variables if variables else message


_l = lazy_gettext
