"""Helpers every template can use: labels, the current language, local times."""
from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from quarantine.idnumbers import mask_id
from quarantine.labels import kind_label, status_label, vocab_label
from quarantine.localtime import local_datetime


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(status_label=status_label, kind_label=kind_label, vocab_label=vocab_label, mask_id=mask_id,
                                 current_locale=lambda: str(get_locale() or "zh"))
    app.jinja_env.filters["localdt"] = local_datetime
