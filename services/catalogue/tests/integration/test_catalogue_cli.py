"""`wegwijs catalogue import|export` against the catalogue's gRPC API on the real stack: a JSON file imports in
parts, exports as JSON and as a CSV data package, and each export imports back as no change."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contracts.envelope import Role
from services import catalogue_cli
from services.catalogue.tests.support import demo_subset
from services.plumbing import auth

pytestmark = pytest.mark.integration


async def _wegwijs(api, *args: str) -> str:
    token = api.issuer.issue(auth.Principal(staff_id="staff-it", role=Role.CATALOGUE_ADMIN, municipality="kortrijk"))
    result = await asyncio.to_thread(CliRunner().invoke, catalogue_cli.app, [
        *args, "--tenant", "kortrijk", "--catalogue", api.target, "--token", token], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


async def test_import_in_parts_then_both_exports_import_back_unchanged(api, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(catalogue_cli, "PART_OBJECTS", 8)  # several ImportHsds calls for this small file
    files = demo_subset(organizations=2)
    source = tmp_path / "catalogue.json"
    source.write_text(json.dumps([*files["organizations"]["contents"], *files["services"]["contents"]]))
    first = await _wegwijs(api, "import", str(source))
    assert "created" in first and "not imported" not in first
    await _wegwijs(api, "export", str(tmp_path / "out.json"), "--format", "json")
    await _wegwijs(api, "export", str(tmp_path / "package"), "--format", "csv")
    assert (tmp_path / "package" / "datapackage.json").is_file()
    assert (tmp_path / "package" / "services.csv").read_text().startswith("id,organization_id")
    exported = json.loads((tmp_path / "out.json").read_text())
    assert {d["id"] for d in exported} >= {d["id"] for d in files["services"]["contents"]}
    for again in (tmp_path / "out.json", tmp_path / "package"):
        table = await _wegwijs(api, "import", str(again))
        row = next(line for line in table.splitlines() if line.count("│") >= 5 and any(c.isdigit() for c in line))
        created, updated, unchanged = (int(c.strip().replace(",", "")) for c in row.strip("│ ").split("│")[:3])
        assert (created, updated) == (0, 0) and unchanged > 0, table


async def test_a_broken_package_is_refused_naming_the_file(api, tmp_path: Path) -> None:
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": [{"path": "services.csv"}]}))
    (tmp_path / "services.csv").write_text("id,name,status,colour\nx,y,active,red\n")
    token = api.issuer.issue(auth.Principal(staff_id="staff-it", role=Role.CATALOGUE_ADMIN, municipality="kortrijk"))
    result = await asyncio.to_thread(CliRunner().invoke, catalogue_cli.app, [
        "import", str(tmp_path), "--tenant", "kortrijk", "--catalogue", api.target, "--token", token])
    assert result.exit_code == 2 and "services.csv: columns not in the service table: colour" in result.output
