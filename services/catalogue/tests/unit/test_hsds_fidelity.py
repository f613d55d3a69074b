"""Issue 15 section 1, as an outsider tries it: HSDS 3.1 documents that use every field the schema defines
(`hsds_documents`) import, are found by every search a bridge worker makes, export field for field and import again
as no change; bad input is refused naming the field, and nothing of the refused object is written.

Export and input are compared after the normalisations `hsds_documents.canon` allows, on both sides alike (list
order, currency case, a language's code from its name); nothing else: ids, nested ids, numbers (17.5 stays 17.5)
and every other field come back as they were.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from contracts.hsds.tabular import from_package
from services.catalogue.adapters import hsds
from services.catalogue.adapters.views_memory import InMemoryViews
from services.catalogue.application.handlers import Deps
from services.catalogue.application.hsds_export import catalogue
from services.catalogue.application.hsds_import import Report
from services.catalogue.application.queries import search_services
from services.catalogue.domain.search import ServiceQuery
from services.catalogue.tests import hsds_documents as d
from services.catalogue.tests.hsds_documents import canon
from services.catalogue.tests.hsds_schema_walk import tabular
from services.catalogue.tests.support import SCHEMAS, TENANT, import_document, outcomes
from services.plumbing.eventstore.memory import InMemoryEventStore

NOW = datetime(2026, 2, 9, 8, 0, tzinfo=UTC)  # a Monday in winter (Brussels is UTC+1)
SHELTER, RESTO = "Nachtopvang De Overzet", "Sociaal restaurant Resto Leie"
FILE_IDS = {d.ORG, d.LOC_SHELTER, d.LOC_RESTO, d.SHELTER, d.RESTO, d.SAL_SHELTER, d.SAL_RESTO}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def deps() -> Deps:
    return Deps(store=InMemoryEventStore(), views=InMemoryViews(), now=lambda: NOW)


async def imported(deps: Deps, tenant: str = TENANT) -> list[Report]:
    return (await import_document(deps, d.organizations(), tenant=tenant)
            + await import_document(deps, d.services(), tenant=tenant))


async def found(deps: Deps, tenant: str = TENANT, **query: Any) -> list[str]:
    result = await search_services(ServiceQuery(tenant=tenant, page_size=100, **query), deps)
    return sorted(h.candidate.record.name for h in result.hits)


async def exported(deps: Deps, kind: str, tenant: str = TENANT) -> list[dict[str, Any]]:
    return hsds.export(kind, await catalogue(tenant, deps))["contents"]


async def typed(deps: Deps, kind: str, tenant: str) -> list[dict[str, Any]]:
    """The records' typed fields (what search and insights use), by id."""
    docs = await deps.views.find(kind, tenant)  # type: ignore[arg-type]
    return [{k: v for k, v in doc["record"].items() if k not in ("hsds_forms", "hsds_extra")}
            for doc in sorted(docs, key=lambda doc: doc["_id"])]


def said(report: Report) -> str:
    return " ".join(report.reasons)


def at(hour: int, minute: int = 0, day: date = NOW.date(), offset: str = "+01:00") -> datetime:
    return datetime.fromisoformat(f"{day.isoformat()}T{hour:02d}:{minute:02d}:00{offset}")


async def test_every_object_of_the_documents_is_created_with_the_files_ids(deps: Deps) -> None:
    reports = await imported(deps)
    assert outcomes(reports) == {"created": 7}, [r for r in reports if r.outcome != "created"]
    assert {r.hsds_id for r in reports} == FILE_IDS


async def test_found_by_language_given_by_code_and_by_name_only(deps: Deps) -> None:
    await imported(deps)
    assert await found(deps, language="fr") == [SHELTER]          # {"name": "French", "code": "fr", "note": ...}
    assert await found(deps, language="en") == [SHELTER]          # {"code": "en"}, no name
    assert await found(deps, language="ar") == [SHELTER]          # {"name": "Arabic"}, no code
    assert await found(deps, language="nl") == [SHELTER, RESTO]
    assert await found(deps, language="ti") == []


async def test_found_by_theme_through_an_airs_term(deps: Deps) -> None:
    await imported(deps)
    assert await found(deps, theme="housing") == [SHELTER]        # AIRS BH-1800.8500 Homeless Shelter, nothing else
    assert await found(deps, theme="education") == []


async def test_an_unmapped_term_is_kept_and_reported(deps: Deps) -> None:
    reports = await imported(deps)
    resto = next(r for r in reports if r.hsds_id == d.RESTO)
    assert d.CITY_CODE in said(resto), resto
    [exported_resto] = [s for s in await exported(deps, "service") if s["id"] == d.RESTO]
    assert exported_resto["attributes"] == d.resto()["attributes"]


@pytest.mark.parametrize(("moment", "expected"), [
    pytest.param(at(10), [SHELTER], id="Monday (MO,WE 09:00-12:00+01:00)"),
    pytest.param(at(10, day=date(2026, 2, 11)), [SHELTER], id="Wednesday"),
    pytest.param(at(10, day=date(2026, 2, 10)), [], id="Tuesday: not a byday"),
    pytest.param(at(12, 30), [], id="Monday after closes_at"),
    pytest.param(at(8, 59), [], id="Monday before opens_at"),
    pytest.param(at(10, day=date(2026, 7, 6), offset="+02:00"), [], id="a Monday after until 2026-06-30"),
    pytest.param(at(18, 30, day=date(2026, 2, 12)), [SHELTER], id="2TH: the second Thursday of February"),
    pytest.param(at(18, 30, day=date(2026, 2, 19)), [], id="the third Thursday"),
    pytest.param(at(19, 30, day=date(2026, 7, 9), offset="+02:00"), [], id="a second Thursday after count 6"),
    pytest.param(at(14, 30, day=date(2026, 7, 17), offset="+02:00"), [SHELTER], id="Friday of week 29 (byweekno)"),
    pytest.param(at(14, 30, day=date(2026, 8, 7), offset="+02:00"), [], id="Friday of week 32"),
    pytest.param(at(12, day=date(2026, 2, 10)), [RESTO], id="Tuesday lunch"),
    pytest.param(at(18, day=date(2026, 2, 28)), [RESTO], id="bymonthday -1: the last day of February"),
    pytest.param(at(18, day=date(2026, 2, 27)), [], id="the day before the last"),
])
async def test_open_at_a_moment_inside_its_rule_and_not_outside(deps: Deps, moment: datetime,
                                                                 expected: list[str]) -> None:
    await imported(deps)
    assert await found(deps, open_at=moment) == expected


@pytest.mark.parametrize(("moment", "expected"), [
    pytest.param(at(10, 30, day=date(2026, 1, 24)), ["Kledingbank"], id="the second Saturday from dtstart"),
    pytest.param(at(10, 30, day=date(2026, 1, 17)), [], id="the Saturday between"),
    pytest.param(at(11, 59, day=date(2026, 2, 7)), ["Kledingbank"], id="the fourth, before closes_at"),
    pytest.param(at(12, 30, day=date(2026, 2, 7)), [], id="the fourth, after closes_at"),
])
async def test_a_service_without_hours_of_its_own_is_open_when_its_location_is(deps: Deps, moment: datetime,
                                                                               expected: list[str]) -> None:
    """The location's schedule: every second Saturday (interval 2, wkst MO) from dtstart 2026-01-10."""
    clothes, link = d.uid("service/kledingbank"), d.uid("sal/kledingbank")
    await imported(deps)
    await import_document(deps, {"id": clothes, "organization_id": d.ORG, "name": "Kledingbank", "status": "active",
                                 "service_at_locations": [{"id": link, "service_id": clothes,
                                                           "location_id": d.LOC_SHELTER}]})
    assert await found(deps, open_at=moment) == expected


async def test_open_on_a_date(deps: Deps) -> None:
    await imported(deps)
    assert await found(deps, open_on=date(2026, 2, 11)) == [SHELTER]
    assert await found(deps, open_on=date(2026, 2, 10)) == [RESTO]
    assert await found(deps, open_on=date(2026, 2, 12)) == [SHELTER, RESTO]
    assert await found(deps, open_on=date(2026, 2, 12), time_from=time(14, 30), time_to=time(17)) == []
    assert await found(deps, open_on=date(2026, 2, 15)) == []     # a Sunday


async def test_free_capacity_and_accessibility(deps: Deps) -> None:
    await imported(deps)
    assert await found(deps, free_only=True) == [SHELTER]         # amount 0, currency "eur"
    assert await found(deps, with_capacity=True) == [SHELTER]     # 6 beds (unit with scheme, identifier, uri)
    assert await found(deps, accessible_only=True) == [SHELTER]   # "Wheelchair accessible entrance ..."
    assert await found(deps, age=17) == [RESTO]                   # minimum_age 17.5
    assert await found(deps) == [SHELTER, RESTO]


async def test_the_export_equals_the_input_field_for_field(deps: Deps) -> None:
    await imported(deps)
    organizations, services = await exported(deps, "organization"), await exported(deps, "service")
    assert canon(organizations) == canon(d.organizations())
    assert canon(services) == canon(d.services())
    shelter = next(s for s in services if s["id"] == d.SHELTER)
    assert shelter["minimum_age"] == 17.5 and shelter["capacities"][0]["unit"]["scheme"] == "SKOS"


async def test_importing_the_export_again_changes_nothing(deps: Deps) -> None:
    await imported(deps)
    again = (await import_document(deps, await exported(deps, "organization"))
             + await import_document(deps, await exported(deps, "service")))
    assert outcomes(again) == {"unchanged": 7}, [r for r in again if r.outcome != "unchanged"]


async def test_the_tabular_form_of_the_same_documents_imports_to_the_same_records(deps: Deps) -> None:
    """The CSV package names each nested row's owner (schedule.service_id, attribute.link_id, ...); nesting implies
    those, so the reader leaves them out: the same data, with the same meaning and the same search answers."""
    await imported(deps, "kortrijk")
    package = tabular([("organization", o) for o in d.organizations()] + [("service", s) for s in d.services()],
                      "onderdak-leie")
    reports = await import_document(deps, [doc for _, doc in from_package(package, SCHEMAS)], tenant="brugge")
    assert outcomes(reports) == {"created": 7}, [r for r in reports if r.outcome != "created"]
    for kind in ("organization", "location", "service"):
        assert await typed(deps, kind, "brugge") == await typed(deps, kind, "kortrijk") != []
    for query in ({"theme": "housing"}, {"language": "ar"}, {"open_at": at(21)}, {"free_only": True}):
        assert await found(deps, "brugge", **query) == await found(deps, "kortrijk", **query), query


async def test_the_same_file_imports_into_two_municipalities_with_its_ids(deps: Deps) -> None:
    assert outcomes(await imported(deps, "kortrijk")) == outcomes(await imported(deps, "brugge")) == {"created": 7}
    for tenant in ("kortrijk", "brugge"):
        assert canon(await exported(deps, "service", tenant)) == canon(d.services())
        assert canon(await exported(deps, "organization", tenant)) == canon(d.organizations())
        assert await found(deps, tenant, language="ar", theme="housing") == [SHELTER]
    await import_document(deps, d.summaries(), tenant="brugge")
    assert await found(deps, "kortrijk", theme="housing") == [SHELTER]
    assert await found(deps, "brugge", theme="housing") == ["Nachtopvang De Overzet (winter)"]


async def test_duplicate_ids_in_one_file_are_reported(deps: Deps) -> None:
    await import_document(deps, d.organizations())
    twice = [d.shelter(), {**d.shelter(), "name": "Nachtopvang (tweede keer)"}]
    reports = [r for r in await import_document(deps, twice) if r.hsds_id == d.SHELTER]
    assert [r.outcome for r in reports] == ["created", "rejected"], reports  # one of them lands, whole
    assert d.SHELTER in said(reports[1])


async def test_error_messages_cite_the_files_ids(deps: Deps) -> None:
    await import_document(deps, d.organizations())
    nowhere = d.uid("location/nowhere")
    resto = d.resto() | {"service_at_locations": [{"id": d.SAL_RESTO, "service_id": d.RESTO, "location_id": nowhere}]}
    reports = await import_document(deps, [d.shelter(), resto])
    refused = [r for r in reports if r.outcome == "rejected"]
    assert refused and any(nowhere in said(r) for r in refused), reports
    cited = {i for r in refused for i in UUID.findall(said(r))}
    assert cited <= FILE_IDS | {nowhere}, cited - FILE_IDS


def _shelter_with(change: Any) -> dict[str, Any]:
    doc = d.shelter()
    change(doc)
    return doc


BAD = {  # case: (change to the night shelter, the words naming the field, all in one reason)
    "byday XX": (lambda s: s["schedules"][0].update(byday="MO,XX"), ("schedules", "byday")),
    "25:00": (lambda s: s["schedules"][0].update(opens_at="25:00"), ("schedules", "opens_at")),
    "opens after closes": (lambda s: s["schedules"][0].update(opens_at="14:00:00+01:00",
                                                               closes_at="09:00:00+01:00"), ("opens_at", "closes_at")),
    "interval 0": (lambda s: s["schedules"][0].update(interval=0), ("schedules", "interval")),
    "unknown language code": (lambda s: s["languages"][3].update(code="zz"), ("languages", "code", "zz")),
    "a name that is no language": (lambda s: s["languages"][2].update(name="Blablabla"),
                                   ("languages", "name", "Blablabla")),
    "currency EURO": (lambda s: s["cost_options"][0].update(currency="EURO"), ("cost_options", "currency")),
    "bad date-time": (lambda s: s.update(last_modified="gisteren om tien uur"), ("last_modified", "date-time")),
    "bad uri": (lambda s: s.update(url="stad kortrijk/nachtopvang"), ("url", "uri")),
    "bad email": (lambda s: s.update(email="nachtopvang.example.org"), ("email",)),
}


@pytest.mark.parametrize("case", list(BAD))
async def test_bad_input_is_refused_naming_the_field_and_nothing_of_it_is_written(deps: Deps, case: str) -> None:
    change, words = BAD[case]
    await import_document(deps, d.organizations())
    reports = await import_document(deps, [_shelter_with(change)])
    [shelter] = [r for r in reports if r.hsds_id == d.SHELTER]
    assert shelter.outcome == "rejected" and any(all(w in x for w in words) for x in shelter.reasons), shelter
    assert all(r.outcome == "rejected" for r in reports if r.hsds_id == d.SAL_SHELTER), reports
    assert await exported(deps, "service") == []


async def test_a_rejected_service_at_location_leaves_no_orphan_location(deps: Deps) -> None:
    document = d.nested_service_at_location()
    await import_document(deps, d.organizations() + [document["service"]["organization"]])  # the location's owner
    document["service"]["email"] = "inloop.example.org"
    reports = await import_document(deps, document)
    assert [r.outcome for r in reports if r.hsds_id in (d.INLOOP, d.SAL_HEULE, d.LOC_HEULE)] \
        and all(r.outcome == "rejected" for r in reports if r.hsds_id in (d.INLOOP, d.SAL_HEULE, d.LOC_HEULE))
    assert d.LOC_HEULE not in {loc["id"] for loc in await exported(deps, "location")}


async def test_a_summary_list_updates_only_the_fields_it_carries_and_says_so(deps: Deps) -> None:
    await imported(deps)
    reports = {r.hsds_id: r for r in await import_document(deps, d.summaries())}
    shelter = reports[d.SHELTER]
    assert (shelter.outcome, shelter.changed_fields) == ("updated", ("description", "name"))
    assert reports[d.RESTO].outcome == "unchanged"
    kept = said(shelter) + " ".join(getattr(shelter, "kept_fields", ()))
    assert "languages" in kept and "schedules" in kept, shelter
    summary = d.summaries()[0]
    expected = d.shelter() | {"name": summary["name"], "description": summary["description"]}
    assert canon([s for s in await exported(deps, "service") if s["id"] == d.SHELTER]) == canon([expected])


async def test_a_service_at_location_with_its_service_and_location_nested(deps: Deps) -> None:
    await import_document(deps, d.organizations())
    reports = {r.hsds_id: r.outcome for r in await import_document(deps, d.nested_service_at_location())}
    assert {i: reports.get(i) for i in (d.ORG_HEULE, d.LOC_HEULE, d.INLOOP, d.SAL_HEULE)} == dict.fromkeys(
        (d.ORG_HEULE, d.LOC_HEULE, d.INLOOP, d.SAL_HEULE), "created")
    [inloop] = [s for s in await exported(deps, "service") if s["id"] == d.INLOOP]
    assert inloop["service_at_locations"] == [{"id": d.SAL_HEULE, "service_id": d.INLOOP, "location_id": d.LOC_HEULE}]
    assert (inloop["organization_id"], inloop["program_id"]) == (d.ORG_HEULE, d.uid("program/heule"))
    [heule] = [o for o in await exported(deps, "organization") if o["id"] == d.ORG_HEULE]
    assert heule["parent_organization_id"] == d.ORG and [loc["id"] for loc in heule["locations"]] == [d.LOC_HEULE]
    assert await found(deps, municipality="Kortrijk", language="nl") == ["Inloopteam Heule"]


async def test_a_schedule_timezone_given_as_an_iana_name_is_evaluated_there(deps: Deps) -> None:
    """The issue allows an IANA name beside an offset; the schema's `timezone` is a number (a UTC offset)."""
    shelter = d.shelter()
    shelter["schedules"][0] |= {"timezone": "Europe/Brussels", "opens_at": "09:00", "closes_at": "12:00"}
    await import_document(deps, d.organizations())
    [report] = [r for r in await import_document(deps, [shelter]) if r.hsds_id == d.SHELTER]
    assert report.outcome == "created", report
    assert await found(deps, open_at=at(9, 30)) == [SHELTER]
    assert await found(deps, open_at=at(9, 30, day=date(2026, 6, 8), offset="+02:00")) == [SHELTER]  # summer time
    assert await found(deps, open_at=at(8, 30)) == []

