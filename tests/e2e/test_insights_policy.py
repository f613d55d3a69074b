"""Policy teams through the `wegwijs-insights` CLI against the running services: suppressed tables, CSV, report,
and a rebuild while the service keeps answering."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.envelope import Role
from services.client import Client
from tests.e2e.test_walking_skeleton import KORTRIJK, eventually

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def cli(system: Client, secrets: Path, token: str, *args: str) -> str:
    env = {**os.environ, "WEGWIJS_TLS_CA_FILE": str(secrets / "ca.pem"),
           "WEGWIJS_TLS_CLIENT_CERT_FILE": str(secrets / "client.pem"),
           "WEGWIJS_TLS_CLIENT_KEY_FILE": str(secrets / "client-key.pem"), "WEGWIJS_TOKEN": token,
           "WEGWIJS_INSIGHTS_ADDR": f"127.0.0.1:{system.ports['insights']}",  # type: ignore[attr-defined]
           "WEGWIJS_CATALOGUE_ADDR": f"127.0.0.1:{system.ports['catalogue']}"}  # type: ignore[attr-defined]
    done = subprocess.run([sys.executable, "-c", "from services.insights.entrypoints.cli import main; main()", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_policy_sees_small_cells_hidden_in_tables_csv_and_report(system: Client, token, secrets: Path,
                                                                      tmp_path: Path) -> None:
    for _ in range(6):
        await system.register_question(themes=["housing"], **KORTRIJK)
    for _ in range(2):
        await system.register_question(themes=["housing"], **{**KORTRIJK, "channel": "walk-in"})
    policy_token = token(Role.POLICY, "kortrijk")
    policy = system.as_(policy_token)
    reply = await eventually(lambda: policy.questions_per_theme(),
                             lambda r: r.total == 8 and r.rows[0].questions == 8)
    assert (reply.total, [(r.questions, r.suppressed) for r in reply.rows]) == (8, [(8, False)])

    csv = cli(system, secrets, policy_token, "workload", "kortrijk", "--csv")
    assert csv.splitlines() == ["office,channel,month,questions,accompaniments,minutes_accompanying",
                                "huis-van-de-kortrijkzaan,walk-in,2026-03,<5,0,0",
                                "huis-van-de-kortrijkzaan,whatsapp,2026-03,<5,0,0"]
    out = tmp_path / "kortrijk.html"
    cli(system, secrets, policy_token, "report", "--tenant", "kortrijk", "--out", str(out))
    page = out.read_text()
    assert page.count('class="plotly-graph-div"') == 4 and "Totaal aantal vragen: 8." in page  # 3 + the gaps


async def test_a_rebuild_while_the_service_answers_switches_to_equal_views(system: Client, token, settings) -> None:
    for _ in range(5):
        await system.register_question(themes=["work"], **KORTRIJK)
    policy = system.as_(token(Role.POLICY, "kortrijk"))
    before = await eventually(lambda: policy.questions_per_theme(), lambda r: r.total == 5)
    env = {**os.environ, "WEGWIJS_TOPIC_PREFIX": settings.topic_prefix, "WEGWIJS_DB_PREFIX": settings.db_prefix}
    rebuild = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from services.insights.entrypoints.cli import main; main()", "rebuild",
        "--grace-seconds", "2", cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    while rebuild.returncode is None:
        assert (await policy.questions_per_theme()) == before  # answered from the old views meanwhile
        try:
            await asyncio.wait_for(rebuild.wait(), 0.2)
        except TimeoutError:
            pass
    output = (await rebuild.stdout.read()).decode()
    assert rebuild.returncode == 0 and "generation 2 is active" in output, output
    again = subprocess.run([sys.executable, "-c", "from services.insights.entrypoints.cli import main; main()",
                            "rebuild", "--if-stale"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "views of generation 2 are current: nothing to rebuild" in again.stdout, again
    await system.register_question(themes=["work"], **KORTRIJK)  # projected by the live runner on generation 2
    after = await eventually(lambda: policy.questions_per_theme(), lambda r: r.total == 6)
    assert [(r.theme, r.questions) for r in after.rows] == [("work", 6)]
