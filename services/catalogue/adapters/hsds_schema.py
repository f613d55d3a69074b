"""Validation against the official HSDS 3.1 JSON Schemas, loaded by path; `$ref`s between files resolved."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SKIP = {"openapi.json", "compiled-service_with_definitions.json"}


@cache
def _registry(schema_dir: Path) -> Registry:
    if not schema_dir.is_dir():
        raise FileNotFoundError(f"HSDS schema directory {schema_dir} not found (set WEGWIJS_HSDS_SCHEMA_DIR)")
    resources = [(p.name, Resource.from_contents(json.loads(p.read_text("utf-8")), default_specification=DRAFT202012))
                 for p in sorted(schema_dir.glob("*.json")) if p.name not in SKIP]
    return Registry().with_resources(resources)


@cache
def _validator(schema_dir: Path, kind: str) -> Draft202012Validator:
    registry = _registry(schema_dir)
    return Draft202012Validator(registry.contents(f"{kind}.json"), registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(schema_dir: Path, kind: str, document: Any) -> list[str]:
    """What makes `document` an invalid HSDS `kind` (e.g. "service"), as `path: reason`; empty when valid."""
    found = sorted((e for e in _validator(schema_dir, kind).iter_errors(document) if not _zone_name(e)),
                   key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'.'.join(map(str, e.absolute_path)) or kind}: {e.message[:200]}" for e in found]


def _zone_name(error: ValidationError) -> bool:
    """A schedule's `timezone` is a UTC offset (a number) in the schema; publishers also write the IANA name of the
    zone ("Europe/Brussels"), which says more (summer time): accepted, and checked when the schedule is read."""
    return bool(error.absolute_path) and error.absolute_path[-1] == "timezone" and error.validator == "type" \
        and isinstance(error.instance, str)
