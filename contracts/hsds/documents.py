"""The shapes of HSDS 3.1 JSON documents: which object a document is, the objects of a file, and counting them."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

ORDER = {"organization": 0, "location": 1, "service": 2, "service_at_location": 3}  # an import's dependency order
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}
NESTED = ("locations", "services", "service_at_locations", "organization", "location", "service")  # objects inside objects


def detect(doc: dict[str, Any]) -> str:
    """The HSDS object type of a document, from the fields only that type has or requires."""
    if "location_type" in doc:
        return "location"
    if "status" in doc:
        return "service"
    if {"service_id", "location_id", "location", "service"} & set(doc) and "name" not in doc:
        return "service_at_location"
    if {"code", "taxonomy", "parent_id", "taxonomy_id", "term_uri"} & set(doc):
        return "taxonomy_term"
    return "organization"


def records_of(document: Any) -> list[Any]:
    """The objects of a document: itself, the items of a JSON array, or the `contents` of a page."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and "contents" in document and set(document) <= PAGE_KEYS:
        return list(document["contents"] or [])
    return [document]


def nested(doc: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(place, object) of the objects directly inside `doc`."""
    for key in NESTED:
        value = doc.get(key)
        if isinstance(value, dict):
            yield key, value
        elif isinstance(value, list):
            yield from ((f"{key}[{i}]", item) for i, item in enumerate(value))


def count(doc: Any, most: int) -> int:
    """Objects in `doc`, itself and its nested ones; counting stops past `most`."""
    if not isinstance(doc, dict):
        return 1
    n = 1
    for _, inner in nested(doc):
        n += count(inner, most)
        if n > most:
            break
    return n
