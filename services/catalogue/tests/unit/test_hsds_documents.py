"""The synthetic HSDS documents of the fidelity tests use every property the official schemas define, and are
valid against them (formats checked); their tabular form is the one the schemas name."""
from __future__ import annotations

import csv
import io
import json

import pytest

from services.catalogue.tests import hsds_documents as d
from services.catalogue.tests import hsds_schema_walk as walk


def test_the_documents_use_every_property_of_every_schema() -> None:
    assert walk.unused(d.documents()) == set()
    assert walk.used(d.documents()) - walk.defined() == set(walk.BEYOND_SCHEMA)
    assert {kind for kind, _ in walk.defined()} >= {
        "schedule", "language", "cost_option", "phone", "required_document", "service_capacity", "unit",
        "accessibility", "service_area", "contact", "funding", "program", "metadata", "attribute", "taxonomy_term",
        "taxonomy", "address", "organization_identifier", "url"}


def test_a_property_the_schema_gains_is_reported_unused(monkeypatch: pytest.MonkeyPatch) -> None:
    real = walk.schema

    def grown(kind: str) -> dict:
        s = real(kind)
        return s | {"properties": s["properties"] | {"wheelchair": {"type": "string"}}} if kind == "unit" else s

    monkeypatch.setattr(walk, "schema", grown)
    assert walk.unused(d.documents()) == {("unit", "wheelchair")}


def test_the_documents_are_valid_against_the_official_schemas() -> None:
    for kind, doc in d.documents():
        assert walk.invalid(kind, doc) == [], doc["id"]
    assert walk.invalid("service", d.nested_service_at_location()["service"]) == []
    for summary in d.summaries():
        assert walk.invalid("service", summary) == []


@pytest.mark.parametrize(("field", "value"), [("email", "nachtopvang.example.org"), ("url", "stad kortrijk/x"),
                                              ("last_modified", "gisteren"), ("minimum_age", "17,5")])
def test_the_schema_check_of_the_documents_can_fail(field: str, value: str) -> None:
    [problem] = walk.invalid("service", d.shelter() | {field: value})
    assert problem.startswith(f"{field}: ")


def test_the_tabular_form_has_a_file_per_object_type_with_the_schemas_columns() -> None:
    files = walk.tabular(d.documents()[:3], "onderdak-leie")
    package = json.loads(files.pop("datapackage.json"))
    assert {r["path"] for r in package["resources"]} == set(files)
    for resource in package["resources"]:
        rows = list(csv.DictReader(io.StringIO(files[resource["path"]])))
        assert rows and list(rows[0]) == [f["name"] for f in resource["schema"]["fields"]]
        assert len({r["id"] for r in rows}) == len(rows)
    services = {r["id"]: r for r in csv.DictReader(io.StringIO(files["services.csv"]))}
    assert set(services) == {d.SHELTER, d.RESTO} and services[d.SHELTER]["minimum_age"] == "17.5"
    terms = list(csv.DictReader(io.StringIO(files["taxonomy_terms.csv"])))
    assert sorted(t["code"] for t in terms) == sorted([d.AIRS_CODE, d.CITY_CODE])
