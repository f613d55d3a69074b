"""Views: unmet needs — per municipality, month (or ISO week) and theme, what became of the questions about it.

Intake measures count questions (each at most once per measure and theme) in the month the question was registered,
under its current themes (a clarification moves a question from its old themes to the new ones): of March's housing
questions, how many were informed, accompanied, resolved (closed `answered`/`referred`), unresolved (closed `gap`/
`unreachable`; `withdrawn` is neither) and had a gap recorded for the theme. A reopened question leaves the closed
counts until it is closed again. `referred` counts referral requests in the month they were made (the referral
stream does not know the question's month). Every sub-theme also counts under its top-level theme; the `*` row counts
each question once. A gap also counts under its reason code (`gaps_<code>`, `GapRecorded.reason_code`), so a theme's
reasons add up to its gaps; the reason in words is free text and never enters a view.

The same counts per ISO week go to a view of their own (`unmet_needs_weekly`): weeks straddle months, so neither can be
had from the other. A week belongs to the month of its Thursday (`week_of`), which its documents carry as `month`: a
period of months selects whole weeks, and the year a week's document is packed in is its ISO year.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from contracts import taxonomy, topics
from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.intake import (
    GAP_REASONS, UNRECORDED, ClientAccompanied, GapRecorded, QuestionClarified, QuestionClosed, QuestionInformed, QuestionRegistered,
    QuestionReopened)
from contracts.events.referral import ReferralRequested
from services.insights.domain.questions_per_theme import calendar_of
from services.plumbing.projection import Delta
from services.plumbing.projection.model import SHARED_DELTAS, Case, case_list

VIEW = "unmet_needs"
WEEKLY = "unmet_needs_weekly"
ALL = "*"
MEASURES = ("registered", "informed", "referred", "accompanied", "resolved", "unresolved", "gaps")
REASONS = (*GAP_REASONS, UNRECORDED)
REASON_MEASURES = tuple(f"gaps_{code}" for code in REASONS)  # the gaps per reason code
RESOLVED = {"answered": "resolved", "referred": "resolved", "gap": "unresolved", "unreachable": "unresolved"}
K = "un_"  # this view's keys in the stream's case


def rows_of(codes: Iterable[str]) -> list[str]:
    """The theme rows a question with `codes` counts in: `*`, each code and each code's top-level theme."""
    return list(theme_rows(tuple(codes)))


@lru_cache(maxsize=4096)  # few distinct theme lists; a rebuild asks for each a million times
def theme_rows(codes: tuple[str, ...]) -> tuple[str, ...]:
    """`rows_of` a tuple, as a tuple (shared: the same object for the same codes)."""
    out = [ALL]
    for code in codes:
        out.append(code)
        if code in taxonomy.themes():
            out.append(taxonomy.themes().top_level(code))
    return tuple(dict.fromkeys(out))


class UnmetNeeds:
    topics = (topics.INTAKE_QUESTIONS, topics.REFERRAL_REFERRALS)
    views = (VIEW, WEEKLY)
    packed = (VIEW, WEEKLY)
    version = 2  # 2: per ISO week too, and gaps per reason code
    uses_case = True
    TYPES = frozenset(t.event_type for t in (QuestionRegistered, QuestionClarified, QuestionInformed,
                                             ClientAccompanied, GapRecorded, QuestionClosed, QuestionReopened,
                                             ReferralRequested))
    reads = TYPES

    def project(self, envelope: Envelope, case: Case) -> Iterable[Delta]:
        if envelope.type not in self.TYPES:
            return ()
        event, tenant = decode(envelope), envelope.tenant
        if isinstance(event, (ReferralRequested, QuestionRegistered)):
            month, week, week_month = calendar_of(envelope.occurred_at)
            measure = "referred" if isinstance(event, ReferralRequested) else "registered"
            return _deltas(tenant, month, (week, week_month), theme_rows(event.themes), measure, 1)
        month, themes = case.get(K + "month"), case.get(K + "themes", [])
        if month is None:  # the question's registration was never seen: nothing to count it under
            return ()
        # The week of the registration; None in a case kept by a release before the weekly view: months only.
        week = tuple(w) if (w := case.get(K + "week")) is not None else None

        def cells(rows: Sequence[str], measure: str, n: int = 1, reason: str = "") -> tuple[Delta, ...]:
            return _deltas(tenant, month, week, tuple(rows), measure, n, reason)
        if isinstance(event, QuestionClarified):
            old, new = set(rows_of(themes)), set(theme_rows(event.themes))
            return [*cells(sorted(old - new), "registered", -1), *cells(sorted(new - old), "registered")]
        if isinstance(event, QuestionInformed):
            done = set(case.get(K + "informed", []))
            return cells([r for r in theme_rows(event.themes) if r not in done], "informed")
        if isinstance(event, ClientAccompanied) and not case.get(K + "accompanied"):
            return cells(rows_of(themes), "accompanied")
        if isinstance(event, GapRecorded):
            done = set(case.get(K + "gaps", []))
            return cells([r for r in theme_rows((event.theme,)) if r not in done], "gaps", reason=event.reason_code)
        if isinstance(event, QuestionClosed) and event.outcome in RESOLVED and not case.get(K + "closed"):
            return cells(rows_of(themes), RESOLVED[event.outcome])
        if isinstance(event, QuestionReopened) and (closed := case.get(K + "closed")):
            return cells(closed["rows"], closed["measure"], -1)
        return ()

    def evolve(self, case: Case, envelope: Envelope) -> Case:
        if envelope.type not in self.TYPES or envelope.type == ReferralRequested.event_type:
            return case
        event = decode(envelope)
        new: dict[str, Any] = {}
        if isinstance(event, QuestionRegistered):
            month, week, week_month = calendar_of(envelope.occurred_at)
            new = {K + "month": month, K + "week": case_list((week, week_month)), K + "themes": case_list(event.themes)}
        elif K + "month" not in case:
            return case
        elif isinstance(event, QuestionClarified):
            new = {K + "themes": case_list(event.themes)}
        elif isinstance(event, QuestionInformed):
            informed = dict.fromkeys([*case.get(K + "informed", []), *theme_rows(event.themes)])
            new = {K + "informed": case_list(tuple(informed))}
        elif isinstance(event, ClientAccompanied):
            new = {K + "accompanied": True}
        elif isinstance(event, GapRecorded):
            gaps = dict.fromkeys([*case.get(K + "gaps", []), *theme_rows((event.theme,))])
            new = {K + "gaps": case_list(tuple(gaps))}
        elif isinstance(event, QuestionClosed) and event.outcome in RESOLVED and not case.get(K + "closed"):
            new = {K + "closed": _closed(RESOLVED[event.outcome], tuple(case.get(K + "themes", [])))}
        elif isinstance(event, QuestionReopened):
            new = {K + "closed": None}
        return {**case, **new}


@lru_cache(maxsize=4096)
def _closed(measure: str, themes: tuple[str, ...]) -> dict[str, Any]:
    """What a closed question counted, as its case keeps it (shared, like `case_list`)."""
    return {"measure": measure, "rows": case_list(theme_rows(themes))}


@lru_cache(maxsize=SHARED_DELTAS)
def _deltas(tenant: str, month: str, week: tuple[str, str] | None, themes: tuple[str, ...], measure: str, n: int,
            reason: str = "") -> tuple[Delta, ...]:
    """The cells of `themes` in `month` and, unless None, in `week` (the ISO week and the month of its Thursday);
    `reason`, a gap's reason code, is counted beside `measure`."""
    monthly = tuple(_cell(tenant, month, theme, measure, n, reason) for theme in themes)
    if week is None:
        return monthly
    return (*monthly, *(_week_cell(tenant, *week, theme, measure, n, reason) for theme in themes))


def _inc(measure: str, n: int, reason: str) -> dict[str, int]:
    return {measure: n, f"gaps_{reason}": n} if reason else {measure: n}


@lru_cache(maxsize=SHARED_DELTAS)
def _cell(tenant: str, month: str, theme: str, measure: str, n: int, reason: str) -> Delta:
    return Delta(VIEW, {"tenant": tenant, "month": month, "theme": theme}, _inc(measure, n, reason))


@lru_cache(maxsize=SHARED_DELTAS)
def _week_cell(tenant: str, week: str, month: str, theme: str, measure: str, n: int, reason: str) -> Delta:
    return Delta(WEEKLY, {"tenant": tenant, "month": month, "week": week, "theme": theme}, _inc(measure, n, reason))
