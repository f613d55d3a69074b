"""Checks on records beyond their shape: taxonomy codes, ISO 639 languages, consistent ages, hours and dates."""
from __future__ import annotations

import re
from typing import TypeVar

from pydantic import BaseModel

from contracts import taxonomy
from contracts.events.catalogue import LocationRecord, OrganizationRecord, Schedule, ServiceRecord

R = TypeVar("R", bound=BaseModel)
BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")


def languages(codes: tuple[str, ...]) -> tuple[str, ...]:
    """Canonical ISO 639 codes, duplicates removed, order kept."""
    return tuple(dict.fromkeys(taxonomy.normalise_language(c) for c in codes))


def themes(codes: tuple[str, ...]) -> tuple[str, ...]:
    for code in codes:
        if code not in taxonomy.themes():
            raise ValueError(f"unknown theme {code!r}")
    if len(set(codes)) != len(codes):
        raise ValueError("a theme is listed twice")
    return codes


def schedule(s: Schedule) -> Schedule:
    for token in s.byday:
        if not BYDAY.match(token) or (s.freq == "WEEKLY" and not token.isalpha()):
            raise ValueError(f"byday {token!r} is not an RFC 5545 weekday for {s.freq}")
    if s.opens_at and s.closes_at and s.opens_at >= s.closes_at:
        raise ValueError(f"opens_at {s.opens_at} is not before closes_at {s.closes_at}")
    if s.valid_from and s.valid_to and s.valid_from > s.valid_to:
        raise ValueError("valid_from lies after valid_to")
    return s


def service(r: ServiceRecord) -> ServiceRecord:
    e = r.eligibility
    if e.minimum_age is not None and e.maximum_age is not None and e.minimum_age > e.maximum_age:
        raise ValueError("eligibility.minimum_age is above eligibility.maximum_age")
    for c in r.closures:
        if c.starts > c.ends:
            raise ValueError(f"closure starting {c.starts} ends before it starts")
    for s in r.schedules:
        schedule(s)
    return r.model_copy(update={"themes": themes(r.themes), "languages": languages(r.languages)})


def location(r: LocationRecord) -> LocationRecord:
    for s in r.schedules:
        schedule(s)
    return r.model_copy(update={"languages": languages(r.languages)})


def organization(r: OrganizationRecord) -> OrganizationRecord:
    return r


CHECKS = {OrganizationRecord: organization, ServiceRecord: service, LocationRecord: location}


def checked(record: R) -> R:
    """The record with canonical codes; ValueError naming what is wrong."""
    return CHECKS[type(record)](record)  # type: ignore[return-value]
