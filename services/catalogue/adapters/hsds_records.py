"""One HSDS object → one of our records, strictly: every field the schema defines is modelled or kept.

The typed fields are what search and insights use (language codes, recurrences, cost options, capacity, themes,
accessibility flags). Where ours would render a list or a number differently from the document (its ids, notes,
offsets, extensions, 17.5 years), the document's form is kept in `hsds_forms`, so the export gives it back field for
field; HSDS fields we do not model at all (service areas, contacts, funding, programs, metadata, ...) are kept
verbatim in `hsds_extra`. A value we cannot understand (a language that is none, `byday XX`, `25:00`, opens after
closes, an interval of 0, a currency that is no ISO 4217 code) rejects the record with the field named.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError

from contracts import taxonomy
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
from services.catalogue.adapters import hsds_out
from services.catalogue.adapters.hsds_terms import CLOSURES, FLAGS, KBO_TYPE, THEMES, ours
from services.catalogue.domain import checks
from services.plumbing.errors import describe

T = TypeVar("T")
BOOL = {"true": True, "false": False}
SERVICE_KEYS = {"id", "organization_id", "name", "description", "status", "url", "email", "interpretation_services",
                "application_process", "fees_description", "eligibility_description", "minimum_age", "maximum_age",
                "assured_date", "alert", "phones", "schedules", "languages", "cost_options", "required_documents",
                "capacities", "attributes", "service_at_locations", "organization"}
ORGANIZATION_KEYS = {"id", "name", "description", "email", "website", "phones", "organization_identifiers",
                     "attributes", "locations", "services"}
LOCATION_KEYS = {"id", "location_type", "organization_id", "name", "description", "latitude", "longitude",
                 "transportation", "addresses", "accessibility", "languages", "schedules", "attributes"}
# The record paths each HSDS field speaks for: a document updates those it carries and keeps the others
PATHS = {
    "service": {"organization_id": ("organization_id",), "name": ("name",), "description": ("description",),
                "status": ("status",), "url": ("url",), "email": ("email",),
                "interpretation_services": ("interpretation_services",),
                "application_process": ("application_process",), "fees_description": ("fees_description",),
                "eligibility_description": ("eligibility.description",),
                "minimum_age": ("eligibility.minimum_age",), "maximum_age": ("eligibility.maximum_age",),
                "required_documents": ("eligibility.documents_required",), "assured_date": ("assured_date",),
                "alert": ("alert",), "phones": ("phones",), "schedules": ("schedules",), "languages": ("languages",),
                "cost_options": ("cost_options",), "capacities": ("capacity",),
                "attributes": ("themes", "closures", "eligibility.residence_status_required")},
    "organization": {"name": ("name",), "description": ("description",), "email": ("email",),
                     "website": ("website",), "phones": ("phones",), "organization_identifiers": ("kbo_number",),
                     "attributes": ("status",)},
    "location": {"location_type": ("location_type",), "organization_id": ("organization_id",), "name": ("name",),
                 "description": ("description",), "latitude": ("latitude",), "longitude": ("longitude",),
                 "transportation": ("transportation",), "addresses": ("address",),
                 "accessibility": ("accessibility", "wheelchair_accessible"), "languages": ("languages",),
                 "schedules": ("schedules",), "attributes": ("wheelchair_accessible", "status")},
}
# What an accessibility description says about wheelchairs (nl, fr, en); a negation nearby says the opposite
WHEELCHAIR = re.compile(r"rolstoel|wheelchair|fauteuil roulant|chaise roulante|pmr|step-free|drempelvrij", re.I)
FIELD = re.compile(r"^[a-z_]+(\[\d+\])?[.:]")  # a reason that starts with the field it is about
NOT = re.compile(r"\b(not|no|niet|geen|pas|non|sans)\b|n't", re.I)


@dataclass(frozen=True)
class Mapped:
    """A record, the notes for the import summary, and the record paths and HSDS fields the document carried."""

    record: Any
    notes: tuple[str, ...]
    paths: tuple[str, ...]
    hsds_keys: tuple[str, ...]


def _each(doc: dict[str, Any], key: str, parse: Callable[[dict[str, Any]], T]) -> list[T]:
    """Every item of the list `key`, parsed; ValueError naming `key[i].field` for the first one we cannot model."""
    out = []
    for i, item in enumerate(doc.get(key) or ()):
        try:
            out.append(parse(item))
        except ValidationError as exc:
            raise ValueError(f"{key}[{i}].{describe(exc)}") from None
        except KeyError as exc:
            raise ValueError(f"{key}[{i}]: {exc.args[0]} is missing") from None
        except (ValueError, TypeError) as exc:
            text = str(exc)
            raise ValueError(f"{key}[{i}]{'.' if FIELD.match(text) else ': '}{text}") from None
    return out


def _whole(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not float(value).is_integer():
        raise ValueError(f"{name} {value!r} is not a whole number")
    return int(value)


def _numbers(value: Any, name: str) -> tuple[int, ...]:
    parts = [p.strip() for p in str(value or "").split(",") if p.strip()]
    if not all(re.fullmatch(r"[+-]?\d{1,3}", p) for p in parts):
        raise ValueError(f"{name} {value!r} is not a comma-separated list of whole numbers")
    return tuple(int(p) for p in parts)


def _zone(value: Any) -> str | None:
    """HSDS writes a UTC offset in hours (1, -5, 5.5); an IANA name is accepted too (checked later)."""
    if value is None or isinstance(value, str):
        return value
    minutes = round(float(value) * 60)
    if abs(minutes) > 14 * 60:
        raise ValueError(f"timezone {value!r} is not a UTC offset in hours (-14..14)")
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def schedule(s: dict[str, Any]) -> Schedule:
    return checks.schedule(Schedule(
        freq=s.get("freq") or "WEEKLY", interval=_whole(s.get("interval", 1), "interval"),
        byday=tuple(x.strip() for x in (s.get("byday") or "").split(",") if x.strip()),
        opens_at=checks.clock("opens_at", s.get("opens_at")), closes_at=checks.clock("closes_at", s.get("closes_at")),
        valid_from=s.get("valid_from"),
        valid_to=s.get("valid_to"), description=s.get("description"), dtstart=s.get("dtstart"),
        until=s.get("until"), count=_whole(s.get("count"), "count"), wkst=s.get("wkst"),
        bymonthday=_numbers(s.get("bymonthday"), "bymonthday"), byyearday=_numbers(s.get("byyearday"), "byyearday"),
        byweekno=_numbers(s.get("byweekno"), "byweekno"), timezone=_zone(s.get("timezone"))))


def language(item: dict[str, Any]) -> str:
    """The ISO 639 code of an HSDS language: its `code` (a BCP 47 region is dropped), else its `name`."""
    if item.get("code"):
        return taxonomy.language_tagged(item["code"])
    if item.get("name"):
        try:
            return taxonomy.language_named(item["name"])
        except ValueError as exc:
            raise ValueError(f"name: {exc}") from None
    raise ValueError("a language needs its code or its name")


def _language_codes(doc: dict[str, Any]) -> tuple[str, ...]:
    def one(item: dict[str, Any]) -> str:
        try:
            return language(item)
        except ValueError as exc:
            text = str(exc)
            raise ValueError(text if text.startswith("name:") or "needs" in text else f"code: {text}") from None
    return checks.languages(tuple(_each(doc, "languages", one)))


def cost_option(o: dict[str, Any]) -> CostOption:
    return checks.cost_option(CostOption(
        option=o.get("option"), amount=o.get("amount"), currency=checks.currency(o.get("currency")),
        amount_description=o.get("amount_description"), valid_from=o.get("valid_from"), valid_to=o.get("valid_to")))


@dataclass
class _Attributes:
    themes: list[str]
    flags: dict[str, str]
    closures: list[Closure]
    notes: list[str]


def _attributes(doc: dict[str, Any], known_flags: set[str]) -> _Attributes:
    """Our themes, flags and closures; a term of another taxonomy becomes a theme through the crosswalk table
    (contracts/taxonomies/crosswalks.json); an unmapped one is kept with the record and noted."""
    found = _Attributes([], {}, [], [])
    for attr in doc.get("attributes") or ():
        vocabulary, code, value, label = ours(attr) or (None, "", None, None)
        term = attr.get("taxonomy_term") or {}
        if vocabulary == THEMES:
            if code not in taxonomy.themes():
                raise ValueError(f"attributes: unknown Wegwijs theme {code!r}")
            found.themes.append(code)
        elif vocabulary == FLAGS and code in known_flags and value is not None:
            found.flags[code] = value
        elif vocabulary == CLOSURES and value and "/" in value:
            starts, ends = value.split("/", 1)
            found.closures.append(Closure(starts=starts, ends=ends, reason=label))
        elif vocabulary is None and (theme := taxonomy.theme_of_term(
                term.get("taxonomy"), term.get("code"), term.get("name"))):
            found.themes.append(theme)
        elif vocabulary is None:
            what = " ".join(str(x) for x in (term.get("taxonomy"), term.get("code"), term.get("name")) if x)
            found.notes.append(f"attribute {attr.get('id')}: term {what or attr.get('taxonomy_term_id')!r} maps to "
                               "no Wegwijs theme; kept")
    found.themes = list(dict.fromkeys(found.themes))
    return found


def _phone(p: dict[str, Any]) -> Phone:
    """The number and what it is for; the languages spoken on it must be languages (they stay in its HSDS form)."""
    _language_codes(p)
    return Phone(number=p["number"], description=p.get("description"))


def _phones(doc: dict[str, Any]) -> tuple[Phone, ...]:
    return tuple(_each(doc, "phones", _phone))


def _ages(doc: dict[str, Any]) -> tuple[int | None, int | None]:
    """Whole years for search: a minimum of 17.5 admits from 18, a maximum of 17.5 up to 17 (the exact number is
    kept as the document's form)."""
    low, high = doc.get("minimum_age"), doc.get("maximum_age")
    return (None if low is None else math.ceil(low)), (None if high is None else math.floor(high))


def _capacity(doc: dict[str, Any], waiting: bool) -> Capacity | None:
    caps = _each(doc, "capacities", lambda c: Capacity(
        available=c["available"], maximum=c.get("maximum"), unit=c["unit"]["name"], updated=c["updated"],
        waiting_list=waiting))
    return caps[0] if caps else None


def _kept(kind: str, owner: str, doc: dict[str, Any], record: Any) -> Any:
    """The record with the document's form of each field ours would render differently."""
    forms = {key: doc.get(key) for key, rendered in hsds_out.FIELDS[kind](owner, record).items()
             if doc.get(key) != hsds_out.exported(rendered)}  # None: absent from the document, so from the export
    return record.model_copy(update={"hsds_forms": forms}) if forms else record


def _mapped(kind: str, doc: dict[str, Any], record: Any, notes: list[str]) -> Mapped:
    record = _kept(kind, doc["id"], doc, record)
    paths = tuple(dict.fromkeys(p for key in doc for p in PATHS[kind].get(key, ())))
    return Mapped(record, tuple(notes), paths, tuple(doc))


def service(doc: dict[str, Any], organization_id: str | None) -> Mapped:
    extra = {k: v for k, v in doc.items() if k not in SERVICE_KEYS}
    attrs = _attributes(doc, {"residence-status-required", "waiting-list"})
    low, high = _ages(doc)
    record = ServiceRecord(
        organization_id=doc.get("organization_id") or organization_id, name=doc["name"],
        description=doc.get("description"), status=doc["status"], themes=tuple(attrs.themes),
        languages=_language_codes(doc), interpretation_services=doc.get("interpretation_services"),
        application_process=doc.get("application_process"), fees_description=doc.get("fees_description"),
        eligibility=Eligibility(
            description=doc.get("eligibility_description"), minimum_age=low, maximum_age=high,
            residence_status_required=BOOL.get(attrs.flags.get("residence-status-required", "")),
            documents_required=tuple(_each(doc, "required_documents", lambda d: d.get("document") or d["uri"]))),
        cost_options=tuple(_each(doc, "cost_options", cost_option)),
        schedules=tuple(_each(doc, "schedules", schedule)), closures=tuple(attrs.closures),
        capacity=_capacity(doc, attrs.flags.get("waiting-list") == "true"), url=doc.get("url"),
        email=doc.get("email"), phones=_phones(doc), alert=doc.get("alert"), assured_date=doc.get("assured_date"),
        hsds_id=doc["id"], hsds_extra=extra)
    return _mapped("service", doc, checks.service(record), attrs.notes)


def organization(doc: dict[str, Any]) -> Mapped:
    extra = {k: v for k, v in doc.items() if k not in ORGANIZATION_KEYS}
    attrs = _attributes(doc, {"status"})
    kbo = [d for i in doc.get("organization_identifiers") or () if i.get("identifier_type") == KBO_TYPE
           and (d := "".join(ch for ch in i["identifier"] if ch.isdigit()))]
    record = OrganizationRecord(
        name=doc["name"], description=doc.get("description", ""), kbo_number=kbo[0] if kbo else None,
        website=doc.get("website"), email=doc.get("email"), phones=_phones(doc),
        status=attrs.flags.get("status", "active"), hsds_id=doc["id"], hsds_extra=extra)
    return _mapped("organization", doc, record, attrs.notes)


def _address(a: dict[str, Any]) -> Address:
    return Address(street=a["address_1"], postal_code=a["postal_code"], city=a["city"],
                   province=a.get("state_province", ""), country=a["country"].upper())


def wheelchair(texts: list[str]) -> bool | None:
    """What accessibility descriptions say of wheelchair access: True, False (said it is not), None (silent)."""
    said = None
    for text in texts:
        for sentence in re.split(r"[.;!?\n]", text):
            if WHEELCHAIR.search(sentence):
                said = said or not NOT.search(sentence)
    return said


def location(doc: dict[str, Any], organization_id: str | None) -> Mapped:
    extra = {k: v for k, v in doc.items() if k not in LOCATION_KEYS}
    attrs = _attributes(doc, {"wheelchair-accessible", "status"})
    addresses = _each(doc, "addresses", _address)
    access = _each(doc, "accessibility", lambda x: Accessibility(description=x.get("description"),
                                                                  details=x.get("details")))
    flag = BOOL.get(attrs.flags.get("wheelchair-accessible", ""))
    said = wheelchair([t for x in access for t in (x.description, x.details) if t])
    record = LocationRecord(
        name=doc.get("name"), location_type=doc["location_type"],
        organization_id=doc.get("organization_id") or organization_id, description=doc.get("description"),
        address=addresses[0] if addresses else None, latitude=doc.get("latitude"), longitude=doc.get("longitude"),
        transportation=doc.get("transportation"), wheelchair_accessible=flag if flag is not None else said,
        accessibility=tuple(access), languages=_language_codes(doc),
        schedules=tuple(_each(doc, "schedules", schedule)), status=attrs.flags.get("status", "active"),
        hsds_id=doc["id"], hsds_extra=extra)
    return _mapped("location", doc, checks.location(record), attrs.notes)
