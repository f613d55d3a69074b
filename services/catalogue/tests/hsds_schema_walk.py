"""The official HSDS 3.1 schemas read at run time, as a stranger to our code reads them: which properties each
object defines, which of them documents use, whether documents are valid, and the tabular form of documents.

Nothing here knows our records: the properties, tables, files and column types all come from
`contracts/hsds/schema/*.json`.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from contracts.hsds import SCHEMAS

ROOTS = ("organization", "service", "location", "service_at_location")
# Nesting the issue asks for beyond the schema's properties: the HSDS API's /service_at_locations/{id} answers a
# service_at_location with its service inside.
BEYOND_SCHEMA = {("service_at_location", "service"): "service"}


@cache
def schema(kind: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{kind}.json").read_text("utf-8"))


def _ref(prop: dict[str, Any]) -> str | None:
    ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
    return ref.removesuffix(".json") if ref else None


def nested_kind(kind: str, name: str) -> str | None:
    """The object type of property `name` of `kind` when it holds objects (one or a list), else None."""
    if (kind, name) in BEYOND_SCHEMA:
        return BEYOND_SCHEMA[kind, name]
    return _ref(schema(kind)["properties"][name])


def defined(roots: Iterable[str] = ROOTS) -> set[tuple[str, str]]:
    """(kind, property) of every object reachable from `roots` through the schemas' `$ref`s."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        kind = todo.pop()
        if kind not in seen:
            seen.add(kind)
            todo += [k for p in schema(kind)["properties"].values() if (k := _ref(p))]
    return {(kind, name) for kind in seen for name in schema(kind)["properties"]}


def objects(kind: str, doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(kind, object) of `doc` and of every object nested in it, parents first."""
    yield kind, doc
    for name, value in doc.items():
        inner = nested_kind(kind, name) if (kind, name) in BEYOND_SCHEMA or name in schema(kind)["properties"] \
            else None
        for item in (value if isinstance(value, list) else [value]) if inner else ():
            if isinstance(item, dict):
                yield from objects(inner, item)  # type: ignore[arg-type]


def used(documents: Iterable[tuple[str, dict[str, Any]]]) -> set[tuple[str, str]]:
    """(kind, property) of every property the documents give a value."""
    return {(kind, name) for top, doc in documents for kind, obj in objects(top, doc) for name in obj}


def unused(documents: Iterable[tuple[str, dict[str, Any]]]) -> set[tuple[str, str]]:
    return defined() - used(documents)


@cache
def _validator(kind: str) -> Draft202012Validator:
    registry = Registry().with_resources(
        (p.name, Resource.from_contents(json.loads(p.read_text("utf-8")), default_specification=DRAFT202012))
        for p in SCHEMAS.glob("*.json") if p.name != "openapi.json")
    return Draft202012Validator(schema(kind), registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def invalid(kind: str, doc: dict[str, Any]) -> list[str]:
    """What the official schema (formats checked) finds wrong with `doc`, as "path: message"."""
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(kind).iter_errors(doc)]


def _columns(kind: str) -> dict[str, str]:
    """The scalar properties of `kind` (its table's columns), with their Table Schema types."""
    return {name: p.get("datapackage_type") or p["type"] for name, p in schema(kind)["properties"].items()
            if not _ref(p) and p.get("type") not in ("array", "object")}


def _cell(value: Any) -> str:
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def tabular(documents: Iterable[tuple[str, dict[str, Any]]], name: str) -> dict[str, str]:
    """The HSDS tabular form of the documents: `datapackage.json` and one CSV file per object type (the schema's
    `path`), a row per object (the same object twice, once); each row names its owner by the ids it carries."""
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for top, doc in documents:
        for kind, obj in objects(top, doc):
            rows.setdefault(kind, {})[obj["id"]] = {k: v for k, v in obj.items() if k in _columns(kind)}
    files, resources = {}, []
    for kind in sorted(rows, key=lambda k: (schema(k)["datapackage_metadata"]["order"], k)):
        columns = _columns(kind)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows[kind].values())
        files[schema(kind)["path"]] = out.getvalue()
        resources.append({"name": kind, "path": schema(kind)["path"], "profile": "tabular-data-resource",
                          "format": "csv", "mediatype": "text/csv", "schema": {
                              "fields": [{"name": c, "type": t} for c, t in columns.items()], "primaryKey": "id"}})
    files["datapackage.json"] = json.dumps({"name": name, "profile": "tabular-data-package",
                                            "resources": resources}, indent=2)
    return files
