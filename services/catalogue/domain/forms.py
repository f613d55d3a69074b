"""Kept HSDS forms (`record.hsds_forms`): which of them each typed field renders, so a change of the field drops them.

An import keeps a list's HSDS form (ids, notes, offsets, extensions) only where ours would render it differently;
when a person later changes the typed field (UpdateService, a close), the kept form no longer says the same thing,
so the export renders ours again instead of giving back an outdated form.
"""
from __future__ import annotations

from typing import Any

RENDERS: dict[str, dict[str, tuple[str, ...]]] = {
    "service": {"languages": ("languages",), "schedules": ("schedules",), "cost_options": ("cost_options",),
                "phones": ("phones",), "eligibility": ("required_documents", "minimum_age", "maximum_age",
                                                       "attributes"),
                "capacity": ("capacities", "attributes"), "themes": ("attributes",), "closures": ("attributes",)},
    "location": {"address": ("addresses",), "accessibility": ("accessibility",), "languages": ("languages",),
                 "schedules": ("schedules",), "wheelchair_accessible": ("attributes",), "status": ("attributes",)},
    "organization": {"phones": ("phones",), "kbo_number": ("organization_identifiers",), "status": ("attributes",)},
}


def after(kind: str, forms: dict[str, Any], changed: set[str]) -> dict[str, Any]:
    """The kept forms still true once the typed fields `changed` took new values."""
    stale = {key for name in changed for key in RENDERS[kind].get(name, ())}
    return {k: v for k, v in forms.items() if k not in stale}
