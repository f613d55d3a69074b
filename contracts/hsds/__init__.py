"""Open Referral HSDS 3.1 as data every part of Wegwijs shares: the official schemas (package data, `SCHEMAS`), the
shapes of HSDS documents (`documents`) and the tabular form (`tabular`)."""
from __future__ import annotations

from pathlib import Path

SCHEMAS = Path(__file__).resolve().parent / "schema"  # the official HSDS 3.1 JSON Schemas, openapi.json, CSV list
