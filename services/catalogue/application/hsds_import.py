"""HSDS import: each parsed record is registered, updated or left alone, and reported with the reason.

HSDS ids map to our ids deterministically (uuid5), so importing the same file twice changes nothing; a record we
exported ourselves keeps its own id. One bad record never stops the others.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from contracts.events.catalogue import LocationRecord, OrganizationRecord, ServiceRecord

from services.catalogue.application.cached_views import CachedViews
from services.catalogue.application.handlers import Context, Deps, handle, snapshot
from services.catalogue.domain import commands as c
from services.plumbing.errors import FailedPrecondition, InvalidArgument, NotFound, describe

IMPORTS = uuid.UUID("9e3f6c1a-4d2b-4f7e-8a5c-1b0d2e3f4a5b")
Outcome = Literal["created", "updated", "unchanged", "rejected", "skipped"]
REGISTER = {"organization": (c.RegisterOrganization, "organization_id"), "service": (c.RegisterService, "service_id"),
            "location": (c.RegisterLocation, "location_id")}
UPDATE = {"organization": c.UpdateOrganization, "service": c.UpdateService, "location": c.UpdateLocation}


@dataclass(frozen=True)
class Incoming:
    """One record found in an HSDS document; references (organization_id, link ends) are still HSDS ids."""

    kind: str
    hsds_id: str
    record: OrganizationRecord | ServiceRecord | LocationRecord | None = None
    link: dict[str, Any] | None = None
    problems: tuple[str, ...] = ()
    skipped: str | None = None
    notes: tuple[str, ...] = ()  # for the summary: e.g. a term no theme maps to, kept
    paths: tuple[str, ...] | None = None  # the record's fields the document carries (None: all of them)
    hsds_keys: tuple[str, ...] = ()  # the HSDS fields the document carries
    group: int = 0  # the object of the file it came in: an object lands whole or not at all


@dataclass(frozen=True)
class Report:
    kind: str
    hsds_id: str
    outcome: Outcome
    id: str = ""
    reasons: tuple[str, ...] = ()
    changed_fields: tuple[str, ...] = field(default=())


async def our_id(deps: Deps, kind: str, tenant: str, hsds_id: str) -> str:
    """The id of the record an HSDS id stands for in `tenant`: our own id if we exported it, else derived from it
    (the same in every municipality: ids are per municipality, two importing one file make two catalogues)."""
    if await deps.views.get(kind, tenant, hsds_id) is not None:  # type: ignore[arg-type]
        return hsds_id
    return str(uuid.uuid5(IMPORTS, f"{kind}:{hsds_id}"))


def not_imported(rejected: Incoming) -> str:
    """Why a record of the file is not imported although nothing is wrong with it: another of its object was rejected
    (when the file was read, or when its command was refused)."""
    return (f"not imported: {rejected.kind} {rejected.hsds_id} of the same object (#{rejected.group + 1}) was "
            "rejected, and an object lands whole or not at all")


async def import_records(items: list[Incoming], tenant: str, command_id: str, ctx: Context,
                         deps: Deps) -> list[Report]:
    reports, ctx = [], replace(ctx, derived_command_ids=True)
    deps = replace(deps, views=await CachedViews.of(deps.views, tenant))
    failed: dict[int, Incoming] = {}
    for item in items:
        if item.problems or item.skipped:
            outcome: Outcome = "rejected" if item.problems else "skipped"
            reports.append(Report(item.kind, item.hsds_id, outcome, reasons=item.problems or (item.skipped or "",)))
            continue
        if item.group in failed:
            first = failed[item.group]
            reports.append(Report(item.kind, item.hsds_id, "rejected", reasons=(not_imported(first),)))
            continue
        key = uuid.uuid5(IMPORTS, f"{command_id}/{item.kind}/{item.hsds_id}").hex
        try:
            handler = _link if item.kind == "service_at_location" else _record
            reports.append(await handler(item, tenant, key, ctx, deps))
        except ValidationError as exc:
            reports.append(Report(item.kind, item.hsds_id, "rejected", reasons=(describe(exc),)))
        except (InvalidArgument, FailedPrecondition, NotFound) as exc:
            reports.append(Report(item.kind, item.hsds_id, "rejected", reasons=(await _cited(str(exc), item, deps,
                                                                                            tenant),)))
        if reports[-1].outcome == "rejected":
            failed[item.group] = item
    return reports


async def _cited(message: str, item: Incoming, deps: Deps, tenant: str) -> str:
    """The message with our ids of the item's records replaced by the file's ids (people know those)."""
    link, record = item.link or {}, item.record
    named = [(item.kind, item.hsds_id), ("service", link.get("service_id")), ("location", link.get("location_id")),
             ("organization", getattr(record, "organization_id", None))]
    for kind, hsds_id in named:
        if hsds_id:
            message = message.replace(await our_id(deps, kind, tenant, hsds_id), hsds_id)
    return message


def _merged(old: BaseModel, new: BaseModel, item: Incoming) -> BaseModel:
    """`new` where the document speaks (its paths; HSDS fields it carries), `old` elsewhere: a summary object
    updates what it has and wipes nothing else."""
    if item.paths is None:
        return new
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    out = dict(before)
    for path in (*item.paths, "hsds_id"):
        head, _, tail = path.partition(".")
        if tail:
            out[head] = {**(out.get(head) or {}), tail: after[head][tail]}
        else:
            out[head] = after[head]
    for name in ("hsds_extra", "hsds_forms"):
        kept = {k: v for k, v in before.get(name, {}).items() if k not in item.hsds_keys}
        out[name] = {**kept, **{k: v for k, v in after.get(name, {}).items() if k in item.hsds_keys}}
    return type(new).model_validate(out)


def _kept_fields(old: BaseModel, item: Incoming) -> tuple[str, ...]:
    """The record's fields with a value that the document did not carry (kept, not wiped)."""
    if item.paths is None:
        return ()
    carried = {p.partition(".")[0] for p in item.paths} | {"hsds_id", "hsds_extra", "hsds_forms"}
    return tuple(k for k, v in old.model_dump(mode="json").items() if k not in carried and not _empty(v))


def _empty(value: Any) -> bool:
    """No value at all: None, an empty list, or a part all of whose fields are empty (an eligibility never given)."""
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    return value is None or value == []


async def _record(item: Incoming, tenant: str, key: str, ctx: Context, deps: Deps) -> Report:
    entity_id = await our_id(deps, item.kind, tenant, item.hsds_id)
    state = await snapshot(deps, item.kind, entity_id, tenant)  # type: ignore[arg-type]
    refs: dict[str, Any] = {"hsds_id": None if entity_id == item.hsds_id else item.hsds_id}
    if owner := getattr(item.record, "organization_id", None):
        refs["organization_id"] = await our_id(deps, "organization", tenant, owner)
    elif getattr(state.record, "organization_id", None):  # a document that omits the owner does not detach it
        refs["organization_id"] = state.record.organization_id
    register, id_field = REGISTER[item.kind]
    cmd = register(command_id=key, tenant=tenant, record=item.record.model_copy(update=refs),  # type: ignore
                   **{id_field: entity_id})
    if not state.exists:
        await handle(cmd, ctx, deps)
        return Report(item.kind, item.hsds_id, "created", entity_id, reasons=item.notes)
    merged = _merged(state.record, cmd.record, item)
    old, new = state.record.model_dump(mode="json"), merged.model_dump(mode="json")
    changes = {k: v for k, v in new.items() if old.get(k) != v}
    kept = _kept_fields(state.record, item)
    notes = (*item.notes, *([f"kept what the document does not carry: {', '.join(kept)}"] if kept else []))
    if not changes:
        return Report(item.kind, item.hsds_id, "unchanged", entity_id, reasons=notes)
    await handle(UPDATE[item.kind](command_id=key, tenant=tenant, entity_id=entity_id, changes=changes), ctx, deps)
    return Report(item.kind, item.hsds_id, "updated", entity_id, reasons=notes, changed_fields=tuple(sorted(changes)))


async def _link(item: Incoming, tenant: str, key: str, ctx: Context, deps: Deps) -> Report:
    link = item.link or {}
    service_id = await our_id(deps, "service", tenant, link["service_id"])
    location_id = await our_id(deps, "location", tenant, link["location_id"])
    before = await snapshot(deps, "service", service_id, tenant)
    result = await handle(c.LinkServiceAtLocation(
        command_id=key, tenant=tenant, service_id=service_id, location_id=location_id,
        service_at_location_id=item.hsds_id, description=link.get("description"),
        hsds_extra=link.get("hsds_extra", {})), ctx, deps)
    if not result["changed"]:
        return Report(item.kind, item.hsds_id, "unchanged", item.hsds_id)
    known = any(x.location_id == location_id for x in before.links)
    return Report(item.kind, item.hsds_id, "updated" if known else "created", item.hsds_id)
