"""HSDS 3.1's tabular form: a data package (`datapackage.json` + one CSV file per object type) ↔ HSDS JSON.

The tables, their files and columns come from the packaged schemas (`path`, the scalar `properties`, their
`datapackage_type`), so the package is the one HSDS defines. Nested objects become rows of their own table that
name their owner (`service_id`, ...; attributes `link_id`/`link_entity`, metadata `resource_id`/`resource_type`);
a single nested object (`taxonomy_term`, `unit`, `taxonomy_detail`, `program`, `organization`, `location`) becomes
a row its owner names by `<type>_id`. Reading builds the documents back the way our JSON export writes them:
organisations with their locations, services with their service_at_locations, each nested object in its owner;
an owner's id that nesting implies is left out of the nested object (our export writes only a location's
`organization_id` and a service_at_location's `service_id`, which stay), and so is the `<type>_id` beside a single
nested object (but an attribute's `taxonomy_term_id`, which our export writes).

Validated both ways against the table schemas: every column a field of its table, required columns present, every
cell of its field's type, ids unique per table, every owner a nested row names present. A package that breaks them
is refused whole (InvalidArgument naming the file, row and column); the documents then go through the JSON Schema
checks of an import like any other.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any


PACKAGE = "datapackage.json"
SHOWN = 5


class InvalidArgument(ValueError):
    """A package that breaks its table schemas: `field` names the file, `reason` the rows and columns."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


def few(items: list[str]) -> str:
    """The first few of `items`, and how many more."""
    more = len(items) - SHOWN
    return ", ".join(items[:SHOWN]) + (f" and {more:,} more" if more > 0 else "")
SKIP = {"openapi.json", "compiled-service_with_definitions.json", "meta_table_description.json"}
GENERIC = {"attribute": ("link_id", "link_entity"), "metadata": ("resource_id", "resource_type")}
KEPT_WHEN_NESTED = {("location", "organization_id"), ("service_at_location", "service_id")}
KEPT_BESIDE_OBJECT = {("attribute", "taxonomy_term_id")}  # a `<type>_id` our export writes beside the object
TOP = {"organization": "locations", "service": "service_at_locations"}  # top-level kinds and what they nest
NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class Table:
    """One HSDS object type's table: its file, scalar columns (with Table Schema types) and nested objects."""

    kind: str
    path: str
    fields: dict[str, str]          # column → Table Schema type, in schema order
    arrays: dict[str, str]          # property → kind of its items
    singles: dict[str, str]         # property → kind of the nested object
    required: tuple[str, ...]
    order: int


EMPTY = Table("", "", {}, {}, {}, (), 0)


def _kind(ref: str) -> str:
    return ref.removesuffix(".json")


@cache
def tables(schema_dir: Path) -> dict[str, Table]:
    found = {}
    for p in sorted(schema_dir.glob("*.json")):
        if p.name in SKIP:
            continue
        s = json.loads(p.read_text("utf-8"))
        fields, arrays, singles = {}, {}, {}
        for name, prop in s["properties"].items():
            if prop.get("type") == "array" and "$ref" in prop.get("items", {}):
                arrays[name] = _kind(prop["items"]["$ref"])
            elif "$ref" in prop:
                singles[name] = _kind(prop["$ref"])
            elif prop.get("type") not in ("array", "object"):
                fields[name] = prop.get("datapackage_type") or prop.get("type", "string")
        required = tuple(dict.fromkeys([*s.get("required", ()), *s.get("tabular_required", ())]))
        found[p.stem] = Table(p.stem, s["path"], fields, arrays, singles,
                              tuple(r for r in required if r in fields), s["datapackage_metadata"].get("order", 99))
    return found


# --- JSON → package ------------------------------------------------------------------------------------------------

def to_package(documents: Iterable[tuple[str, dict[str, Any]]], schema_dir: Path,
               name: str = "hsds") -> dict[str, str]:
    """(kind, top-level document) pairs → {file name: text}: `datapackage.json` and a CSV file per table."""
    schema = tables(schema_dir)
    rows: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for kind, doc in documents:
        _flatten(schema, kind, doc, None, rows)
    files = {}
    resources = []
    for kind in sorted(rows, key=lambda k: (schema[k].order, k)):
        table = schema[kind]
        _check(table, list(rows[kind].values()), table.path, typed=True)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(table.fields), lineterminator="\n")
        writer.writeheader()
        for row in rows[kind].values():
            writer.writerow({k: _cell(v) for k, v in row.items()})
        files[table.path] = out.getvalue()
        resources.append(_resource(table))
    files[PACKAGE] = json.dumps({"name": name, "profile": "tabular-data-package", "resources": resources},
                                ensure_ascii=False, indent=2)
    return files


def _resource(table: Table) -> dict[str, Any]:
    return {"name": table.kind, "path": table.path, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "schema": {
                "fields": [{"name": f, "type": t, **({"constraints": {"required": True}} if f in table.required
                                                    else {})} for f, t in table.fields.items()],
                "primaryKey": ["id"]}}


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _flatten(schema: dict[str, Table], kind: str, doc: dict[str, Any], owner: tuple[str, str] | None,
             rows: dict[str, dict[str, dict[str, Any]]]) -> None:
    table = schema[kind]
    row = {k: v for k, v in doc.items() if k in table.fields and v is not None}
    if owner is not None:
        owner_kind, owner_id = owner
        if kind in GENERIC:  # the nesting is the truth: whatever the JSON held there, the owner is this one
            id_field, kind_field = GENERIC[kind]
            row[id_field], row[kind_field] = owner_id, owner_kind
        elif f"{owner_kind}_id" in table.fields:
            row[f"{owner_kind}_id"] = owner_id
    for prop, child in table.singles.items():
        inner = doc.get(prop)
        if isinstance(inner, dict) and inner.get("id"):
            _flatten(schema, child, inner, None, rows)
            if f"{child}_id" in table.fields:
                row.setdefault(f"{child}_id", inner["id"])
    for prop, child in table.arrays.items():
        for item in doc.get(prop) or ():
            if isinstance(item, dict):
                _flatten(schema, child, item, (kind, str(doc.get("id"))), rows)
    if row.get("id"):  # one object nested in several owners is one row naming each (one per owner column)
        stored = rows[kind].setdefault(str(row["id"]), row)
        for k, v in row.items():
            stored.setdefault(k, v)


# --- package → JSON ------------------------------------------------------------------------------------------------

def from_package(files: Mapping[str, str], schema_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    """{file name: text} of a data package → (kind, document) pairs, organisations and locations first."""
    schema = tables(schema_dir)
    by_path = {t.path: t for t in schema.values()}
    rows: dict[str, list[dict[str, Any]]] = {}
    for path in _resources(files):
        table = by_path.get(path)
        if table is None:
            raise InvalidArgument(PACKAGE, f"{path}: not a table of HSDS 3.1; one of {few(sorted(by_path))}")
        if path not in files:
            raise InvalidArgument(path, "named in datapackage.json but not in the package")
        rows[table.kind] = _read(table, files[path])
    return _documents(schema, rows)


def _resources(files: Mapping[str, str]) -> list[str]:
    if PACKAGE not in files:
        raise InvalidArgument(PACKAGE, "missing: a data package names its CSV files there")
    try:
        package = json.loads(files[PACKAGE])
        return [str(r["path"]) for r in package["resources"]]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InvalidArgument(PACKAGE, f"not a data package (resources with a path): {exc}") from None


def _read(table: Table, text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = reader.fieldnames or []
    unknown = [c for c in header if c not in table.fields]
    if unknown:
        raise InvalidArgument(table.path, f"columns not in the {table.kind} table: {few(unknown)}")
    missing = [c for c in table.required if c not in header]
    if missing:
        raise InvalidArgument(table.path, f"required columns missing: {few(missing)}")
    rows = [{k: v for k, v in raw.items() if k is not None and v not in (None, "")} for raw in reader]
    return _check(table, rows, table.path, typed=False)


def _check(table: Table, rows: list[dict[str, Any]], path: str, typed: bool) -> list[dict[str, Any]]:
    """Rows with every cell of its field's type (parsed from text unless `typed`); every problem named."""
    problems, out, seen = [], [], set()
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        parsed = {}
        for name, value in row.items():
            try:
                checked = _value(table.fields[name], _cell(value) if typed else value)
                parsed[name] = value if typed else checked
            except ValueError as exc:
                problems.append(f"row {n}: {name}: {exc}")
        for name in table.required:
            if name not in parsed:
                problems.append(f"row {n}: {name}: required")
        if parsed.get("id") in seen:
            problems.append(f"row {n}: id: {parsed['id']!r} is there twice")
        seen.add(parsed.get("id"))
        out.append(parsed)
    if problems:
        raise InvalidArgument(path, few(problems))
    return out


def _value(kind: str, text: str) -> Any:
    if kind == "number":
        if not NUMBER.match(text):
            raise ValueError(f"{text[:40]!r} is not a number")
        number = float(text)
        return int(text) if re.fullmatch(r"-?\d+", text) else number
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(f"{text[:40]!r} is not a whole number")
        return int(text)
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise ValueError(f"{text[:40]!r} is not true or false")
        return text.lower() == "true"
    return text


def _documents(schema: dict[str, Table], rows: dict[str, list[dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    index = {kind: {r["id"]: r for r in found if "id" in r} for kind, found in rows.items()}
    children: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)  # (kind, owner kind, id) → rows
    for kind, found in rows.items():
        for row in found:
            for owner_kind, owner_id in _owners(schema, kind, row):
                children[(kind, owner_kind, owner_id)].append(row)
    _orphans(schema, rows, index)

    def build(kind: str, row: dict[str, Any], owner: str | None) -> dict[str, Any]:
        table = schema[kind]
        doc = {k: v for k, v in row.items() if not _implied(schema, index, kind, k, v, owner)}
        for prop, child in table.singles.items():
            ref = row.get(f"{child}_id")
            if ref in index.get(child, {}) and child not in TOP and child != "location":
                doc[prop] = build(child, index[child][ref], None)
                if (kind, f"{child}_id") not in KEPT_BESIDE_OBJECT:
                    doc.pop(f"{child}_id")
        for prop, child in table.arrays.items():
            items = [build(child, r, kind) for r in children.get((child, kind, row.get("id", "")), ())]
            if items:
                doc[prop] = items
        return doc

    out = [("organization", build("organization", r, None)) for r in rows.get("organization", ())]
    organisations = set(index.get("organization", {}))
    out += [("location", build("location", r, None)) for r in rows.get("location", ())
            if r.get("organization_id") not in organisations]
    out += [("service", build("service", r, None)) for r in rows.get("service", ())]
    services = set(index.get("service", {}))
    out += [("service_at_location", build("service_at_location", r, None))
            for r in rows.get("service_at_location", ()) if r.get("service_id") not in services]
    return out


def _owners(schema: dict[str, Table], kind: str, row: dict[str, Any]) -> Iterable[tuple[str, str]]:
    if kind in GENERIC:
        id_field, kind_field = GENERIC[kind]
        if row.get(id_field) and row.get(kind_field):
            yield str(row[kind_field]), str(row[id_field])
        return
    for owner_kind, table in schema.items():
        if kind in table.arrays.values() and row.get(f"{owner_kind}_id"):
            yield owner_kind, str(row[f"{owner_kind}_id"])


def _implied(schema: dict[str, Table], index: dict[str, dict[str, Any]], kind: str, column: str, value: Any,
             owner: str | None) -> bool:
    """A column nesting implies in a nested object: an owner's id (for attributes and metadata also its kind), of
    this owner or of another the object is nested in too."""
    if owner is None or (kind, column) in KEPT_WHEN_NESTED:
        return False
    if kind in GENERIC:
        return column in GENERIC[kind]
    owner_kind = column.removesuffix("_id")
    return column.endswith("_id") and kind in schema.get(owner_kind, EMPTY).arrays.values() and \
        value in index.get(owner_kind, {})


def _orphans(schema: dict[str, Table], rows: dict[str, list[dict[str, Any]]],
             index: dict[str, dict[str, Any]]) -> None:
    """Nested rows (phones, schedules, ...) must name an owner the package has: they would be lost otherwise."""
    problems = []
    for kind, found in rows.items():
        if kind in TOP or kind in ("location", "service_at_location", "taxonomy", "taxonomy_term", "unit", "program"):
            continue
        for n, row in enumerate(found, start=2):
            if not any(owner_id in index.get(owner_kind, {}) for owner_kind, owner_id in _owners(schema, kind, row)):
                problems.append(f"{schema[kind].path} row {n}: names no {kind} owner the package has")
    if problems:
        raise InvalidArgument(PACKAGE, few(problems))


# --- files ---------------------------------------------------------------------------------------------------------

def write(directory: Path, files: Mapping[str, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, "utf-8")


def read_dir(directory: Path) -> dict[str, str]:
    """`datapackage.json` and the files it names (only those: nothing else of the directory is read)."""
    package = directory / PACKAGE
    if not package.is_file():
        raise InvalidArgument(str(directory), f"no {PACKAGE}: not a data package")
    files = {PACKAGE: package.read_text("utf-8")}
    for path in _resources(files):
        target = (directory / path).resolve()
        if not target.is_relative_to(directory.resolve()):
            raise InvalidArgument(PACKAGE, f"{path}: outside the package's directory")
        if target.is_file():
            files[path] = target.read_text("utf-8")
    return files
