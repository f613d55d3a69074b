"""The HSDS 3.1 OpenAPI description as this catalogue serves it: the official `openapi.json`, its `$ref`s to the
schemas on the Open Referral site pointed at the packaged schema files (bundled into `components.schemas`), so a
client or a test resolves it without the network.

One deliberate correction: the official file gives `/service_at_locations/{id}` the *service* schema (a copy slip;
its description says "fully nested service_at_location"); it gets the service_at_location schema here.
"""
from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

REMOTE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
SKIP = {"openapi.json", "compiled-service_with_definitions.json"}


def _local(ref: str) -> str:
    """`#/components/schemas/<name>` for a remote or file `$ref` (`compiled/service_list.json` → service)."""
    name = ref.removeprefix(REMOTE).removeprefix("compiled/").removesuffix(".json").removesuffix("_list")
    return f"#/components/schemas/{name}"


def _rewrite(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _rewrite(v) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            out["$ref"] = _local(ref)
        return out
    if isinstance(node, list):
        return [_rewrite(v) for v in node]
    return node


@cache
def _bundled(schema_dir: Path) -> dict[str, Any]:
    spec = json.loads((schema_dir / "openapi.json").read_text("utf-8"))
    schemas = {p.stem: _rewrite(json.loads(p.read_text("utf-8"))) for p in sorted(schema_dir.glob("*.json"))
               if p.name not in SKIP}
    spec = _rewrite(spec)
    spec["components"]["schemas"] = {**schemas, **spec["components"].get("schemas", {})}
    sal = spec["paths"]["/service_at_locations/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
    sal["schema"] = {"$ref": "#/components/schemas/service_at_location"}
    spec["info"] = {"title": "Wegwijs catalogue — HSDS 3.1 API", "version": "3.1",
                    "summary": "The public catalogue of one municipality's services, read-only, as HSDS 3.1.",
                    "description": "Organisations, services, locations and where each service is offered, from "
                                   "the Wegwijs catalogue of one Flemish municipality. Read-only: GET only.",
                    "license": {"name": "CC BY-SA 4.0 (the HSDS schemas: Open Referral)",
                                "identifier": "CC-BY-SA-4.0"}}
    return spec


def spec(schema_dir: Path, base_url: str | None = None) -> dict[str, Any]:
    """The served OpenAPI document; `base_url` (the municipality's root) becomes its only server."""
    out = copy.deepcopy(_bundled(schema_dir))
    if base_url is not None:
        out["servers"] = [{"url": base_url}]
    return out
