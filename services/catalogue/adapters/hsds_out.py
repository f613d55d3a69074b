"""Our records as HSDS 3.1 documents. An HSDS form an import kept (`hsds_forms`) is given back as it came; fields we do
not model come back from `hsds_extra` unchanged; everything else is rendered from the typed record."""
from __future__ import annotations

from typing import Any

from contracts import taxonomy
from contracts.events.catalogue import LocationRecord, OrganizationRecord, Schedule, ServiceRecord
from services.catalogue.adapters.hsds_terms import CLOSURES, FLAGS, KBO_TYPE, THEMES, attribute, derived_id, drop_none

LISTS = ("attributes", "languages", "schedules", "capacities", "phones", "cost_options", "required_documents",
         "organization_identifiers", "addresses", "accessibility")


def _merge(rendered: dict[str, Any], r: Any) -> dict[str, Any]:
    """Rendered fields over `hsds_extra`; a kept form wins over ours; a list without one is ours followed by the
    items a record of the previous release kept in `hsds_extra` because it could not model them."""
    extra, forms = r.hsds_extra, r.hsds_forms
    doc = {**extra, **drop_none(rendered)}
    for key in LISTS:
        items = [*(rendered.get(key) or ()), *extra.get(key, ())]
        doc.pop(key, None)
        if items:
            doc[key] = items
    for key, form in forms.items():
        if form is None:
            doc.pop(key, None)
        else:
            doc[key] = form
    return doc


def _flag(owner: str, code: str, value: bool | str | None) -> list[dict[str, Any]]:
    if value is None:
        return []
    return [attribute(owner, FLAGS, code, str(value).lower() if isinstance(value, bool) else value)]


def languages(owner: str, codes: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"id": derived_id(owner, "language", c), "name": taxonomy.language_label(c, "en"), "code": c}
            for c in codes]


def _numbers(values: tuple[int, ...]) -> str | None:
    return ",".join(map(str, values)) or None


def schedules(owner: str, items: tuple[Schedule, ...]) -> list[dict[str, Any]]:
    return [drop_none({
        "id": derived_id(owner, "schedule", i), "freq": s.freq, "interval": s.interval if s.interval != 1 else None,
        "byday": ",".join(s.byday) or None, "opens_at": s.opens_at, "closes_at": s.closes_at,
        "valid_from": s.valid_from and s.valid_from.isoformat(), "valid_to": s.valid_to and s.valid_to.isoformat(),
        "description": s.description, "dtstart": s.dtstart and s.dtstart.isoformat(),
        "until": s.until and s.until.isoformat(), "count": s.count, "wkst": s.wkst,
        "bymonthday": _numbers(s.bymonthday), "byyearday": _numbers(s.byyearday), "byweekno": _numbers(s.byweekno),
        "timezone": _timezone(s.timezone)}) for i, s in enumerate(items)]


def _timezone(value: str | None) -> float | None:
    """HSDS 3.1 writes a timezone as a UTC offset in hours (a number); an IANA name has no such form."""
    if value is None or value[0] not in "+-":
        return None
    hours, _, minutes = value[1:].partition(":")
    offset = int(hours) + int(minutes or 0) / 60
    return -offset if value[0] == "-" else offset


def phones(owner: str, record: Any) -> list[dict[str, Any]]:
    return [drop_none({"id": derived_id(owner, "phone", i), "number": p.number, "description": p.description})
            for i, p in enumerate(record.phones)]


def service_fields(sid: str, r: ServiceRecord) -> dict[str, Any]:
    """Our rendering of each HSDS field of a service whose imported form can be kept (`hsds_forms`)."""
    e, cap = r.eligibility, r.capacity
    attributes = [attribute(sid, THEMES, t) for t in r.themes]
    attributes += _flag(sid, "residence-status-required", e.residence_status_required)
    attributes += _flag(sid, "waiting-list", True if cap and cap.waiting_list else None)
    attributes += [attribute(sid, CLOSURES, "closure", f"{c.starts}/{c.ends}", c.reason) for c in r.closures]
    return {
        "minimum_age": e.minimum_age, "maximum_age": e.maximum_age,
        "phones": phones(sid, r), "schedules": schedules(sid, r.schedules), "languages": languages(sid, r.languages),
        "cost_options": [drop_none({"id": derived_id(sid, "cost", i), **o.model_dump(mode="json")})
                         for i, o in enumerate(r.cost_options)],
        "required_documents": [{"id": derived_id(sid, "document", i), "document": d}
                               for i, d in enumerate(e.documents_required)],
        "capacities": cap and [drop_none({
            "id": derived_id(sid, "capacity"), "unit": {"id": derived_id("unit", cap.unit), "name": cap.unit},
            "available": cap.available, "maximum": cap.maximum, "updated": cap.updated.isoformat()})],
        "attributes": attributes,
    }


def service(sid: str, r: ServiceRecord, organization_id: str | None,
            links: list[dict[str, Any]]) -> dict[str, Any]:
    """`links`: HSDS service_at_location documents (id, location_id, description, ...)."""
    e = r.eligibility
    return _merge({
        "id": sid, "organization_id": organization_id, "name": r.name, "description": r.description,
        "url": r.url, "email": r.email, "status": r.status, "interpretation_services": r.interpretation_services,
        "application_process": r.application_process, "fees_description": r.fees_description,
        "eligibility_description": e.description, "assured_date": r.assured_date and r.assured_date.isoformat(),
        "alert": r.alert, "service_at_locations": [{**x, "service_id": sid} for x in links],
        **service_fields(sid, r),
    }, r)


def organization_fields(oid: str, r: OrganizationRecord) -> dict[str, Any]:
    identifiers = [{"id": derived_id(oid, "identifier", KBO_TYPE), "identifier_scheme": "BE-KBO",
                    "identifier_type": KBO_TYPE, "identifier": r.kbo_number}] if r.kbo_number else []
    return {"phones": phones(oid, r), "organization_identifiers": identifiers,
            "attributes": _flag(oid, "status", None if r.status == "active" else r.status)}


def organization(oid: str, r: OrganizationRecord, locations: list[dict[str, Any]]) -> dict[str, Any]:
    return _merge({"id": oid, "name": r.name, "description": r.description, "email": r.email, "website": r.website,
                   "locations": locations, **organization_fields(oid, r)}, r)


def location_fields(lid: str, r: LocationRecord) -> dict[str, Any]:
    a = r.address
    address = [drop_none({"id": derived_id(lid, "address"), "address_1": a.street, "city": a.city,
                          "state_province": a.province, "postal_code": a.postal_code, "country": a.country,
                          "address_type": "physical"}) | {"state_province": a.province}] if a else []
    return {
        "addresses": address,
        "accessibility": [drop_none({"id": derived_id(lid, "accessibility", i), **x.model_dump()})
                          for i, x in enumerate(r.accessibility)],
        "languages": languages(lid, r.languages), "schedules": schedules(lid, r.schedules),
        "attributes": _flag(lid, "wheelchair-accessible", r.wheelchair_accessible)
        + _flag(lid, "status", None if r.status == "active" else r.status),
    }


def location(lid: str, r: LocationRecord, organization_id: str | None) -> dict[str, Any]:
    return _merge({
        "id": lid, "location_type": r.location_type, "organization_id": organization_id, "name": r.name,
        "description": r.description, "latitude": r.latitude, "longitude": r.longitude,
        "transportation": r.transportation, **location_fields(lid, r),
    }, r)


FIELDS = {"service": service_fields, "organization": organization_fields, "location": location_fields}


def exported(value: Any) -> Any:
    """A rendered field as the export writes it: empty means absent."""
    return drop_none({"v": value}).get("v")
