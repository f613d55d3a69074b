"""One HSDS object → one of our records. What we do not model is kept in `hsds_extra` for a faithful export."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError

from contracts.events.catalogue import (
    Accessibility,
    Address,
    Capacity,
    Closure,
    CostOption,
    Eligibility,
    LocationRecord,
    OrganizationRecord,
    Phone,
    Schedule,
    ServiceRecord,
)
from contracts.taxonomy import is_language, normalise_language, themes
from services.catalogue.adapters.hsds_terms import CLOSURES, FLAGS, KBO_TYPE, THEMES, ours
from services.catalogue.domain import checks

T = TypeVar("T")
BOOL = {"true": True, "false": False}
SERVICE_KEYS = {"id", "organization_id", "name", "description", "status", "url", "email", "interpretation_services",
                "application_process", "fees_description", "eligibility_description", "minimum_age", "maximum_age",
                "assured_date", "alert", "phones", "schedules", "languages", "cost_options", "required_documents",
                "capacities", "attributes", "service_at_locations", "organization"}
ORGANIZATION_KEYS = {"id", "name", "description", "email", "website", "phones", "organization_identifiers",
                     "attributes", "locations", "services"}
CAPACITY_KEYS = {"id", "unit", "available", "maximum", "updated"}
SCHEDULE_KEYS = {"id", "freq", "interval", "byday", "opens_at", "closes_at", "valid_from", "valid_to", "description"}
LOCATION_KEYS = {"id", "location_type", "organization_id", "name", "description", "latitude", "longitude",
                 "transportation", "addresses", "accessibility", "languages", "schedules", "attributes"}


def _take(items: list[Any], parse: Callable[[Any], T | None], extra: dict[str, Any], key: str) -> list[T]:
    """Items we can model are parsed; the others stay, as they were, in extra[key]."""
    parsed, rest = [], []
    for item in items or ():
        try:
            value = parse(item)
        except (ValidationError, ValueError, TypeError, KeyError, AttributeError):
            value = None
        (parsed if value is not None else rest).append(value if value is not None else item)
    if rest:
        extra[key] = rest
    return parsed


def _schedule(s: dict[str, Any]) -> Schedule | None:
    if not set(s) <= SCHEDULE_KEYS:
        return None
    byday = tuple(x.strip() for x in (s.get("byday") or "").split(",") if x.strip())
    return checks.schedule(Schedule(
        freq=s.get("freq", "WEEKLY"), interval=int(s.get("interval", 1)), byday=byday, opens_at=s.get("opens_at"),
        closes_at=s.get("closes_at"), valid_from=s.get("valid_from"), valid_to=s.get("valid_to"),
        description=s.get("description")))


def _language(item: dict[str, Any]) -> str | None:
    code = item.get("code")
    if not code or not is_language(code) or set(item) - {"id", "name", "code"}:
        return None
    return normalise_language(code)


def _attributes(doc: dict[str, Any], extra: dict[str, Any],
                known_flags: set[str]) -> tuple[list[str], dict[str, str], list[Closure]]:
    theme_codes: list[str] = []
    flags: dict[str, str] = {}
    closures: list[Closure] = []

    def one(attr: dict[str, Any]) -> bool | None:
        vocabulary, code, value, label = ours(attr) or (None, "", None, None)
        if vocabulary == THEMES and code in themes():
            theme_codes.append(code)
        elif vocabulary == FLAGS and code in known_flags and value is not None:
            flags[code] = value
        elif vocabulary == CLOSURES and value and "/" in value:
            starts, ends = value.split("/", 1)
            closures.append(Closure(starts=starts, ends=ends, reason=label))
        else:
            return None
        return True

    _take(doc.get("attributes", []), one, extra, "attributes")
    return theme_codes, flags, closures


def _phones(doc: dict[str, Any], extra: dict[str, Any]) -> tuple[Phone, ...]:
    return tuple(_take(doc.get("phones", []), lambda p: Phone(number=p["number"], description=p.get("description"))
                       if set(p) <= {"id", "number", "description"} else None, extra, "phones"))


def _age(value: Any) -> int | None:
    return None if value is None else int(value)


def service(doc: dict[str, Any], organization_id: str | None) -> ServiceRecord:
    extra = {k: v for k, v in doc.items() if k not in SERVICE_KEYS}
    theme_codes, flags, closures = _attributes(doc, extra, {"residence-status-required", "waiting-list"})
    caps = _take(doc.get("capacities", [])[:1], lambda c: Capacity(
        available=c["available"], maximum=c.get("maximum"), unit=c["unit"]["name"], updated=c["updated"],
        waiting_list=flags.get("waiting-list") == "true") if set(c) <= CAPACITY_KEYS else None, extra, "capacities")
    if len(doc.get("capacities", [])) > 1:
        extra["capacities"] = [*extra.get("capacities", []), *doc["capacities"][1:]]
    return ServiceRecord(
        organization_id=doc.get("organization_id") or organization_id, name=doc["name"],
        description=doc.get("description"), status=doc["status"], themes=tuple(theme_codes),
        languages=tuple(_take(doc.get("languages", []), _language, extra, "languages")),
        interpretation_services=doc.get("interpretation_services"),
        application_process=doc.get("application_process"), fees_description=doc.get("fees_description"),
        eligibility=Eligibility(
            description=doc.get("eligibility_description"), minimum_age=_age(doc.get("minimum_age")),
            maximum_age=_age(doc.get("maximum_age")),
            residence_status_required=BOOL.get(flags.get("residence-status-required", "")),
            documents_required=tuple(_take(doc.get("required_documents", []), lambda d: d["document"] if set(d) <= {
                "id", "document"} else None, extra, "required_documents"))),
        cost_options=tuple(_take(doc.get("cost_options", []), lambda o: CostOption(
            **{k: v for k, v in o.items() if k != "id"}), extra, "cost_options")),
        schedules=tuple(_take(doc.get("schedules", []), _schedule, extra, "schedules")),
        closures=tuple(closures), capacity=caps[0] if caps else None, url=doc.get("url"), email=doc.get("email"),
        phones=_phones(doc, extra), alert=doc.get("alert"), assured_date=doc.get("assured_date"),
        hsds_id=doc["id"], hsds_extra=extra)


def organization(doc: dict[str, Any]) -> OrganizationRecord:
    extra = {k: v for k, v in doc.items() if k not in ORGANIZATION_KEYS}
    _, flags, _ = _attributes(doc, extra, {"status"})
    kbo = _take(doc.get("organization_identifiers", []), lambda i: "".join(ch for ch in i["identifier"] if ch.isdigit())
                if i.get("identifier_type") == KBO_TYPE else None, extra, "organization_identifiers")
    return OrganizationRecord(
        name=doc["name"], description=doc.get("description", ""), kbo_number=kbo[0] if kbo else None,
        website=doc.get("website"), email=doc.get("email"), phones=_phones(doc, extra),
        status=flags.get("status", "active"), hsds_id=doc["id"], hsds_extra=extra)


def _address(a: dict[str, Any]) -> Address:
    return Address(street=a["address_1"], postal_code=a["postal_code"], city=a["city"],
                   province=a.get("state_province", ""), country=a["country"])


def location(doc: dict[str, Any], organization_id: str | None) -> LocationRecord:
    extra = {k: v for k, v in doc.items() if k not in LOCATION_KEYS}
    _, flags, _ = _attributes(doc, extra, {"wheelchair-accessible", "status"})
    addresses = _take(doc.get("addresses", [])[:1], _address, extra, "addresses")
    if len(doc.get("addresses", [])) > 1:
        extra["addresses"] = [*extra.get("addresses", []), *doc["addresses"][1:]]
    return LocationRecord(
        name=doc.get("name"), location_type=doc["location_type"],
        organization_id=doc.get("organization_id") or organization_id, description=doc.get("description"),
        address=addresses[0] if addresses else None, latitude=doc.get("latitude"), longitude=doc.get("longitude"),
        transportation=doc.get("transportation"),
        wheelchair_accessible=BOOL.get(flags.get("wheelchair-accessible", "")),
        accessibility=tuple(_take(doc.get("accessibility", []), lambda x: Accessibility(
            description=x.get("description"), details=x.get("details")) if set(x) <= {
            "id", "description", "details"} else None, extra, "accessibility")),
        languages=tuple(_take(doc.get("languages", []), _language, extra, "languages")),
        schedules=tuple(_take(doc.get("schedules", []), _schedule, extra, "schedules")),
        status=flags.get("status", "active"), hsds_id=doc["id"], hsds_extra=extra)
