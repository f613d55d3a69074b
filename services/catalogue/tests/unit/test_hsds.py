"""HSDS 3.1 import and export: official examples import, the demo round-trips, bad records are refused one by one."""
import copy
import json
from datetime import date, time

from services.catalogue.adapters import hsds
from services.catalogue.application.handlers import Deps
from services.catalogue.application.hsds_export import catalogue
from services.catalogue.application.queries import search_services
from services.catalogue.domain.opening import Window, open_on_weekday
from services.catalogue.domain.search import ServiceQuery, is_free
from services.catalogue.tests.support import EXAMPLES, SCHEMAS, TENANT, demo_files, import_document, outcomes


async def test_the_official_examples_import(deps: Deps) -> None:
    full = json.loads((EXAMPLES / "organization_full.json").read_text())
    reports = await import_document(deps, full)
    assert outcomes(reports) == {"created": 4}, reports  # the location, listed twice, counts once
    service = next(r for r in reports if r.kind == "service")
    doc = await deps.views.get("service", TENANT, service.id)
    assert doc["record"]["eligibility"]["minimum_age"] == 12 and "ur" in doc["languages"]  # Urdu, with its note
    assert doc["record"]["hsds_forms"]["languages"][0]["note"].startswith("Translation services")
    assert doc["links"] and doc["record"]["hsds_extra"]["wait_time"] == "wait_time"
    location = json.loads((EXAMPLES / "location.json").read_text())
    [again] = await import_document(deps, location)  # the same location, other unmodelled fields, hours as "10:00"
    assert (again.outcome, again.changed_fields) == ("updated", ("hsds_extra", "hsds_forms", "schedules"))
    terms = json.loads((EXAMPLES / "taxonomy_term_list.json").read_text())
    assert outcomes(await import_document(deps, terms)) == {"skipped": 1}


async def test_an_official_example_exports_field_for_field(deps: Deps) -> None:
    location = json.loads((EXAMPLES / "location.json").read_text())
    await import_document(deps, location)
    [exported] = hsds.export("location", await catalogue(TENANT, deps))["contents"]
    assert set(exported) == set(location) - {"languages", "schedules"} | {"languages", "schedules"}
    assert {k: exported[k] for k in ("id", "name", "latitude", "transportation")} == {
        k: location[k] for k in ("id", "name", "latitude", "transportation")}


async def test_the_demo_catalogue_round_trips_and_reimports_without_changes(deps: Deps) -> None:
    files = demo_files()
    first = await import_document(deps, files["organizations"]) + await import_document(deps, files["services"])
    assert outcomes(first) == {"created": 60 + 60 + 149 + 149}
    exported = await catalogue(TENANT, deps)
    assert hsds.export("organization", exported) == files["organizations"]
    assert hsds.export("service", exported) == files["services"]
    again = await import_document(deps, files["organizations"]) + await import_document(deps, files["services"])
    assert outcomes(again) == {"unchanged": len(first)}


async def test_the_demo_answers_the_bridge_workers_questions(deps: Deps) -> None:
    files = demo_files()
    await import_document(deps, files["organizations"])
    await import_document(deps, files["services"])
    housing = await search_services(ServiceQuery(
        tenant=TENANT, theme="housing", language="ar", free_only=True, weekday="TU", time_from="08:00",
        time_to="12:00"), deps)
    assert "Woonloket Leiebrugge" in [h.candidate.record.name for h in housing.hits]
    for hit in housing.hits:
        record = hit.candidate.record
        assert "ar" in record.languages and is_free(record) and record.themes[0].startswith("housing")
        assert open_on_weekday(record.schedules, "TU", Window(time(8), time(12)), date.today())
    tigrinya = await search_services(ServiceQuery(tenant=TENANT, theme="education.school-registration",
                                                  language="ti"), deps)
    assert tigrinya.total == 0
    assert (await search_services(ServiceQuery(tenant=TENANT, language="ps"), deps)).total == 0


async def test_a_changed_record_is_updated_with_the_fields_named(deps: Deps) -> None:
    services = demo_files()["services"]
    await import_document(deps, demo_files()["organizations"])
    await import_document(deps, services)
    changed = copy.deepcopy(services)
    changed["contents"][0]["name"] = "Nieuwe naam"
    changed["contents"][0]["status"] = "temporarily closed"
    reports = await import_document(deps, changed)
    [updated] = [r for r in reports if r.outcome == "updated"]
    assert updated.hsds_id == services["contents"][0]["id"] and updated.changed_fields == ("name", "status")


async def test_a_malformed_file_is_rejected_record_by_record_and_valid_records_land(deps: Deps) -> None:
    services = demo_files()["services"]["contents"]
    orgs = demo_files()["organizations"]["contents"]
    good_org = {k: v for k, v in orgs[0].items() if k != "locations"}
    good = {k: v for k, v in services[0].items() if k != "service_at_locations"} | {"organization_id": good_org["id"]}
    document = [
        good_org, good,
        {**services[1], "name": None},
        {**services[2], "id": "not-a-uuid", "status": "gone"},
        {k: v for k, v in services[3].items() if k not in ("service_at_locations", "organization_id")}
        | {"organization_id": "0b0b0b0b-0000-4000-8000-000000000000"},
        "a string",
    ]
    reports = {r.hsds_id: r for r in await import_document(deps, document)}
    assert reports[good_org["id"]].outcome == "created" and reports[good["id"]].outcome == "created"
    assert reports[services[1]["id"]].reasons == ("name: None is not of type 'string'",)
    assert set(reports["not-a-uuid"].reasons) == {"id: 'not-a-uuid' is not a 'uuid'",
                                                  "status: 'gone' is not one of ['active', 'inactive', 'defunct', "
                                                  "'temporarily closed']"}
    assert "service.organization_id: organization '" in reports[services[3]["id"]].reasons[0]
    assert reports["#6"].reasons == ("not a JSON object",)
    inside = [sal["id"] for svc in services[1:3] for sal in svc["service_at_locations"]]  # nested in refused ones
    assert all("not imported: service" in reports[i].reasons[0] for i in inside)
    assert outcomes(list(reports.values())) == {"created": 2, "rejected": 4 + len(inside)}


async def test_a_retried_import_changes_nothing(deps: Deps) -> None:
    orgs = demo_files()["organizations"]
    first = await import_document(deps, orgs, command_id="import-0001")
    again = await import_document(deps, orgs, command_id="import-0001")
    assert outcomes(first) == {"created": 120} and outcomes(again) == {"unchanged": 120}


def test_schemas_are_loaded_by_path() -> None:
    assert (SCHEMAS / "service.json").exists()
