"""What both directions of the HSDS mapping share: our taxonomies as HSDS attributes, and derived ids.

Nested HSDS objects we render (languages, schedules, attributes, ...) get ids derived from their owner's id, so
exporting twice gives the same document and an exported file re-imports as "no changes".
"""
from __future__ import annotations

import uuid
from typing import Any

from contracts import taxonomy

NAMESPACE = uuid.UUID("0b7c2f1e-9a55-4b8e-8f43-2d6a1c9e5b77")
THEMES = "wegwijs-themes"
FLAGS = "wegwijs-flags"
CLOSURES = "wegwijs-closures"
KBO_TYPE = "KBO"


def derived_id(owner: str, *parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join([owner, *map(str, parts)])))


def attribute(owner: str, vocabulary: str, code: str, value: str | None = None,
              label: str | None = None) -> dict[str, Any]:
    term_id = derived_id(vocabulary, code)
    name = taxonomy.themes().label(code, "en") if vocabulary == THEMES else code
    attr: dict[str, Any] = {
        "id": derived_id(owner, "attribute", vocabulary, code, value or ""),
        "taxonomy_term_id": term_id,
        "taxonomy_term": {"id": term_id, "code": code, "name": name, "description": name, "taxonomy": vocabulary},
    }
    if value is not None:
        attr["value"] = value
    if label is not None:
        attr["label"] = label
    return attr


def ours(attr: dict[str, Any]) -> tuple[str, str, str | None, str | None] | None:
    """(vocabulary, code, value, label) of an attribute in one of our vocabularies, else None."""
    term = attr.get("taxonomy_term") or {}
    if term.get("taxonomy") in (THEMES, FLAGS, CLOSURES) and term.get("code"):
        return term["taxonomy"], term["code"], attr.get("value"), attr.get("label")
    return None


def drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != [] and v != ()}
