"""JSON Schema snapshots of every published event type (and the envelope), committed in `contracts/schemas/`.

A test compares the code against them, so changing a published event without a new version fails CI instead of
breaking a partner. After adding a new event type or version, write its snapshot with `python -m contracts.snapshots`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contracts.envelope import Envelope
from contracts.events import registry

SCHEMAS = Path(__file__).parent / "schemas"


def current() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema, for the envelope and every registered (type, version)."""
    schemas = {"Envelope.json": Envelope.model_json_schema()}
    for (name, version), cls in registry.types.items():
        schemas[f"{name}.v{version}.json"] = cls.model_json_schema()
    return schemas


def committed() -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text()) for p in sorted(SCHEMAS.glob("*.json"))}


def write_new() -> list[str]:
    """Write snapshots for types that have none yet. Never overwrites: a published schema is frozen."""
    existing = committed()
    written = []
    for name, schema in current().items():
        if name not in existing:
            (SCHEMAS / name).write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
            written.append(name)
    return written


if __name__ == "__main__":
    print("\n".join(write_new()) or "all snapshots present")
