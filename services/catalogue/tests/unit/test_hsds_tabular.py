"""The HSDS tabular form (datapackage.json + CSV files): JSON → package → JSON gives the same documents and an
import of them changes nothing; a package that breaks its table schemas is refused naming file, row and column."""
from __future__ import annotations

import json

import pytest

from contracts.hsds import tabular as hsds_tabular
from services.catalogue.adapters import hsds
from services.catalogue.application import hsds_export
from services.catalogue.application.handlers import Deps
from services.catalogue.tests.support import SCHEMAS, demo_files, import_document, outcomes
from contracts.hsds.tabular import InvalidArgument


async def _exported(deps: Deps) -> list[tuple[str, dict]]:
    catalogue = await hsds_export.catalogue("kortrijk", deps)
    return ([("organization", d) for d in hsds.export("organization", catalogue)["contents"]]
            + [("service", d) for d in hsds.export("service", catalogue)["contents"]])


async def test_json_to_package_to_json_is_the_same_and_imports_as_no_change(deps: Deps) -> None:
    for document in demo_files().values():
        await import_document(deps, document)
    exported = await _exported(deps)
    files = hsds_tabular.to_package(exported, SCHEMAS)
    package = json.loads(files["datapackage.json"])
    assert {r["path"] for r in package["resources"]} == set(files) - {"datapackage.json"}
    assert {"organizations.csv", "services.csv", "locations.csv", "service_at_location.csv", "phones.csv",
            "schedules.csv", "languages.csv", "attributes.csv", "addresses.csv"} <= set(files)
    services = next(r for r in package["resources"] if r["path"] == "services.csv")["schema"]
    assert [f["name"] for f in services["fields"]][:3] == ["id", "organization_id", "program_id"]
    assert {f["name"] for f in services["fields"] if f.get("constraints", {}).get("required")} == {
        "id", "name", "status", "organization_id"}
    back = hsds_tabular.from_package(files, SCHEMAS)
    assert back == exported
    report = await import_document(deps, [doc for _, doc in back])
    assert outcomes(report) == {"unchanged": len(report)}


def test_numbers_and_booleans_keep_their_type() -> None:
    service = {"id": "5f1c5a1e-0b5e-4e47-9d3e-1a2b3c4d5e6f", "name": "Taalcafé", "status": "active",
               "organization_id": "0c9d2f4e-6b1a-4e3c-8d5f-7a6b5c4d3e2f", "minimum_age": 17.5, "maximum_age": 65,
               "cost_options": [{"id": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "amount": 0}]}
    files = hsds_tabular.to_package([("service", service)], SCHEMAS)
    [(_, back)] = hsds_tabular.from_package(files, SCHEMAS)
    assert back["minimum_age"] == 17.5 and back["maximum_age"] == 65 and isinstance(back["maximum_age"], int)
    assert back["cost_options"] == service["cost_options"]


def _package(**files: str) -> dict[str, str]:
    base = hsds_tabular.to_package([("organization", {"id": "0c9d2f4e-6b1a-4e3c-8d5f-7a6b5c4d3e2f", "name": "VZW",
                                                      "description": "x"})], SCHEMAS)
    return {**base, **files}


@pytest.mark.parametrize(("files", "field", "reason"), [
    ({"datapackage.json": "{"}, "datapackage.json", "not a data package"),
    ({"organizations.csv": "id,name,description,colour\n1,a,b,red\n"}, "organizations.csv",
     "columns not in the organization table: colour"),
    ({"organizations.csv": "id,description\n1,b\n"}, "organizations.csv", "required columns missing: name"),
    ({"organizations.csv": "id,name,description\n1,a,b\n1,c,d\n"}, "organizations.csv",
     "row 3: id: '1' is there twice"),
    ({"organizations.csv": "id,name,description,year_incorporated\n1,a,b,soon\n"}, "organizations.csv",
     "row 2: year_incorporated: 'soon' is not a number"),
])
def test_a_package_that_breaks_its_table_schemas_is_refused(files: dict[str, str], field: str, reason: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        hsds_tabular.from_package(_package(**files), SCHEMAS)
    assert refused.value.field == field and reason in refused.value.reason, refused.value


def test_a_nested_row_whose_owner_is_missing_is_refused() -> None:
    package = _package()
    package["phones.csv"] = "id,number,service_id\n1,+32 470 00 00 00,no-such-service\n"
    meta = json.loads(package["datapackage.json"])
    meta["resources"].append({"name": "phone", "path": "phones.csv"})
    package["datapackage.json"] = json.dumps(meta)
    with pytest.raises(InvalidArgument) as refused:
        hsds_tabular.from_package(package, SCHEMAS)
    assert "phones.csv row 2: names no phone owner" in str(refused.value)


def test_a_missing_file_and_an_unknown_table_are_named() -> None:
    package = _package()
    del package["organizations.csv"]
    with pytest.raises(InvalidArgument, match="organizations.csv: named in datapackage.json but not in the package"):
        hsds_tabular.from_package(package, SCHEMAS)
    meta = json.loads(_package()["datapackage.json"])
    meta["resources"].append({"path": "clients.csv"})
    with pytest.raises(InvalidArgument, match="clients.csv: not a table of HSDS 3.1"):
        hsds_tabular.from_package({**_package(), "datapackage.json": json.dumps(meta)}, SCHEMAS)
