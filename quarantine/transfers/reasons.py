"""The planner's reasons for leaving someone out, in the user's language.

Plans keep the planner's plain English text (the exchange format is language-neutral and
checked independently); each text is one of planner.reasons.TEMPLATES, so it is matched back
to its template and shown translated. A text that matches no template is shown as it is.
"""
from __future__ import annotations

import re
from functools import lru_cache

from planner import reasons as planner_reasons
from quarantine.i18n import _, _l

# The same templates, listed here so Babel extracts them; tests keep both lists equal.
TRANSLATABLE = (
    _l("household %(household)s mixes categories (%(categories)s) but floors keep categories apart"),
    _l("household %(household)s has children under %(child_age)s but no adult (%(adult_age)s+) to share their room"),
    _l("household of %(size)s needs %(rooms)s rooms but has %(adults)s adult(s); "
       "every room with a child needs an adult of the household"),
    _l("household of %(size)s needs %(rooms)s rooms on one floor, none free at ready sites"),
    _l("household of %(size)s needs %(rooms)s accessible rooms on one floor, none free at ready sites"),
    _l("no accessible room for %(size)s left at ready sites"),
    _l("no room for a household of %(size)s left at ready sites"),
    _l("every free floor already holds another category or batch"),
    _l("site capacity limits reached: %(short)s beds short"),
    _l("not placed"),
    _l("; sites not ready that would fit: %(sites)s"),
    _l("taken out of the plan by hand"),
)
TAKEN_OUT_BY_HAND = "taken out of the plan by hand"  # the app's own reason, kept in English in the plan too
TAKEN_OUT_CODE = "taken_out_by_hand"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _pattern(template: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(template)  # literal, name, literal, name, ...
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)) + "$")


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(t, _pattern(t)) for t in (*planner_reasons.TEMPLATES, TAKEN_OUT_BY_HAND)]


def translate_reason(text: str) -> str:
    """The reason in the current language: the main reason, then the backup sites that would fit."""
    main, marker, sites = text.partition(planner_reasons.SITES_NOT_READY.split("%")[0])
    for template, pattern in _patterns():
        match = pattern.match(main)
        if match:
            main = _(template, **match.groupdict())
            break
    if marker:
        return main + _(planner_reasons.SITES_NOT_READY, sites=sites)
    return main


# A plan file loaded for review brings its own English reasons: stored as this code with the text.
FILE_TEXT_CODE = "text"


def render_reason(reason) -> str:
    """A stored reason (code and parameters) in the current language, without the suggested sites,
    which the page shows as links of their own."""
    if reason.code == TAKEN_OUT_CODE:
        return _(TAKEN_OUT_BY_HAND)
    template = planner_reasons.TEMPLATES_BY_CODE.get(reason.code)
    if template is not None:
        return _(template, **reason.params)
    # A file's text: matched back to a template where it is one, shown as it is otherwise.
    main = str(reason.params.get("text", reason.code))
    return translate_reason(main.partition(planner_reasons.SITES_NOT_READY.split("%")[0])[0])


# The eight hard rules of the exchange format (docs/scenario-format.md), as a user reads them.
RULES = {
    1: _l("only available rooms at ready sites"),
    2: _l("no room holds more people than beds"),
    3: _l("a room holds one household only"),
    4: _l("a household stays together, in one room or on one floor"),
    5: _l("a floor holds one category and one batch"),
    6: _l("people with mobility needs get an accessible room"),
    7: _l("a child shares a room with an adult of the household"),
    8: _l("a site stays within its capacity limit"),
}


def explain_violation(violation) -> str:
    """A broken rule named in the user's language, with the validator's detail (which room, whom)."""
    rule = RULES.get(violation.rule)
    if rule is None:
        return _("the plan file is malformed (%(detail)s)", detail=violation.message)
    return _("breaks the rule “%(rule)s” (%(detail)s)", rule=str(rule), detail=violation.message)
