"""Opening hours: does an HSDS schedule (RFC 5545 recurrence) open on a day, in a time window, despite closures?

Times are local wall-clock times of the municipality (Europe/Brussels). A schedule without weekdays says nothing
about when it is open, so it never counts as open.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from dateutil import rrule

from contracts.events.catalogue import Closure, Schedule
from services.catalogue.domain.checks import BYDAY

DAYS = {"MO": rrule.MO, "TU": rrule.TU, "WE": rrule.WE, "TH": rrule.TH, "FR": rrule.FR, "SA": rrule.SA,
        "SU": rrule.SU}
ANCHOR = date(2020, 1, 6)  # a Monday: weekly intervals count from here when a schedule has no valid_from


@dataclass(frozen=True)
class Window:
    """Open at some moment in [start, end) — or at the instant `start` when start == end."""

    start: time = time(0, 0)
    end: time = time(23, 59, 59)


def _clock(value: str | None, default: time) -> time:
    return time.fromisoformat(value) if value else default


def overlaps(s: Schedule, window: Window) -> bool:
    opens, closes = _clock(s.opens_at, time(0, 0)), _clock(s.closes_at, time(23, 59, 59))
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


def occurs_on(s: Schedule, day: date) -> bool:
    """True if the recurrence has an occurrence on `day` (within valid_from..valid_to)."""
    weekdays = _weekdays(s)
    if not weekdays or (s.valid_from and day < s.valid_from) or (s.valid_to and day > s.valid_to):
        return False
    start = s.valid_from or ANCHOR
    freq = rrule.WEEKLY if s.freq == "WEEKLY" else rrule.MONTHLY
    rule = rrule.rrule(freq, interval=s.interval, byweekday=weekdays, dtstart=datetime.combine(start, time()),
                       wkst=rrule.MO)
    first = rule.after(datetime.combine(day, time()), inc=True)
    return first is not None and first.date() == day


def closed_on(closures: Iterable[Closure], day: date) -> bool:
    return any(c.starts <= day <= c.ends for c in closures)


def open_on(schedules: Iterable[Schedule], closures: Iterable[Closure], day: date,
            window: Window = Window()) -> bool:
    """Open at some moment of `window` on the calendar day `day`."""
    if closed_on(closures, day):
        return False
    return any(occurs_on(s, day) and overlaps(s, window) for s in schedules)


def open_on_weekday(schedules: Iterable[Schedule], weekday: str, window: Window, today: date) -> bool:
    """Open on that weekday in general (any week), with a schedule still valid today."""
    for s in schedules:
        days = {BYDAY.match(t).group(2) for t in s.byday if BYDAY.match(t)}
        if weekday in days and overlaps(s, window) and (s.valid_to is None or s.valid_to >= today):
            return True
    return False
