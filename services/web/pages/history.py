"""A question's or a referral's history as people read it: what happened (translated), who, when, and the facts of
each step with names instead of codes."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from services.web import labels
from services.web.i18n import Language
from services.web.pages.common import local
from services.web.words import N_

FACTS = {"themes": N_("Themes"), "barriers": N_("Barriers"), "theme": N_("Theme"), "channel": N_("Channel"),
         "client_languages": N_("Languages of the client"), "language_used": N_("Language used"),
         "interpreter_needed": N_("Interpreter needed"), "urgent": N_("Urgent"), "letter_explained": N_("Letter explained"),
         "service": N_("Service"), "minutes": N_("Minutes"), "reason_code": N_("Reason"), "reason": N_("In words"),
         "outcome": N_("Outcome"), "went_alone": N_("Went alone"), "mode": N_("Mode"), "note": N_("Note")}


@dataclass(frozen=True)
class Step:
    what: str
    when: str
    who: str
    facts: list[tuple[str, str]]


def _value(key: str, value: Any, lang: Language) -> str:
    code = lang.translations.gettext
    if isinstance(value, bool):
        return lang.gettext("yes") if value else lang.gettext("no")
    if key in ("themes", "theme"):
        return ", ".join(labels.theme(v, lang.code) for v in ([value] if isinstance(value, str) else value))
    if key == "barriers":
        return ", ".join(labels.barrier(v, lang.code) for v in value)
    if key == "channel":
        return labels.channel(value, lang.code)
    if key in ("client_languages", "language_used"):
        return ", ".join(labels.language(v, lang.code) for v in ([value] if isinstance(value, str) else value))
    if key in ("reason_code", "outcome", "mode"):
        return code(str(value))
    return str(value)


def step(entry: Any, lang: Language) -> Step:
    details = json.loads(entry.details_json or "{}")
    facts = [(lang.gettext(FACTS[k]), _value(k, v, lang)) for k, v in details.items()
             if k in FACTS and v not in ("", None, [], ())]
    return Step(lang.gettext(entry.type), local(entry.occurred_at), entry.staff_id, facts)


def registered(entries: Any) -> dict[str, Any]:
    """The facts of the question's registration (its first step), e.g. the client's languages."""
    for e in entries:
        if e.type == "QuestionRegistered":
            return json.loads(e.details_json or "{}")
    return {}
