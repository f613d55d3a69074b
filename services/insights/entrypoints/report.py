"""An HTML report for policy makers: charts of the suppressed answers of InsightsService, readable offline.

Only what the API answers is drawn (the API only ever answers suppressed tables); a hidden count is left out of the
chart and named in the sentence under it. plotly.js is embedded once, so the file opens without a network.

People read it, so it names things as they do: themes, barriers and channels by their Dutch labels
(contracts/taxonomies), languages by their Dutch names, offices by their name, services and organisations by the name
the catalogue gives them (`Names`, from the catalogue's HSDS export fetched by the `report` command as the same policy
user: InsightsService itself calls no other service and its answers keep the ids).
"""
from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go

from contracts import taxonomy
from contracts.tenants import MUNICIPALITIES


@dataclass(frozen=True)
class Names:
    """Services and organisations by id, as the catalogue names them (public facts)."""

    services: dict[str, str] = field(default_factory=dict)
    organisations: dict[str, str] = field(default_factory=dict)

    def service(self, sid: str) -> str:
        return self.services.get(sid) or "een dienst die niet (meer) in de catalogus staat"

    def organisation(self, oid: str) -> str:
        return self.organisations.get(oid) or "een organisatie die niet (meer) in de catalogus staat"

    def mentioned(self, service: str) -> str:
        """A signal names a service by catalogue id or by a label the bridge worker typed."""
        return self.services.get(service, service)


NO_NAMES = Names()


def _label(tax: taxonomy.Taxonomy, code: str) -> str:
    try:
        return tax.label(code, "nl")
    except KeyError:
        return code


def theme(code: str) -> str:
    return {"*": "alle thema's", "": "geen thema"}.get(code) or _label(taxonomy.themes(), code)


def barrier(code: str) -> str:
    return "geen drempel" if not code else _label(taxonomy.barriers(), code)


def channel(code: str) -> str:
    return _label(taxonomy.channels(), code)


def language(code: str) -> str:
    if code == "*":
        return "alle talen"
    try:
        return taxonomy.language_label(code, "nl")
    except (KeyError, ValueError):
        return code


def office(slug: str) -> str:
    """An office as people say it: its id is a readable slug ("huis-van-de-kortrijkzaan")."""
    if slug in ("*", ""):
        return "alle kantoren"
    small = {"van", "de", "der", "den", "het", "en"}
    return " ".join(w if (i and w in small) else w[:1].upper() + w[1:] for i, w in enumerate(slug.split("-")))


def _figure(title: str, series: dict[str, dict[str, int]], kind: str) -> go.Figure:
    fig = go.Figure()
    for name, points in sorted(series.items()):
        xs = sorted(points)
        trace = go.Scatter(x=xs, y=[points[x] for x in xs], name=name, mode="lines+markers") if kind == "line" \
            else go.Bar(x=xs, y=[points[x] for x in xs], name=name)
        fig.add_trace(trace)
    fig.update_layout(title=title, barmode="stack", template="plotly_white", height=420)
    fig.update_xaxes(type="category")  # months and offices are labels, never dates or numbers on a scale
    return fig


def themes_chart(reply: Any) -> tuple[go.Figure, int]:
    series: dict[str, dict[str, int]] = defaultdict(dict)
    for r in reply.rows:
        if not r.suppressed:
            series[theme(r.theme)][r.month] = r.questions
    return _figure("Vragen per thema en per maand", series, "line"), sum(r.suppressed for r in reply.rows)


def channels_chart(reply: Any) -> tuple[go.Figure, int]:
    series: dict[str, dict[str, int]] = defaultdict(dict)
    for r in reply.rows:
        if not r.suppressed:
            per_office = series[channel(r.channel)]
            per_office[office(r.office)] = per_office.get(office(r.office), 0) + r.questions
    return _figure("Kanalen per kantoor (alle maanden)", series, "bar"), sum(r.suppressed for r in reply.rows)


def languages_chart(reply: Any) -> tuple[go.Figure, int]:
    series: dict[str, dict[str, int]] = defaultdict(dict)
    for r in reply.rows:
        for name, value, hidden in (("vragen", r.questions, r.suppressed),
                                    ("tolk nodig", r.interpreter_needed, r.interpreter_needed_suppressed),
                                    ("niet in eigen taal geholpen", r.uncovered, r.uncovered_suppressed)):
            if not hidden:
                series[name][language(r.language)] = series[name].get(language(r.language), 0) + value
    fig = _figure("Gesproken talen: vragen, tolk nodig, niet in eigen taal geholpen", series, "bar")
    fig.update_layout(barmode="group")
    hidden = sum(r.suppressed + r.interpreter_needed_suppressed + r.uncovered_suppressed for r in reply.rows)
    return fig, hidden


SENTENCES = (
    "Hoeveel vragen nieuwkomers per maand stelden, per thema; een vraag kan over meer dan één thema gaan.",
    "Langs welke kanalen nieuwkomers de brugfiguren bereikten, per kantoor, opgeteld over de maanden.",
    "Welke talen nieuwkomers spreken, hoe vaak een tolk nodig was en hoe vaak iemand geholpen werd in een taal die "
    "hij of zij niet spreekt; wie twee talen spreekt, telt bij beide.",
)


def table_section(title: str, sentence: str, header: list[str], rows: list[list[str]]) -> str:
    """A section with a plain table (hidden counts as "<k"): for answers with more measures than a chart shows well."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (f'<section class="table"><h2>{html.escape(title)}</h2><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table><p>{html.escape(sentence)}</p></section>")


def _count(c: Any, threshold: int) -> str:
    return f"<{threshold}" if c.suppressed else str(c.value)


NEEDS = (("registered", "geregistreerd"), ("informed", "geïnformeerd"), ("referred", "doorverwezen"),
         ("accompanied", "begeleid"), ("resolved", "opgelost"), ("unresolved", "niet opgelost"),
         ("gaps", "hiaat in het aanbod"))


GAP_REASONS = {"no-service": "geen dienst biedt het aan", "no-capacity": "volzet of wachtlijst",
               "not-eligible": "voorwaarden sluiten uit", "language": "niet in een taal die de nieuwkomer begrijpt",
               "cost": "te duur", "not-reachable": "niet bereikbaar (afstand, vervoer, openingsuren)",
               "digital-only": "enkel online", "other": "andere reden", "unrecorded": "niet geregistreerd"}


def needs_section(reply: Any) -> str:
    k = reply.threshold or 5
    rows = [[theme(r.theme), r.period, *(_count(getattr(r, m), k) for m, _ in NEEDS)]
            for r in [*reply.rows, reply.total]]
    reasons = [[theme(r.theme), r.period, GAP_REASONS.get(r.reason, r.reason), _count(r.gaps, k)]
               for r in reply.gap_reasons]
    return "".join((table_section(
        "Onbeantwoorde noden per thema", "Per thema en per maand van registratie: hoeveel vragen geïnformeerd, "
        "doorverwezen (in de maand van de doorverwijzing), begeleid, opgelost of niet opgelost werden, en voor hoeveel "
        "er geen aanbod in de stad bleek (hiaat). Een vraag kan over meer dan één thema gaan; * telt elke vraag één keer.",
        ["thema", "periode", *(label for _, label in NEEDS)], rows),
        table_section("Waarom er geen aanbod was", "De hiaten per thema volgens de reden die de brugfiguur koos; de "
                      "redenen van een thema tellen op tot zijn hiaten, * telt elke vraag één keer.",
                      ["thema", "periode", "reden", "hiaten"], reasons)))


REASONS = {"not-eligible": "voorwaarden sluiten uit", "no-capacity": "geen plaats", "language": "taal",
           "out-of-area": "buiten het werkgebied", "service-not-offered": "dienst niet aangeboden",
           "referred-elsewhere": "elders doorverwezen", "could-not-contact": "geen contact gekregen",
           "client-did-not-show": "niet komen opdagen", "waiting-list-too-long": "wachtlijst te lang",
           "no-longer-interested": "niet langer geïnteresseerd", "barrier-language": "drempel: taal",
           "barrier-cost": "drempel: kosten", "barrier-transport": "drempel: vervoer",
           "barrier-documents": "drempel: documenten", "other": "andere reden"}
ACCESS = (("requested", "gevraagd"), ("accepted", "aanvaard"), ("rejected", "geweigerd"),
          ("completed", "afgerond"), ("failed", "mislukt"), ("accompanied", "met begeleiding"))


def accompanying_section(reply: Any) -> str:
    """Where bridge workers went along, and the time it took (minutes hidden with their count)."""
    k = reply.threshold or 5
    rows = [[office(r.office), channel(r.channel), r.month, _count(r.accompaniments, k),
             "verborgen" if r.minutes_accompanying.suppressed else f"{r.minutes_accompanying.value / 60:.1f}"]
            for r in reply.rows if r.accompaniments.value or r.accompaniments.suppressed]
    total = reply.minutes_accompanying
    rows.append(["totaal", "", "", _count(reply.accompaniments, k),
                 "verborgen" if total.suppressed else f"{total.value / 60:.1f}"])
    return table_section("Tijd besteed aan begeleiden", "Hoe vaak een brugfiguur met de nieuwkomer meeging naar een "
                         "dienst, in de maand waarin dat gebeurde, per kantoor en kanaal van de vraag, en hoeveel uur "
                         "dat kostte (verplaatsing inbegrepen): waar ligt de grens van de opdracht?",
                         ["kantoor", "kanaal", "maand", "keer begeleid", "uren"], rows)


def _chart(fig: go.Figure, sentence: str = "") -> str:
    """A chart of a later section (plotly.js is already in the page, with the first chart)."""
    note = f"<p>{html.escape(sentence)}</p>" if sentence else ""
    return f'<section class="chart">{fig.to_html(full_html=False, include_plotlyjs=False)}{note}</section>'


def _hidden_note(hidden: int, threshold: int) -> str:
    return f"{hidden} aantallen onder {threshold} (of waaruit die af te leiden zijn) worden niet getoond." \
        if hidden else ""


def access_chart(reply: Any, names: Names = NO_NAMES) -> str:
    """Per service, its referrals by status, summed over the periods where shown ("" without any referral)."""
    series: dict[str, dict[str, int]] = defaultdict(dict)
    hidden = 0
    for r in reply.rows:
        for m, label in ACCESS[:5]:
            c = getattr(r, m)
            hidden += c.suppressed
            if not c.suppressed and c.value:
                service = names.service(r.service_id)
                series[label][service] = series[label].get(service, 0) + c.value
    if not series:
        return ""
    fig = _figure("Doorverwijzingen per dienst: gevraagd, aanvaard, geweigerd, afgerond, mislukt", series, "bar")
    fig.update_layout(barmode="group")
    return _chart(fig, "Waar geraken nieuwkomers binnen, en waar niet? " + _hidden_note(hidden, reply.threshold or 5))


def gaps_chart(reply: Any, most: int = 15) -> str:
    """The `most` largest visible gaps (theme · language, · office), coloured by what the catalogue offers."""
    supply = {"none": "geen aanbod in die taal", "no-capacity": "enkel volzette diensten"}
    series: dict[str, dict[str, int]] = defaultdict(dict)
    shown = [g for g in reply.gaps if not g.questions.suppressed and g.questions.value][:most]
    for g in shown:
        where = " · ".join(x for x in (theme(g.theme), language(g.language),
                                       "" if g.office == "*" else office(g.office)) if x)
        series[supply.get(g.supply, g.supply)][where] = g.questions.value
    if not series:
        return ""
    hidden = sum(g.questions.suppressed for g in reply.gaps)
    return _chart(_figure(f"De {len(shown)} grootste hiaten: vragen zonder passend aanbod", series, "bar"),
                  _hidden_note(hidden, reply.threshold or 5))


def access_section(reply: Any, names: Names = NO_NAMES) -> str:
    k = reply.threshold or 5
    rows = [[names.organisation(r.organization_id) if r.organization_id else "totaal",
             names.service(r.service_id) if r.service_id else "", r.period, *(_count(getattr(r, m), k) for m, _ in ACCESS),
             "" if r.share_accompanied < 0 else f"{r.share_accompanied:.0%}", r.median_days_to_acceptance,
             r.median_days_to_completion] for r in [*reply.rows, reply.total]]
    kinds = {"rejected": "geweigerd", "failed": "mislukt"}
    reasons = [[names.service(r.service_id), kinds.get(r.kind, r.kind), REASONS.get(r.reason, r.reason), r.period,
                _count(r.referrals, k)] for r in reply.reasons]
    languages = [[names.service(x.service_id), language(x.language), _count(x.asked, k), "ja" if x.offered else "nee"]
                 for x in reply.languages]
    return "".join((
        access_chart(reply, names),
        table_section("Toegankelijkheid van diensten", "Doorverwijzingen per dienst en per maand van de aanvraag; "
                      "de mediaan (in dagen sinds de aanvraag) is de klasse waarin de middelste doorverwijzing valt.",
                      ["organisatie", "dienst", "periode", *(label for _, label in ACCESS), "aandeel met begeleiding",
                       "mediaan dagen tot aanvaard", "mediaan dagen tot afgerond"], rows),
        table_section("Waarom doorverwijzingen niet lukten", "Redencodes van weigeringen en mislukkingen.",
                      ["dienst", "soort", "reden", "periode", "aantal"], reasons),
        table_section("Talen: gevraagd en aangeboden", "Talen die doorverwezen nieuwkomers spreken, en of de dienst "
                      "die taal vandaag in de catalogus aanbiedt.", ["dienst", "taal", "gevraagd", "aangeboden"],
                      languages)))


def alone_section(reply: Any) -> str:
    k = reply.threshold or 5
    rows = [[r.cohort, r.period, _count(r.completed, k), _count(r.went_alone, k),
             "" if r.share_went_alone < 0 else f"{r.share_went_alone:.0%}"] for r in [*reply.rows, reply.total]]
    return table_section("Zelfredzaamheid", "Nieuwkomers die terugkomen: hun latere doorverwijzingen (aangevraagd na "
                         "de dag van hun eerste bezoek) per cohorte (maand van het eerste bezoek) en maand van de "
                         "aanvraag, en hoe vaak ze er alleen naartoe gingen, zonder brugfiguur.",
                         ["cohorte", "periode", "afgerond", "alleen gegaan", "aandeel alleen"], rows)


def gaps_section(reply: Any) -> str:
    k = reply.threshold or 5
    supply = {"none": "geen aanbod in die taal", "no-capacity": "enkel volzette diensten"}
    rows = [[theme(g.theme), language(g.language), office(g.office), _count(g.questions, k),
             supply.get(g.supply, g.supply),
             str(g.services_full)] for g in reply.gaps]
    return gaps_chart(reply) + table_section("Hiaten in het aanbod", "Thema's en talen waarvoor nieuwkomers vragen stelden, maar geen "
                         "actieve dienst in de catalogus dat thema in hun taal aanbiedt, of enkel diensten zonder vrije "
                         "plaats; de meeste vragen eerst.",
                         ["thema", "taal", "kantoor", "vragen", "aanbod", "volzette diensten"], rows)


MEASURES = {"questions": "vragen", "failed": "mislukte doorverwijzingen", "signals": "signalen"}


def barriers_section(reply: Any, names: Names = NO_NAMES) -> str:
    """Per barrier a chart of the questions it held back (the visible totals) and a table of every count."""
    k = reply.threshold or 5
    totals = {barrier_or_reason(b.barrier): b.questions.value for b in reply.barriers
              if not b.questions.suppressed and b.questions.value}
    chart = ""
    if totals:
        chart = _chart(_figure("Vragen per drempel (elke vraag één keer per drempel)", {"vragen": totals}, "bar"))
    rows = []
    for b in reply.barriers:
        name = barrier_or_reason(b.barrier)
        rows += [[name, MEASURES["questions"], theme(r.theme), r.period, _count(r.questions, k)] for r in b.themes]
        rows.append([name, MEASURES["questions"], theme("*"), "", _count(b.questions, k)])
        rows += [[name, MEASURES["failed"], names.service(r.service_id), r.period, _count(r.referrals, k)]
                 for r in b.failed]
        rows += [[name, MEASURES["signals"], names.mentioned(r.service), r.period, _count(r.signals, k)]
                 for r in b.signals]
    return chart + table_section(
        "Drempels", "Per drempel: vragen per thema en maand van registratie (* telt elke vraag één keer), "
        "doorverwijzingen die om die drempel mislukten per dienst en maand van de aanvraag, en signalen die de dienst "
        "en de drempel noemen.", ["drempel", "wat", "thema of dienst", "periode", "aantal"], rows)


def barrier_or_reason(code: str) -> str:
    """A barrier's label; a failure reason without a barrier code in words."""
    return barrier(code) if code in taxonomy.barriers() else REASONS.get(code, code)


def signals_section(reply: Any) -> str:
    """Counts of signals only: their texts are for the signals list (ListSignals), never in this report."""
    k = reply.threshold or 5
    rows = [[theme(r.theme), barrier(r.barrier) if r.barrier != "*" else "alle drempels", r.period,
             _count(r.signals, k)] for r in reply.rows]
    return table_section("Signalen aan het beleid", "Signalen van brugfiguren per thema, drempel en maand; een signaal "
                         "telt bij elk thema en elke drempel die het noemt, het totaal telt elk signaal één keer.",
                         ["thema", "drempel", "periode", "signalen"],
                         [*rows, ["totaal", "", "", _count(reply.total, k)]])


def coverage_rows(reply: Any) -> list[list[str]]:
    """A LanguageCoverage answer as rows (language, period, questions, interpreter needed, no one covers, bridge
    workers, offices, services, covered nowhere): each row with its language's offer now, the total last."""
    k, offer = reply.threshold or 5, {o.language: o for o in reply.offer}

    def supply(language: str) -> list[str]:
        if (o := offer.get(language)) is None:
            return ["", "", "", ""]
        return [str(o.bridge_workers), str(o.offices), str(o.services), "ja" if o.covered_nowhere else "nee"]

    return [[language(r.language), r.period, *(_count(getattr(r, m), k) for m in ("questions", "interpreter_needed",
                                                                          "no_one_covers")), *supply(r.language)]
            for r in [*reply.rows, reply.total]]


def coverage_section(reply: Any) -> str:
    return table_section(
        "Taaldekking", "Per taal die nieuwkomers spreken en per maand van registratie: hoeveel vragen, hoe vaak een "
        "tolk nodig was, en hoeveel vragen niemand in die taal kon opvangen: geen brugfiguur op het kantoor van de "
        "vraag spreekt ze en geen actieve dienst in de stad biedt ze aan. Daarnaast het aanbod vandaag: brugfiguren "
        "die de taal spreken, op hoeveel kantoren, en actieve diensten. Wie twee talen spreekt, telt bij beide.",
        ["taal", "periode", "vragen", "tolk nodig", "door niemand gedekt", "brugfiguren", "kantoren", "diensten",
         "nergens aangeboden"], coverage_rows(reply))


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; margin: 0 auto;
       max-width: 70rem; padding: 1rem 1.5rem 3rem; line-height: 1.5; }
h1 { font-size: 1.8rem; margin-bottom: .25rem; } h2 { font-size: 1.3rem; margin: 2rem 0 .5rem;
       border-bottom: 2px solid #0b4f8a; padding-bottom: .2rem; }
.lead { color: #4a4a4a; } section { margin-bottom: 1.5rem; break-inside: avoid-page; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #c8c8c8; vertical-align: top; }
th { background: #f2f5f8; } tbody tr:nth-child(even) { background: #fafbfc; }
td:not(:first-child) { font-variant-numeric: tabular-nums; }
section.table { overflow-x: auto; } section p { color: #4a4a4a; font-size: .9rem; }
@media print { body { max-width: none; padding: 0; } table { font-size: 8pt; } }
"""


def render(tenant: str, themes: Any, workload: Any, languages: Any, needs: Any = None, access: Any = None,
           alone: Any = None, gaps: Any = None, barriers: Any = None, signals: Any = None,
           coverage: Any = None, names: Names = NO_NAMES) -> str:
    """The whole report as one HTML page (the sections of the later views only when their answers are given)."""
    threshold = themes.threshold or 5
    parts = []
    for i, ((fig, hidden), sentence) in enumerate(zip(
            (themes_chart(themes), channels_chart(workload), languages_chart(languages)), SENTENCES, strict=True)):
        note = " " + _hidden_note(hidden, threshold) if hidden else ""
        parts.append(f'<section class="chart">{fig.to_html(full_html=False, include_plotlyjs=(i == 0))}'
                     f"<p>{html.escape(sentence + note)}</p></section>")
    parts.append(accompanying_section(workload))
    sections = ((needs, needs_section), (access, lambda r: access_section(r, names)), (alone, alone_section),
                (gaps, gaps_section), (coverage, coverage_section), (barriers, lambda r: barriers_section(r, names)),
                (signals, signals_section))
    parts += [section(reply) for reply, section in sections if reply is not None]
    name = html.escape(MUNICIPALITIES.get(tenant, tenant))
    total = "verborgen" if themes.total_suppressed else str(themes.total)
    return (f'<!doctype html><html lang="nl"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>Wegwijs — {name}</title>'
            f"<style>{STYLE}</style></head><body><h1>Wegwijs — inzichten voor {name}</h1>"
            f'<p class="lead">Totaal aantal vragen: {total}. Aantallen kleiner dan {threshold} worden nooit getoond '
            f"(in de tabellen staat dan &lt;{threshold}); de grafieken tekenen enkel de zichtbare aantallen.</p>"
            f"{''.join(parts)}</body></html>")
