"""The insight answers as tables people read: Dutch (or French, English) labels for themes, barriers, channels and
languages, services and organisations by name, and a hidden count shown as "<5" (the API's threshold) the same way
in every table, chart and CSV. Pure: answers in, tables out (`pages/policy.py` fetches and renders them).

A chart is drawn from the visible counts only: a hidden cell is left out of it (never guessed), and the number of
cells left out is said under the chart.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from services.web import labels
from services.web.i18n import Language
from services.web.names import Names
from services.web.words import N_


# Codes the answers carry that the tables show translated (measures, periods, reasons without a barrier label).
WORDS = (N_("registered"), N_("informed"), N_("referred"), N_("accompanied"), N_("resolved"), N_("unresolved"),
         N_("gaps"), N_("requested"), N_("accepted"), N_("rejected"), N_("completed"), N_("failed"), N_("week"),
         N_("month"), N_("quarter"), N_("unrecorded"), N_("went alone"), N_("questions"), N_("no one covers"),
         N_("yes"), N_("no"))


@dataclass(frozen=True)
class Cell:
    text: str
    value: float | None = None  # the visible number; None for a label or a hidden count

    @property
    def hidden(self) -> bool:
        return self.text.startswith("<")


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: dict[str, Any] | None = None
    hidden: int = 0  # hidden counts in the table (named under its chart)

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.columns)
        writer.writerows([c.text for c in row] for row in self.rows)
        return out.getvalue()


class Reader:
    """Turns counts of one answer into cells: hidden as "<threshold", visible as the number."""

    def __init__(self, threshold: int, lang: Language, names: Names) -> None:
        self.threshold, self.lang, self.names = threshold, lang, names
        self.hidden = 0

    def count(self, value: int, suppressed: bool = False) -> Cell:
        if suppressed or value < 0:
            self.hidden += 1
            return Cell(f"<{self.threshold}")
        return Cell(str(value), float(value))

    def of(self, c: Any) -> Cell:
        """A `Count` message."""
        return self.count(c.value, c.suppressed)

    def share(self, value: float) -> Cell:
        return Cell("", None) if value < 0 else Cell(f"{value * 100:.0f}%", round(value * 100))

    def label(self, text: str) -> Cell:
        return Cell(text)

    def theme(self, code: str) -> Cell:
        if code in ("*", ""):
            return Cell(self.lang.gettext(N_("all themes") if code == "*" else N_("no theme")))
        return Cell(labels.theme(code, self.lang.code))

    def barrier(self, code: str) -> Cell:
        if not code:
            return Cell(self.lang.gettext(N_("no barrier")))
        named = labels.barrier(code, self.lang.code)
        return Cell(named if named != code else self.lang.gettext(code))

    def language(self, code: str) -> Cell:
        if code == "*":
            return Cell(self.lang.gettext(N_("all languages")))
        return Cell(labels.language(code, self.lang.code))

    def channel(self, code: str) -> Cell:
        return Cell(labels.channel(code, self.lang.code))

    def office(self, office: str) -> Cell:
        return Cell(office_name(office, self.lang))

    def reason(self, code: str) -> Cell:
        return Cell(self.lang.gettext(code))


def office_name(office: str, lang: Language) -> str:
    """An office as people say it: its id is a readable slug ("huis-van-de-kortrijkzaan")."""
    if office in ("*", ""):
        return lang.gettext(N_("all offices"))
    words = office.replace("-", " ").split()
    small = {"van", "de", "der", "den", "het", "la", "le", "du", "des", "en"}
    return " ".join(w if (i and w in small) else w[:1].upper() + w[1:] for i, w in enumerate(words))


def bar_chart(title: str, categories: Iterable[str], series: dict[str, list[float | None]], stacked: bool = True,
              horizontal: bool = False) -> dict[str, Any]:
    """A plotly figure (data + layout) of visible counts: a hidden value is None, drawn as nothing."""
    cats = list(categories)
    data = []
    for name, values in series.items():
        xs, ys = (values, cats) if horizontal else (cats, values)
        data.append({"type": "bar", "name": name, "x": xs, "y": ys, "orientation": "h" if horizontal else "v",
                     "hovertemplate": "%{fullData.name}: %{" + ("x" if horizontal else "y") + "}<extra></extra>"})
    layout = {"title": {"text": title}, "barmode": "stack" if stacked else "group",
              "margin": {"l": 200 if horizontal else 50, "r": 10, "t": 40, "b": 80},
              "legend": {"orientation": "h"}, "height": max(320, 24 * len(cats) + 120) if horizontal else 360,
              # months, periods, services: labels, never dates or numbers on a scale
              "yaxis": {"automargin": True, **({"type": "category"} if horizontal else {})},
              "xaxis": {"automargin": True, **({} if horizontal else {"type": "category"})}}
    return {"data": data, "layout": layout}


def _series(rows: list[tuple[str, str, Cell]]) -> tuple[list[str], dict[str, list[float | None]]]:
    """(category, series, cell) → the categories in order and per series the visible values."""
    cats = list(dict.fromkeys(c for c, _, _ in rows))
    where = {c: i for i, c in enumerate(cats)}
    out: dict[str, list[float | None]] = {}
    for cat, name, cell in rows:  # the visible counts of a category added up; a hidden one adds nothing
        values = out.setdefault(name, [None] * len(cats))
        if cell.value is not None:
            values[where[cat]] = (values[where[cat]] or 0) + cell.value
    return cats, out


Builder = Callable[[Any, Language, Names], list[Table]]


def questions_per_theme(answer: Any, lang: Language, names: Names) -> list[Table]:
    r = Reader(answer.threshold, lang, names)
    g = lang.gettext
    table = Table(g(N_("Questions per theme and month")), [g(N_("theme")), g(N_("month")), g(N_("questions"))])
    points = []
    for row in sorted(answer.rows, key=lambda x: (x.month, x.theme)):
        cell = r.count(row.questions, row.suppressed)
        table.rows.append([r.theme(row.theme), Cell(row.month), cell])
        if "." not in row.theme and row.theme != "*":
            points.append((row.month, r.theme(row.theme).text, cell))
    table.rows.append([Cell(g(N_("total"))), Cell(""), r.count(answer.total, answer.total_suppressed)])
    cats, series = _series(points)
    table.chart, table.hidden = bar_chart(g(N_("Questions per month, by theme")), cats, series), r.hidden
    return [table]


def unmet_needs(answer: Any, lang: Language, names: Names) -> list[Table]:
    r = Reader(answer.threshold, lang, names)
    g = lang.gettext
    measures = ("registered", "informed", "referred", "accompanied", "resolved", "unresolved", "gaps")
    needs = Table(g(N_("Unmet needs per theme and period")),
                  [g(N_("theme")), g(N_("period")), *(g(m) for m in measures)])
    points = []
    for row in sorted(answer.rows, key=lambda x: (x.period, x.theme)):
        cells = [r.of(getattr(row, m)) for m in measures]
        needs.rows.append([r.theme(row.theme), Cell(row.period), *cells])
        points.append((r.theme(row.theme).text, g("unresolved"), cells[5]))
        points.append((r.theme(row.theme).text, g("gaps"), cells[6]))
    needs.rows.append([r.theme("*"), Cell(g(N_("total"))), *(r.of(getattr(answer.total, m)) for m in measures)])
    needs.hidden = r.hidden
    totals = [(r.theme(row.theme).text, g(m), r.of(getattr(row, m))) for row in answer.rows if row.theme != "*"
              for m in ("resolved", "unresolved") if row.period == max((x.period for x in answer.rows), default="")]
    cats, series = _series(totals)
    needs.chart = bar_chart(g(N_("Resolved and unresolved questions per theme, latest period")), cats, series,
                            horizontal=True)
    r2 = Reader(answer.threshold, lang, names)
    reasons = Table(g(N_("Gaps in the offer by reason")),
                    [g(N_("theme")), g(N_("period")), g(N_("reason")), g(N_("gaps"))])
    points = []
    for row in sorted(answer.gap_reasons, key=lambda x: (x.period, x.theme, x.reason)):
        cell = r2.of(row.gaps)
        reasons.rows.append([r2.theme(row.theme), Cell(row.period), r2.reason(row.reason), cell])
        if row.theme == "*":
            points.append((row.period, r2.reason(row.reason).text, cell))
    cats, series = _series(points)
    reasons.chart, reasons.hidden = bar_chart(g(N_("Gaps per period, by reason")), cats, series), r2.hidden
    return [needs, reasons]


def gaps_in_offer(answer: Any, lang: Language, names: Names) -> list[Table]:
    r = Reader(answer.threshold, lang, names)
    g = lang.gettext
    table = Table(g(N_("Where the offer falls short: theme and language without a service")),
                  [g(N_("theme")), g(N_("language")), g(N_("office")), g(N_("questions")), g(N_("offer")),
                   g(N_("full services"))])
    points = []
    for gap in answer.gaps:
        cell = r.of(gap.questions)
        supply = g(N_("no service")) if gap.supply == "none" else g(N_("only full services"))
        table.rows.append([r.theme(gap.theme), r.language(gap.language), r.office(gap.office), cell, Cell(supply),
                           Cell(str(gap.services_full), float(gap.services_full))])
        if cell.value is not None and len(points) < 15:
            points.append((f"{r.theme(gap.theme).text} · {r.language(gap.language).text}"
                           + ("" if gap.office == "*" else f" · {r.office(gap.office).text}"), g("questions"), cell))
    cats, series = _series(points)
    table.chart = bar_chart(g(N_("The 15 largest visible gaps")), cats, series, horizontal=True)
    table.hidden = r.hidden
    return [table]


def service_access(answer: Any, lang: Language, names: Names) -> list[Table]:
    r = Reader(answer.threshold, lang, names)
    g = lang.gettext
    statuses = ("requested", "accepted", "rejected", "completed", "failed")
    table = Table(g(N_("Referrals per service and period")),
                  [g(N_("organisation")), g(N_("service")), g(N_("period")), *(g(s) for s in statuses),
                   g(N_("accompanied")), g(N_("median days to acceptance")), g(N_("median days to completion")),
                   g(N_("share accompanied"))])
    points = []
    for row in sorted(answer.rows, key=lambda x: (names.service(x.service_id, lang), x.period)):
        cells = [r.of(getattr(row, s)) for s in statuses]
        service = names.service(row.service_id, lang)
        table.rows.append([Cell(names.organisation(row.organization_id, lang)), Cell(service), Cell(row.period),
                           *cells, r.of(row.accompanied), Cell(row.median_days_to_acceptance),
                           Cell(row.median_days_to_completion), r.share(row.share_accompanied)])
        points += [(f"{service} ({row.period})", g(s), c) for s, c in zip(statuses[1:], cells[1:], strict=True)]
    t = answer.total
    table.rows.append([Cell(g(N_("total"))), Cell(""), Cell(""), *(r.of(getattr(t, s)) for s in statuses),
                       r.of(t.accompanied), Cell(t.median_days_to_acceptance), Cell(t.median_days_to_completion),
                       r.share(t.share_accompanied)])
    cats, series = _series(points)
    table.chart, table.hidden = bar_chart(g(N_("Referrals per service by status")), cats, series,
                                          horizontal=True), r.hidden
    r2 = Reader(answer.threshold, lang, names)
    reasons = Table(g(N_("Why referrals were rejected or failed")),
                    [g(N_("organisation")), g(N_("service")), g(N_("period")), g(N_("status")), g(N_("reason")),
                     g(N_("referrals"))])
    for row in answer.reasons:
        reasons.rows.append([Cell(names.organisation(row.organization_id, lang)),
                             Cell(names.service(row.service_id, lang)), Cell(row.period), Cell(g(row.kind)),
                             r2.reason(row.reason), r2.of(row.referrals)])
    reasons.hidden = r2.hidden
    r3 = Reader(answer.threshold, lang, names)
    languages = Table(g(N_("Languages of referred clients, asked and offered")),
                      [g(N_("service")), g(N_("language")), g(N_("asked")), g(N_("offered"))])
    for row in answer.languages:
        languages.rows.append([Cell(names.service(row.service_id, lang)), r3.language(row.language),
                               r3.of(row.asked), Cell(g(N_("yes")) if row.offered else g(N_("no")))])
    languages.hidden = r3.hidden
    return [table, reasons, languages]


def self_reliance(answer: Any, lang: Language, names: Names) -> list[Table]:
    r = Reader(answer.threshold, lang, names)
    g = lang.gettext
    table = Table(g(N_("Returning clients' later referrals: completed, and went alone")),
                  [g(N_("first visit")), g(N_("period")), g(N_("completed")), g(N_("went alone")),
                   g(N_("share went alone"))])
    points = []
    for row in sorted(answer.rows, key=lambda x: (x.cohort, x.period)):
        done, alone = r.of(row.completed), r.of(row.went_alone)
        table.rows.append([Cell(row.cohort), Cell(row.period), done, alone, r.share(row.share_went_alone)])
        points += [(row.cohort, g("completed"), done), (row.cohort, g("went alone"), alone)]
    t = answer.total
    table.rows.append([Cell(g(N_("total"))), Cell(""), r.of(t.completed), r.of(t.went_alone),
                       r.share(t.share_went_alone)])
    cats, series = _series(points)
    table.chart = bar_chart(g(N_("Later referrals per month of first visit")), cats, series, stacked=False)
    table.hidden = r.hidden
    return [table]


def language_coverage(answer: Any, lang: Language, names: Names) -> list[Table]:
    r = Reader(answer.threshold, lang, names)
    g = lang.gettext
    table = Table(g(N_("Languages newcomers speak: questions, interpreter, no one covers")),
                  [g(N_("language")), g(N_("period")), g(N_("questions")), g(N_("interpreter needed")),
                   g(N_("no one covers"))])
    points = []
    for row in answer.rows:
        cells = [r.of(row.questions), r.of(row.interpreter_needed), r.of(row.no_one_covers)]
        table.rows.append([r.language(row.language), Cell(row.period), *cells])
        points += [(r.language(row.language).text, g("questions"), cells[0]),
                   (r.language(row.language).text, g("no one covers"), cells[2])]
    t = answer.total
    table.rows.append([r.language("*"), Cell(""), r.of(t.questions), r.of(t.interpreter_needed),
                       r.of(t.no_one_covers)])
    cats, series = _series(points)
    table.chart = bar_chart(g(N_("Questions per language (visible periods)")), cats, series, stacked=False,
                            horizontal=True)
    table.hidden = r.hidden
    offer = Table(g(N_("The offer in each language now")),
                  [g(N_("language")), g(N_("bridge workers")), g(N_("offices")), g(N_("services")),
                   g(N_("covered nowhere"))])
    for o in answer.offer:
        offer.rows.append([r.language(o.language), Cell(str(o.bridge_workers), o.bridge_workers),
                           Cell(str(o.offices), o.offices), Cell(str(o.services), o.services),
                           Cell(g(N_("yes")) if o.covered_nowhere else g(N_("no")))])
    return [table, offer]


def language_demand(answer: Any, lang: Language, names: Names) -> list[Table]:
    r = Reader(answer.threshold, lang, names)
    g = lang.gettext
    table = Table(g(N_("Languages per month: questions, interpreter, helped in another language")),
                  [g(N_("language")), g(N_("month")), g(N_("questions")), g(N_("interpreter needed")),
                   g(N_("helped in another language"))])
    for row in answer.rows:
        table.rows.append([r.language(row.language), Cell(row.month), r.count(row.questions, row.suppressed),
                           r.count(row.interpreter_needed, row.interpreter_needed_suppressed),
                           r.count(row.uncovered, row.uncovered_suppressed)])
    t = answer.total
    table.rows.append([r.language("*"), Cell(""), r.count(t.questions, t.suppressed),
                       r.count(t.interpreter_needed, t.interpreter_needed_suppressed),
                       r.count(t.uncovered, t.uncovered_suppressed)])
    table.hidden = r.hidden
    return [table]


def barriers(answer: Any, lang: Language, names: Names) -> list[Table]:
    r = Reader(answer.threshold, lang, names)
    g = lang.gettext
    themes = Table(g(N_("Questions per barrier and theme")),
                   [g(N_("barrier")), g(N_("theme")), g(N_("period")), g(N_("questions"))])
    failed = Table(g(N_("Referrals that failed for the barrier")),
                   [g(N_("barrier")), g(N_("organisation")), g(N_("service")), g(N_("period")),
                    g(N_("referrals"))])
    signals = Table(g(N_("Signals naming the barrier and a service")),
                    [g(N_("barrier")), g(N_("service")), g(N_("period")), g(N_("signals"))])
    points = []
    for table in answer.barriers:
        barrier = r.barrier(table.barrier)
        for row in table.themes:
            themes.rows.append([barrier, r.theme(row.theme), Cell(row.period), r.of(row.questions)])
        for row in table.failed:
            failed.rows.append([barrier, Cell(names.organisation(row.organization_id, lang)),
                                Cell(names.service(row.service_id, lang)), Cell(row.period), r.of(row.referrals)])
        for row in table.signals:
            signals.rows.append([barrier, Cell(names.mentioned(row.service, lang)), Cell(row.period),
                                 r.of(row.signals)])
        points.append((barrier.text, g("questions"), r.of(table.questions)))
    cats, series = _series(points)
    themes.chart = bar_chart(g(N_("Questions per barrier")), cats, series, horizontal=True)
    themes.hidden = r.hidden
    return [themes, failed, signals]


def signal_counts(answer: Any, lang: Language, names: Names) -> list[Table]:
    r = Reader(answer.threshold, lang, names)
    g = lang.gettext
    table = Table(g(N_("Signals per theme, barrier and period")),
                  [g(N_("theme")), g(N_("barrier")), g(N_("period")), g(N_("signals"))])
    points = []
    for row in sorted(answer.rows, key=lambda x: (x.period, x.theme, x.barrier)):
        cell = r.of(row.signals)
        table.rows.append([r.theme(row.theme), r.barrier(row.barrier), Cell(row.period), cell])
        if row.theme == "*" and row.barrier not in ("*",):
            points.append((row.period, r.barrier(row.barrier).text, cell))
    table.rows.append([Cell(g(N_("total"))), Cell(""), Cell(""), r.of(answer.total)])
    cats, series = _series(points)
    table.chart, table.hidden = bar_chart(g(N_("Signals per period, by barrier")), cats, series), r.hidden
    return [table]


def signal_list(answer: Any, lang: Language, names: Names, office: str = "") -> list[Table]:
    g = lang.gettext
    r = Reader(0, lang, names)
    table = Table(g(N_("Signals reported to policy, newest first")),
                  [g(N_("month")), g(N_("office")), g(N_("themes")), g(N_("barriers")), g(N_("services")),
                   g(N_("signal"))])
    for s in answer.signals:
        if office and s.office_id != office:
            continue
        table.rows.append([Cell(s.month), r.office(s.office_id), Cell(", ".join(r.theme(t).text for t in s.themes)),
                           Cell(", ".join(r.barrier(b).text for b in s.barriers)),
                           Cell(", ".join(names.mentioned(x, lang) for x in s.services)), Cell(s.text)])
    return [table]


def workload(answer: Any, lang: Language, names: Names, office: str = "") -> list[Table]:
    r = Reader(answer.threshold, lang, names)
    g = lang.gettext
    table = Table(g(N_("Questions per office, channel and month; going along")),
                  [g(N_("office")), g(N_("channel")), g(N_("month")), g(N_("questions")),
                   g(N_("times gone along")), g(N_("minutes going along"))])
    points = []
    for row in sorted(answer.rows, key=lambda x: (x.month, x.office, x.channel)):
        if office and row.office != office:
            continue
        cell = r.count(row.questions, row.suppressed)
        table.rows.append([r.office(row.office), r.channel(row.channel), Cell(row.month), cell,
                           r.of(row.accompaniments), r.of(row.minutes_accompanying)])
        points.append((row.month, r.channel(row.channel).text, cell))
    if not office:
        table.rows.append([Cell(g(N_("total"))), Cell(""), Cell(""), r.count(answer.total, answer.total_suppressed),
                           r.of(answer.accompaniments), r.of(answer.minutes_accompanying)])
    cats, series = _series(points)
    table.chart, table.hidden = bar_chart(g(N_("Questions per month, by channel")), cats, series), r.hidden
    return [table]


def offices_of(answer: Any) -> list[str]:
    """The offices a workload answer names (the office filter's choices)."""
    return sorted({row.office for row in answer.rows if row.office})
