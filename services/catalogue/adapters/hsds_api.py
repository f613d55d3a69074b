"""The HSDS 3.1 API's answers, from one municipality's catalogue rendered once into HSDS documents (`Snapshot`).

Lists give one-to-one fields only unless `full`; `/services/{id}` nests the organisation and each
service_at_location with its location, as `service.json` does. Every id is the id the record has in HSDS documents
(the one it was imported with), never an internal one. Bad parameters raise InvalidArgument naming the parameter.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from contracts import taxonomy
from services.catalogue.adapters import hsds_out
from services.catalogue.adapters.hsds_terms import CLOSURES, FLAGS, THEMES, derived_id
from services.catalogue.application.hsds_export import Catalogue
from services.plumbing.errors import InvalidArgument, NotFound, clip

MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 50
EARTH_METRES = 6_371_000.0
OURS = {THEMES: "The Wegwijs need themes (with sub-themes), each mapped to its 211/AIRS top level.",
        FLAGS: "Wegwijs flags on records: residence status required, waiting list, wheelchair accessible, status.",
        CLOSURES: "Exceptional closures of a service (value: first/last closed day, label: the reason)."}


def taxonomy_id(name: str) -> str:
    return derived_id("taxonomy", name)


@dataclass(frozen=True)
class Snapshot:
    """One municipality's catalogue as HSDS documents, keyed by HSDS id."""

    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    organizations: dict[str, dict[str, Any]] = field(default_factory=dict)
    locations: dict[str, dict[str, Any]] = field(default_factory=dict)
    service_at_locations: dict[str, dict[str, Any]] = field(default_factory=dict)
    taxonomies: dict[str, dict[str, Any]] = field(default_factory=dict)
    terms: dict[str, dict[str, Any]] = field(default_factory=dict)


def snapshot(catalogue: Catalogue) -> Snapshot:
    ids = catalogue.hsds_ids
    locations = {ids[lid]: hsds_out.location(ids[lid], r, ids.get(r.organization_id or ""))
                 for lid, r in catalogue.locations}
    organizations = {ids[oid]: hsds_out.organization(ids[oid], r, [
        d for d in locations.values() if d.get("organization_id") == ids[oid]]) for oid, r in catalogue.organizations}
    services = {ids[sid]: hsds_out.service(ids[sid], r, ids.get(r.organization_id or ""), [
        {"id": x.service_at_location_id, "location_id": ids.get(x.location_id, x.location_id),
         **({"description": x.description} if x.description else {}), **dict(x.hsds_extra)} for x in links])
        for sid, r, links in catalogue.services}
    sals = {x["id"]: x for s in services.values() for x in s.get("service_at_locations", ())}
    snap = Snapshot(dict(sorted(services.items())), dict(sorted(organizations.items())), locations,
                    dict(sorted(sals.items())))
    _vocabularies(snap)
    return snap


def _vocabularies(snap: Snapshot) -> None:
    """Our taxonomies with all their terms, and every other taxonomy and term the records' attributes carry."""
    themes = taxonomy.themes()
    for name, description in OURS.items():
        snap.taxonomies[taxonomy_id(name)] = {"id": taxonomy_id(name), "name": name, "description": description,
                                              **({"version": themes.version} if name == THEMES else {})}
    for t in themes.terms:
        label = t.labels.get("en") or t.code
        snap.terms[derived_id(THEMES, t.code)] = hsds_out.drop_none({
            "id": derived_id(THEMES, t.code), "code": t.code, "name": label, "description": t.description or label,
            "taxonomy": THEMES, "taxonomy_id": taxonomy_id(THEMES),
            "parent_id": t.parent and derived_id(THEMES, t.parent), "language": "en"})
    for doc in (*snap.services.values(), *snap.organizations.values(), *snap.locations.values()):
        for attr in doc.get("attributes", ()):
            term = attr.get("taxonomy_term")
            if isinstance(term, dict) and term.get("id"):
                _record_term(snap, term)


def _record_term(snap: Snapshot, term: dict[str, Any]) -> None:
    detail = term.get("taxonomy_detail")
    tax_id = term.get("taxonomy_id") or (detail or {}).get("id") or (
        taxonomy_id(term["taxonomy"]) if term.get("taxonomy") else None)
    if isinstance(detail, dict) and detail.get("id"):
        snap.taxonomies.setdefault(detail["id"], detail)
    elif tax_id and term.get("taxonomy"):
        snap.taxonomies.setdefault(tax_id, {"id": tax_id, "name": term["taxonomy"], "description": term["taxonomy"]})
    stored = {k: v for k, v in term.items() if k != "taxonomy_detail"}
    snap.terms.setdefault(term["id"], {**stored, **({"taxonomy_id": tax_id} if tax_id else {})})


# --- parameters ----------------------------------------------------------------------------------------------------

def flag(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return False
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise InvalidArgument(name, f"true or false, not {clip(value)!r}")


def number(params: Mapping[str, str], name: str, default: int, least: int, most: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        n = int(value)
    except ValueError:
        raise InvalidArgument(name, f"a whole number, not {clip(value)!r}") from None
    if not least <= n <= most:
        raise InvalidArgument(name, f"from {least:,} to {most:,}, not {n:,}")
    return n


def instant(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidArgument(name, f"an RFC 3339 date-time such as 2026-01-31T09:00:00Z, not {clip(value)!r}") \
            from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    @classmethod
    def of(cls, params: Mapping[str, str]) -> Paging:
        return cls(number(params, "page", 1, 1, 1_000_000), number(params, "per_page", DEFAULT_PER_PAGE, 1,
                                                                      MAX_PER_PAGE))


def page(items: list[dict[str, Any]], paging: Paging) -> dict[str, Any]:
    """The HSDS API's Page: `total_pages` is at least 1; a page past the last is empty."""
    start = (paging.page - 1) * paging.per_page
    contents = items[start:start + paging.per_page]
    total_pages = max(1, math.ceil(len(items) / paging.per_page))
    return {"total_items": len(items), "total_pages": total_pages, "page_number": paging.page,
            "size": len(contents), "first_page": paging.page == 1, "last_page": paging.page >= total_pages,
            "empty": not contents, "contents": contents}


def fmt(params: Mapping[str, str]) -> str:
    value = params.get("format") or "json"
    if value not in ("json", "ndjson"):
        raise InvalidArgument("format", f"json or ndjson, not {clip(value)!r}")
    return value


# --- shapes --------------------------------------------------------------------------------------------------------

def one_to_one(doc: dict[str, Any]) -> dict[str, Any]:
    """The record's own fields: no nested object or list."""
    return {k: v for k, v in doc.items() if not isinstance(v, list | dict)}


def full_service(snap: Snapshot, doc: dict[str, Any]) -> dict[str, Any]:
    """The service with its organisation and each service_at_location with its location nested."""
    out = dict(doc)
    org = snap.organizations.get(doc.get("organization_id") or "")
    if org is not None:
        out["organization"] = {k: v for k, v in org.items() if k != "locations"}
    out["service_at_locations"] = [
        {**x, **({"location": snap.locations[x["location_id"]]} if x.get("location_id") in snap.locations else {})}
        for x in doc.get("service_at_locations", ())]
    return out


def full_service_at_location(snap: Snapshot, sal: dict[str, Any]) -> dict[str, Any]:
    location = snap.locations.get(sal.get("location_id") or "")
    return {**sal, **({"location": location} if location else {})}


def full_organization(snap: Snapshot, org: dict[str, Any], services_full: bool) -> dict[str, Any]:
    services = [s for s in snap.services.values() if s.get("organization_id") == org["id"]]
    return {**org, "services": [full_service(snap, s) if services_full else one_to_one(s) for s in services]}


# --- filters -------------------------------------------------------------------------------------------------------

def _words(params: Mapping[str, str]) -> list[str]:
    return (params.get("search") or "").casefold().split()


def _text(*docs: dict[str, Any] | None) -> str:
    return " ".join(str(d.get(k) or "") for d in docs if d for k in ("name", "alternate_name", "description")
                    ).casefold()


def _terms_of(doc: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for attr in doc.get("attributes", ()):
        term = attr.get("taxonomy_term") if isinstance(attr.get("taxonomy_term"), dict) else {}
        yield {"id": attr.get("taxonomy_term_id") or term.get("id"), **term}


def _has_term(snap: Snapshot, doc: dict[str, Any], term_id: str | None, tax_id: str | None) -> bool:
    if term_id is None and tax_id is None:
        return True
    for term in _terms_of(doc):
        known = snap.terms.get(term.get("id") or "", {})
        tax = term.get("taxonomy_id") or known.get("taxonomy_id") or (
            taxonomy_id(term["taxonomy"]) if term.get("taxonomy") else None)
        if (term_id is None or term.get("id") == term_id) and (tax_id is None or tax == tax_id):
            return True
    return False


def _modified_after(doc: dict[str, Any], after: datetime | None) -> bool:
    """Records whose modification time is unknown (no `last_modified`) are always returned: a client syncing
    from a date must not miss a change."""
    if after is None or not doc.get("last_modified"):
        return True
    try:
        return instant(str(doc["last_modified"]), "last_modified") >= after
    except InvalidArgument:
        return True


def service_filter(snap: Snapshot, params: Mapping[str, str]) -> Callable[[dict[str, Any]], bool]:
    words, term_id, tax_id = _words(params), params.get("taxonomy_term_id") or None, params.get("taxonomy_id") or None
    org_id = params.get("organization_id") or None
    after = instant(params["modified_after"], "modified_after") if params.get("modified_after") else None

    def keep(s: dict[str, Any]) -> bool:
        text = _text(s, snap.organizations.get(s.get("organization_id") or ""))
        return (all(w in text for w in words) and (org_id is None or s.get("organization_id") == org_id)
                and _has_term(snap, s, term_id, tax_id) and _modified_after(s, after))
    return keep


# --- answers -------------------------------------------------------------------------------------------------------

def services(snap: Snapshot, params: Mapping[str, str]) -> list[dict[str, Any]]:
    keep = service_filter(snap, params)
    full, minimal = flag(params, "full"), flag(params, "minimal")
    found = [s for s in snap.services.values() if keep(s)]
    if minimal:  # id and modification time, with the fields the schema requires of every service
        return [{k: s[k] for k in ("id", "name", "status", "last_modified") if k in s} for s in found]
    return [full_service(snap, s) if full else one_to_one(s) for s in found]


def service(snap: Snapshot, service_id: str) -> dict[str, Any]:
    doc = snap.services.get(service_id)
    if doc is None:
        raise NotFound(f"service {clip(service_id)!r} does not exist", field="id", value=service_id)
    return full_service(snap, doc)


def organizations(snap: Snapshot, params: Mapping[str, str]) -> list[dict[str, Any]]:
    words, term_id, tax_id = _words(params), params.get("taxonomy_term_id") or None, params.get("taxonomy_id") or None
    full, services_full = flag(params, "full"), flag(params, "full_service")
    found = [o for o in snap.organizations.values()
             if all(w in _text(o) for w in words) and _has_term(snap, o, term_id, tax_id)]
    return [full_organization(snap, o, services_full) if full or services_full else one_to_one(o) for o in found]


def organization(snap: Snapshot, organization_id: str, params: Mapping[str, str]) -> dict[str, Any]:
    doc = snap.organizations.get(organization_id)
    if doc is None:
        raise NotFound(f"organization {clip(organization_id)!r} does not exist", field="id", value=organization_id)
    return full_organization(snap, doc, flag(params, "full_service"))


def service_at_locations(snap: Snapshot, params: Mapping[str, str]) -> list[dict[str, Any]]:
    keep, full = service_filter(snap, {k: v for k, v in params.items() if k != "search"}), flag(params, "full")
    words = _words(params)
    near = _near(snap, params)
    out = []
    for sal in snap.service_at_locations.values():
        svc = snap.services.get(sal.get("service_id") or "")
        location = snap.locations.get(sal.get("location_id") or "")
        if svc is None or not keep(svc) or not near(location):
            continue
        if words and not all(w in _text(svc, location, sal) for w in words):
            continue
        out.append(full_service_at_location(snap, sal) if full else one_to_one(sal))
    return out


def service_at_location(snap: Snapshot, sal_id: str) -> dict[str, Any]:
    sal = snap.service_at_locations.get(sal_id)
    if sal is None:
        raise NotFound(f"service_at_location {clip(sal_id)!r} does not exist", field="id", value=sal_id)
    return full_service_at_location(snap, sal)


def _postcodes(location: dict[str, Any] | None) -> set[str]:
    return {str(a.get("postal_code") or "").replace(" ", "").casefold()
            for a in (location or {}).get("addresses", ()) if a.get("postal_code")}


def _near(snap: Snapshot, params: Mapping[str, str]) -> Callable[[dict[str, Any] | None], bool]:
    """`postcode`: a location with that postal code; with `proximity` (metres): any location within that distance
    of the centroid of the municipality's located places with that postal code (we have no gazetteer)."""
    postcode = (params.get("postcode") or "").replace(" ", "").casefold()
    proximity = params.get("proximity") or ""
    if proximity and not postcode:
        raise InvalidArgument("proximity", "needs a postcode: the distance is from that postcode's centre")
    if not postcode:
        return lambda _: True
    if not proximity:
        return lambda loc: postcode in _postcodes(loc)
    try:
        metres = float(proximity)
    except ValueError:
        raise InvalidArgument("proximity", f"a distance in metres, not {clip(proximity)!r}") from None
    if not math.isfinite(metres) or metres < 0:
        raise InvalidArgument("proximity", f"a distance of 0 metres or more, not {clip(proximity)!r}")
    points = [_point(loc) for loc in snap.locations.values() if postcode in _postcodes(loc) and _point(loc)]
    if not points:
        return lambda _: False
    centre = (sum(p[0] for p in points if p) / len(points), sum(p[1] for p in points if p) / len(points))
    return lambda loc: (p := _point(loc)) is not None and _distance(centre, p) <= metres


def _point(location: dict[str, Any] | None) -> tuple[float, float] | None:
    lat, lon = (location or {}).get("latitude"), (location or {}).get("longitude")
    return (float(lat), float(lon)) if isinstance(lat, int | float) and isinstance(lon, int | float) else None


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres (haversine)."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_METRES * math.asin(min(1.0, math.sqrt(h)))


def taxonomies(snap: Snapshot, params: Mapping[str, str]) -> list[dict[str, Any]]:
    words = _words(params)
    return [t for _, t in sorted(snap.taxonomies.items()) if all(w in _text(t) for w in words)]


def taxonomy_of(snap: Snapshot, tax_id: str) -> dict[str, Any]:
    found = snap.taxonomies.get(tax_id)
    if found is None:
        raise NotFound(f"taxonomy {clip(tax_id)!r} does not exist", field="id", value=tax_id)
    return found


def taxonomy_terms(snap: Snapshot, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """`top_only`: terms without a parent; `parent_id`: the children of that term."""
    words, tax_id, parent = _words(params), params.get("taxonomy_id") or None, params.get("parent_id") or None
    top_only = flag(params, "top_only")
    return [t for _, t in sorted(snap.terms.items())
            if all(w in _text(t) or w == str(t.get("code", "")).casefold() for w in words)
            and (tax_id is None or t.get("taxonomy_id") == tax_id)
            and (parent is None or t.get("parent_id") == parent) and (not top_only or not t.get("parent_id"))]


def taxonomy_term(snap: Snapshot, term_id: str) -> dict[str, Any]:
    found = snap.terms.get(term_id)
    if found is None:
        raise NotFound(f"taxonomy_term {clip(term_id)!r} does not exist", field="id", value=term_id)
    detail = snap.taxonomies.get(found.get("taxonomy_id") or "")
    return {**found, **({"taxonomy_detail": detail} if detail else {})}
