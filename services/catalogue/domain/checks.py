"""Checks on records beyond their shape: taxonomy codes, ISO 639 languages, consistent ages, hours and dates."""
from __future__ import annotations

import re
from datetime import time
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry

from pydantic import BaseModel

from contracts import taxonomy
from contracts.events.catalogue import CLOCK, CostOption, LocationRecord, OrganizationRecord, Schedule, ServiceRecord

R = TypeVar("R", bound=BaseModel)
BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
OFFSET = re.compile(r"^[+-]([01]\d|2[0-3])(:?[0-5]\d)?$")
RANGES = {"bymonthday": 31, "byyearday": 366, "byweekno": 53}


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
    """An RFC 5545 recurrence dateutil can evaluate, with clock times that make sense; ValueError naming the field."""
    for token in s.byday:
        if not BYDAY.match(token) or (s.freq == "WEEKLY" and not token.isalpha()):
            raise ValueError(f"byday {token!r} is not an RFC 5545 weekday for {s.freq}"
                             + (" (ordinals such as 2MO go with MONTHLY)" if BYDAY.match(token) else ""))
    for name, most in RANGES.items():
        for n in getattr(s, name):
            if n == 0 or abs(n) > most:
                raise ValueError(f"{name} {n} is not a day or week number (1..{most}, or -1..-{most} from the end)")
    if s.opens_at and s.closes_at and time_of_day(s.opens_at) >= time_of_day(s.closes_at):
        raise ValueError(f"opens_at {s.opens_at} is not before closes_at {s.closes_at}")
    if s.valid_from and s.valid_to and s.valid_from > s.valid_to:
        raise ValueError("valid_from lies after valid_to")
    if s.dtstart and s.until and s.dtstart > s.until:
        raise ValueError(f"until {s.until} lies before dtstart {s.dtstart}")
    if s.count is not None and not (s.dtstart or s.valid_from):
        raise ValueError("count: counting occurrences needs the first one (dtstart)")
    if s.timezone and not OFFSET.match(s.timezone):
        try:
            ZoneInfo(s.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone {s.timezone!r} is neither a UTC offset (+01:00) nor an IANA zone name") \
                from None
    return s


def time_of_day(value: str) -> time:
    """A clock time as a comparable time of day (its offset, if any, is the schedule's zone: the same for both)."""
    return time.fromisoformat(value).replace(tzinfo=None)


def clock(name: str, value: str | None) -> str | None:
    """A clock time as HSDS writes it ("09:00", "09:00:00+01:00"); ValueError naming `name` otherwise."""
    if isinstance(value, str) and not re.match(CLOCK, value):
        raise ValueError(f"{name} {value!r} is not a clock time (hh:mm or hh:mm:ss, optionally with a UTC offset: "
                         "09:00:00+01:00)")
    return value


def currency(code: str | None) -> str | None:
    """The ISO 4217 code in upper case (publishers also write "eur"); ValueError naming it otherwise."""
    if code and pycountry.currencies.get(alpha_3=code.upper()) is None:
        raise ValueError(f"currency {code!r} is not an ISO 4217 code")
    return code.upper() if code else None


def cost_option(o: CostOption) -> CostOption:
    currency(o.currency)
    if o.valid_from and o.valid_to and o.valid_from > o.valid_to:
        raise ValueError("valid_from lies after valid_to")
    return o


def service(r: ServiceRecord) -> ServiceRecord:
    e = r.eligibility
    if e.minimum_age is not None and e.maximum_age is not None and e.minimum_age > e.maximum_age:
        raise ValueError("eligibility.minimum_age is above eligibility.maximum_age")
    for c in r.closures:
        if c.starts > c.ends:
            raise ValueError(f"closure starting {c.starts} ends before it starts")
    for s in r.schedules:
        schedule(s)
    for o in r.cost_options:
        cost_option(o)
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
