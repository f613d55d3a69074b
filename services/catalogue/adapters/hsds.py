"""HSDS 3.1 documents in and out: single objects, nested documents and their list (paged) forms.

Each object is validated against the official schema first; an invalid one is rejected with every reason, and the
rest of the file still imports. Nested objects become records of their own, parents before children.

A document is bounded before any object is validated (`Limits`: objects per import, bytes per object), and the work
is linear in its size; `read` is meant for a worker thread and stops at the next object once told to.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from contracts.hsds.documents import NESTED, ORDER, PAGE_KEYS, detect, nested, records_of  # noqa: F401 (shared: re-exported)
from contracts.hsds.documents import count as _count
from services.catalogue.adapters import hsds_out, hsds_records
from services.catalogue.adapters.hsds_schema import errors
from services.catalogue.application.hsds_export import Catalogue
from services.catalogue.application.hsds_import import Incoming, not_imported
from services.plumbing.errors import InvalidArgument, describe, few
from services.plumbing.offload import NEVER, Stop

KINDS = ("organization", "service", "location", "service_at_location")
INSIDE = {"locations": "location", "location": "location", "services": "service", "service": "service",
          "service_at_locations": "service_at_location", "organization": "organization"}  # kind by NESTED key


@dataclass(frozen=True)
class Limits:
    """What one ImportHsds may hold: objects (nested ones counted) and bytes of one object as JSON (`hsds_extra`,
    the fields we do not model, included; its nested objects not)."""

    records: int = 5000
    record_bytes: int = 64 * 1024


def read(text: str, schema_dir: Path, kind: str | None, limits: Limits, stop: Stop = NEVER) -> list[Incoming]:
    """The records of an ImportHsds document: JSON checked, bounded (`check`), then parsed."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidArgument("document", f"not JSON: {exc}") from None
    except RecursionError:
        raise InvalidArgument("document", "nested too deep") from None
    check(document, limits)
    return parse(document, schema_dir, kind, stop)


def check(document: Any, limits: Limits) -> None:
    """INVALID_ARGUMENT, before any object is validated, for too many objects or an object too large."""
    try:
        count = sum(_count(doc, limits.records) for doc in records_of(document))
        if count > limits.records:
            raise InvalidArgument("document", f"more than {limits.records:,} objects (nested ones counted); "
                                              "at most that many per import: split the file")
        sizes: list[tuple[str, int]] = []
        for i, doc in enumerate(records_of(document)):
            _sizes(doc, f"document[{i}]", sizes)
    except RecursionError:
        raise InvalidArgument("document", "nested too deep") from None
    large = [(where, n) for where, n in sizes if n > limits.record_bytes]
    if large:
        raise InvalidArgument(large[0][0] if len(large) == 1 else "document",
                              f"at most {limits.record_bytes:,} bytes per object as JSON; larger: "
                              + few([f"{where} ({n:,} bytes)" for where, n in large]))


def _sizes(doc: Any, where: str, out: list[tuple[str, int]]) -> None:
    """(position, bytes as JSON without nested objects) of `doc` and of each object nested in it."""
    if not isinstance(doc, dict):
        return
    own = {k: v for k, v in doc.items() if k not in NESTED or not isinstance(v, list | dict)}
    out.append((where, len(json.dumps(own, ensure_ascii=False).encode())))
    for place, inner in nested(doc):
        _sizes(inner, f"{where}.{place}", out)


def parse(document: Any, schema_dir: Path, kind: str | None = None, stop: Stop = NEVER) -> list[Incoming]:
    """Every object as a record (or the reasons it is none); an object nested twice counts once, at its first place;
    kinds in dependency order, each in document order. Objects nested in one object of the file land together or
    not at all (a rejected service_at_location leaves no orphan location; the objects nested in one the schema
    refuses are reported with it); an id given twice with different contents is reported, and the first one
    imported."""
    first: dict[tuple[str, str], tuple[int, Incoming]] = {}
    duplicates: list[tuple[int, Incoming]] = []
    for i, doc in enumerate(records_of(document)):
        if not isinstance(doc, dict):
            found: Iterator[Incoming] = iter([Incoming("unknown", f"#{i + 1}", problems=("not a JSON object",))])
        else:
            found = _one(kind or detect(doc), doc, schema_dir, f"#{i + 1}")
        for item in found:
            stop.check()
            item = replace(item, group=i)
            if item.record is item.link is item.skipped is None and not item.problems:  # from `_inside`
                duplicates.append((len(first) + len(duplicates), item))
                continue
            seen = first.setdefault((item.kind, item.hsds_id), (len(first), item))[1]
            if seen is not item and _content(seen) != _content(item):
                duplicates.append((len(first) + len(duplicates), Incoming(item.kind, item.hsds_id, group=i, problems=(
                    f"id {item.hsds_id} is given twice in the file with different contents (objects "
                    f"#{seen.group + 1} and #{i + 1}): the first is imported, not this one",))))
    items = sorted([*first.values(), *duplicates], key=lambda p: (ORDER.get(p[1].kind, 4), p[0]))
    return _whole_objects([item for _, item in items])


def _content(item: Incoming) -> Any:
    """What two places of one id must agree on; the owner may be implied by the place (nested in it) or not."""
    record = item.record.model_dump(exclude={"organization_id"}) if item.record is not None else None
    return (record, item.link, item.problems, item.skipped)


def _whole_objects(items: list[Incoming]) -> list[Incoming]:
    """Items of an object of the file one of whose records is rejected are rejected with it, saying why."""
    failed = {item.group: item for item in items if item.problems}
    return [item if item.problems or item.skipped or item.group not in failed else replace(
        item, record=None, link=None, problems=(not_imported(failed[item.group]),)) for item in items]


def _one(kind: str, doc: dict[str, Any], schema_dir: Path, position: str,
         parent: str | None = None) -> Iterator[Incoming]:
    hsds_id = str(doc.get("id") or position)
    if kind not in KINDS:
        yield Incoming(kind, hsds_id, skipped=f"{kind} objects are not catalogue records; our themes come from "
                                              "the Wegwijs taxonomy")
        return
    if problems := errors(schema_dir, kind, doc):
        yield Incoming(kind, hsds_id, problems=tuple(problems))
        yield from _inside(doc)
        return
    yield from _mapped(kind, doc, schema_dir, parent)


def _inside(doc: dict[str, Any]) -> Iterator[Incoming]:
    """The objects nested in an object the schema refused, without a record: `_whole_objects` reports each as not
    imported with it, so the report still lists every record of the file."""
    for place, inner in nested(doc):
        if isinstance(inner, dict) and isinstance(inner.get("id"), str):
            yield Incoming(INSIDE[place.partition("[")[0]], inner["id"])
            yield from _inside(inner)


def _item(kind: str, doc: dict[str, Any], build: Callable[[], Any]) -> Incoming:
    """The record `build` maps, or the reasons it cannot be one of ours."""
    try:
        built = build()
    except ValidationError as exc:
        return Incoming(kind, doc["id"], problems=(describe(exc),))
    except ValueError as exc:
        return Incoming(kind, doc["id"], problems=(str(exc),))
    if kind == "service_at_location":
        return Incoming(kind, doc["id"], link=built)
    mapped: hsds_records.Mapped = built
    return Incoming(kind, doc["id"], record=mapped.record, notes=mapped.notes, paths=mapped.paths,
                    hsds_keys=mapped.hsds_keys)


def _mapped(kind: str, doc: dict[str, Any], schema_dir: Path, parent: str | None) -> Iterator[Incoming]:
    if kind == "organization":
        yield _item(kind, doc, lambda: hsds_records.organization(doc))
        for loc in doc.get("locations", []):
            yield from _mapped("location", loc, schema_dir, doc["id"])
        for i, svc in enumerate(doc.get("services", [])):  # not in the schema, but in the official examples
            yield from _one("service", svc, schema_dir, f"{doc['id']}.services[{i}]", doc["id"])
    elif kind == "location":
        yield _item(kind, doc, lambda: hsds_records.location(doc, parent))
    elif kind == "service":
        organization = doc.get("organization")
        if isinstance(organization, dict):
            yield from _mapped("organization", organization, schema_dir, None)
        org_id = doc.get("organization_id") or (organization or {}).get("id") or parent
        yield _item(kind, doc, lambda: hsds_records.service(doc, org_id))
        for sal in doc.get("service_at_locations", []):
            yield from _mapped("service_at_location", {"service_id": doc["id"], **sal}, schema_dir, None)
    else:
        location, offered = doc.get("location"), doc.get("service")
        if isinstance(location, dict):
            yield from _mapped("location", location, schema_dir, None)
        if isinstance(offered, dict):
            yield from _one("service", offered, schema_dir, f"{doc.get('id')}.service")
        yield _item(kind, doc, lambda: _link(doc, location, offered))


def _link(doc: dict[str, Any], location: Any, offered: Any) -> dict[str, Any]:
    rest = {k: v for k, v in doc.items()
            if k not in {"id", "service_id", "location_id", "location", "service", "description"}}
    link = {"service_id": doc.get("service_id") or (offered or {}).get("id"),
            "location_id": doc.get("location_id") or (location or {}).get("id"),
            "description": doc.get("description"), "hsds_extra": rest}
    if not link["service_id"] or not link["location_id"]:
        raise ValueError("a service_at_location needs its service and its location")
    return link


def page(contents: list[dict[str, Any]]) -> dict[str, Any]:
    """The HSDS API's paged list form, as one page holding everything."""
    return {"total_items": len(contents), "total_pages": 1, "page_number": 1, "size": len(contents),
            "first_page": True, "last_page": True, "empty": not contents, "contents": contents}


def export_page(kind: str, catalogue: Catalogue, start: int, size: int,
                most_bytes: int = 2 * 1024 * 1024) -> tuple[list[dict[str, Any]], int, int | None]:
    """(objects, total, next start or None) of one page of `export` in HSDS id order: at most `size` objects and
    about `most_bytes` of JSON (at least one object, however large). Only the page's records are rendered."""
    ids = catalogue.hsds_ids
    rows = {"organization": catalogue.organizations, "location": catalogue.locations}.get(kind, catalogue.services)
    ordered = sorted(rows, key=lambda row: ids[row[0]])
    part = ordered[start:start + size]
    sliced = Catalogue(organizations=part if kind == "organization" else [], locations=part if kind == "location"
                       else catalogue.locations, services=part if kind == "service" else [], hsds_ids=ids)  # type: ignore[arg-type]
    docs, used = [], 0
    for doc in export(kind, sliced)["contents"]:
        used += len(json.dumps(doc, ensure_ascii=False).encode())
        if docs and used > most_bytes:
            break
        docs.append(doc)
    end = start + len(docs)
    return docs, len(ordered), end if end < len(ordered) else None


def export(kind: str, catalogue: Catalogue) -> dict[str, Any]:
    """`organization`: organisations with their locations nested; `service`: services with their
    service_at_locations; `location`: every location."""
    ids = catalogue.hsds_ids
    if kind == "organization":
        docs = [hsds_out.organization(ids[oid], r, [
            hsds_out.location(ids[lid], loc, ids.get(oid)) for lid, loc in catalogue.locations
            if loc.organization_id == oid]) for oid, r in catalogue.organizations]
    elif kind == "location":
        docs = [hsds_out.location(ids[lid], r, ids.get(r.organization_id or "")) for lid, r in catalogue.locations]
    else:
        docs = [hsds_out.service(ids[sid], r, ids.get(r.organization_id or ""), [
            {"id": x.service_at_location_id, "location_id": ids.get(x.location_id, x.location_id),
             **({"description": x.description} if x.description else {}), **dict(x.hsds_extra)}
            for x in links]) for sid, r, links in catalogue.services]
    return page(sorted(docs, key=lambda d: d["id"]))
