"""The HSDS 3.1 schemas ship inside the package (package data), not as a path to ../shared."""
from __future__ import annotations

import tomllib
from pathlib import Path

import contracts.hsds
from services.catalogue.bootstrap import CatalogueSettings

PACKAGE = Path(contracts.hsds.__file__).resolve().parent
ROOT = PACKAGE.parents[1]


def test_the_schemas_are_read_from_the_package() -> None:
    schema_dir = CatalogueSettings().hsds_schema_dir
    assert schema_dir.is_relative_to(PACKAGE)
    assert {"service.json", "openapi.json", "simple-schema.csv", "LICENSE"} <= {p.name for p in schema_dir.iterdir()}


def test_pyproject_ships_them_and_the_format_checkers_are_runtime_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    data = project["tool"]["setuptools"]["package-data"]["contracts"]
    assert "hsds/schema/*.json" in data and "hsds/schema/*.csv" in data
    runtime = {d.split("==")[0] for d in project["project"]["dependencies"]}
    assert {"jsonschema", "rfc3339-validator", "rfc3987"} <= runtime


def test_date_time_and_uri_formats_are_checked() -> None:
    from services.catalogue.adapters.hsds_schema import errors
    schema_dir = CatalogueSettings().hsds_schema_dir
    bad = {"id": "x", "name": "n", "status": "active", "url": "not a uri", "last_modified": "2024-13-40T25:00:00Z"}
    found = errors(schema_dir, "service", bad)
    assert {e.split(":")[0] for e in found} == {"id", "url", "last_modified"}, found
