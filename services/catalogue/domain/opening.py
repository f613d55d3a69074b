"""Opening hours: does an HSDS schedule (an RFC 5545 recurrence) open on a day, in a time window, despite closures?

A schedule's clock times are wall-clock times of its own zone: `timezone` (an IANA name or a UTC offset), else the
offset its `opens_at` carries, else the municipality's (Europe/Brussels). Days and windows asked for are local to
Europe/Brussels; an instant (`open_at`) is converted into each schedule's zone. A schedule that names no day (no
byday, bymonthday, byyearday or byweekno) says nothing about when it is open, so it never counts as open.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil import rrule

from contracts.events.catalogue import Closure, Schedule
from services.catalogue.domain.checks import BYDAY, OFFSET, time_of_day

LOCAL = ZoneInfo("Europe/Brussels")
DAYS = {"MO": rrule.MO, "TU": rrule.TU, "WE": rrule.WE, "TH": rrule.TH, "FR": rrule.FR, "SA": rrule.SA,
        "SU": rrule.SU}
ANCHOR = date(2020, 1, 6)  # a Monday: intervals count from here when a schedule has no dtstart or valid_from
END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class Window:
    """Open at some moment in [start, end) — or at the instant `start` when start == end."""

    start: time = time(0, 0)
    end: time = END_OF_DAY


def zone(s: Schedule) -> tzinfo:
    """The zone the schedule's clock times are in."""
    if s.timezone:
        return _offset(s.timezone) if OFFSET.match(s.timezone) else ZoneInfo(s.timezone)
    aware = time.fromisoformat(s.opens_at) if s.opens_at else None
    return aware.tzinfo if aware is not None and aware.tzinfo is not None else LOCAL


def _offset(text: str) -> timezone:
    sign = -1 if text.startswith("-") else 1
    hours, _, minutes = text.lstrip("+-").partition(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))


def _clock(value: str | None, default: time) -> time:
    return time_of_day(value) if value else default


def overlaps(s: Schedule, window: Window) -> bool:
    opens, closes = _clock(s.opens_at, time(0, 0)), _clock(s.closes_at, END_OF_DAY)
    if window.start == window.end:
        return opens <= window.start < closes
    return opens < window.end and closes > window.start


def _weekdays(s: Schedule) -> list[rrule.weekday]:
    result = []
    for token in s.byday:
        match = BYDAY.match(token)
        if match:
            day = DAYS[match.group(2)]
            result.append(day(int(match.group(1))) if match.group(1) else day)
    return result


def names_days(s: Schedule) -> bool:
    return bool(s.byday or s.bymonthday or s.byyearday or s.byweekno)


@lru_cache(maxsize=4096)
def _rule(s: Schedule) -> rrule.rrule:
    start = s.dtstart or s.valid_from or ANCHOR
    until = None if s.count else s.until  # both given (RFC 5545 forbids it; publishers do it): the first reached ends
    return rrule.rrule(
        rrule.WEEKLY if s.freq == "WEEKLY" else rrule.MONTHLY, interval=s.interval, dtstart=datetime.combine(
            start, time()), wkst=DAYS[s.wkst or "MO"], count=s.count,
        until=datetime.combine(until, time()) if until else None, byweekday=_weekdays(s) or None,
        bymonthday=s.bymonthday or None, byyearday=s.byyearday or None, byweekno=s.byweekno or None,
        cache=True)


def occurs_on(s: Schedule, day: date) -> bool:
    """True if the recurrence has an occurrence on `day` (within valid_from..valid_to)."""
    if not names_days(s) or (s.valid_from and day < s.valid_from) or (s.valid_to and day > s.valid_to) \
            or (s.until and day > s.until):
        return False
    first = _rule(s).after(datetime.combine(day, time()), inc=True)
    return first is not None and first.date() == day


def closed_on(closures: Iterable[Closure], day: date) -> bool:
    return any(c.starts <= day <= c.ends for c in closures)


def open_on(schedules: Iterable[Schedule], closures: Iterable[Closure], day: date,
            window: Window = Window()) -> bool:
    """Open at some moment of `window` on the calendar day `day` (both in the schedules' own clocks)."""
    if closed_on(closures, day):
        return False
    return any(occurs_on(s, day) and overlaps(s, window) for s in schedules)


def open_at(schedules: Iterable[Schedule], closures: Iterable[Closure], moment: datetime) -> bool:
    """Open at the instant `moment`: each schedule asked on its own clock; closures are Brussels days."""
    if closed_on(closures, moment.astimezone(LOCAL).date()):
        return False
    for s in schedules:
        there = moment.astimezone(zone(s))
        clock = there.time().replace(tzinfo=None)
        if occurs_on(s, there.date()) and overlaps(s, Window(clock, clock)):
            return True
    return False


def open_on_weekday(schedules: Iterable[Schedule], weekday: str, window: Window, today: date) -> bool:
    """Open on that weekday in general (any week), with a schedule still valid today."""
    for s in schedules:
        days = {m.group(2) for t in s.byday if (m := BYDAY.match(t))}
        ended = (s.valid_to is not None and s.valid_to < today) or (s.until is not None and s.until < today)
        if weekday in days and overlaps(s, window) and not ended:
            return True
    return False
