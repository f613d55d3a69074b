"""The reasons the services give, in the reader's language. Each service words its refusals in English
(docs/api); the stable shapes are matched here and their parts translated through the catalogue, anything else is
shown as the service said it."""
from __future__ import annotations

import re
from collections.abc import Callable

from services.web.i18n import Language
from services.web.words import N_

DETAILS = (N_("a phone number"), N_("an e-mail address"), N_("a national register number"), N_("an IBAN"),
           N_("a street address"))
DESTINATIONS = (N_("sent to partners"), N_("recorded in a referral's events"), N_("shown to policy"),
                N_("published in a question's events (they go in the client's contact details)"),
                N_("kept in a question's history (a client note keeps them sealed)"))
SHAPES: list[tuple[re.Pattern[str], str, Callable[[re.Match[str], Language], dict[str, str]]]] = [
    (re.compile(r"^contains (.+); contact details are never (.+)$"),
     N_("contains %(found)s; contact details are never %(goes)s"),
     lambda m, t: {"found": t.gettext(" and ").join(t.gettext(x) for x in m.group(1).split(" and ")),
                   "goes": t.gettext(m.group(2))}),
    (re.compile(r"^String should have at most (\d+) characters?$"), N_("at most %(n)s characters"),
     lambda m, t: {"n": m.group(1)}),
    (re.compile(r"^String should have at least (\d+) characters?$"), N_("at least %(n)s characters"),
     lambda m, t: {"n": m.group(1)}),
    (re.compile(r"^Input should be greater than or equal to (\S+)$"), N_("at least %(n)s"),
     lambda m, t: {"n": m.group(1)}),
    (re.compile(r"^Input should be greater than (\S+)$"), N_("more than %(n)s"), lambda m, t: {"n": m.group(1)}),
    (re.compile(r"^Input should be less than or equal to (\S+)$"), N_("at most %(n)s"),
     lambda m, t: {"n": m.group(1)}),
    (re.compile(r"^client \S+ has not consented to share the question with a service"),
     N_("the client has not consented to share the question with a service: record the consent first"),
     lambda m, t: {}),
    (re.compile(r"^List should have at least 1 item after validation, not 0$"), N_("choose at least one"),
     lambda m, t: {}),
    (re.compile(r"^should be (.+)$"), N_("should be %(form)s"),  # a pattern's words: errors.FORMS
     lambda m, t: {"form": t.gettext(m.group(1))}),
]
AND = N_(" and ")


def translated(reason: str, lang: Language) -> str:
    """`reason` in the reader's language: a known shape, a whole known message, or the service's own words."""
    for pattern, message, parts in SHAPES:
        if m := pattern.match(reason):
            return lang.gettext(message) % parts(m, lang)
    return lang.gettext(reason)
