"""The HTML report as a policy maker sees it: rendered by headless Chromium, charts drawn, numbers as in the API."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from contracts.envelope import Role
from services.client import Client
from tests.e2e.test_insights_policy import KORTRIJK, cli
from tests.e2e.test_walking_skeleton import eventually

pytestmark = pytest.mark.e2e


def rendered(page: Path, profile: Path, screenshot: Path) -> str:
    """The DOM after the page's scripts ran, and a screenshot beside it (for a person to look at)."""
    chromium = shutil.which("chromium")
    assert chromium, "chromium is installed by `make install` (deploy/local/browser)"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--virtual-time-budget=10000", "--window-size=1200,2400"]
    subprocess.run([chromium, *flags, f"--screenshot={screenshot}", page.as_uri()], capture_output=True, timeout=90)
    done = subprocess.run([chromium, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=90)
    return done.stdout


def figures(page: str) -> dict[str, dict[str, dict[str, float]]]:
    """The page's charts as drawn from its data: title → trace name → x → y (the first `Plotly.newPlot` data and
    layout of each chart, parsed as JSON)."""
    decoder, found = json.JSONDecoder(), {}
    for call in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*', page):
        data, end = decoder.raw_decode(page, call.end())
        layout, _ = decoder.raw_decode(page, re.match(r",\s*", page[end:]).end() + end)
        title = layout["title"]["text"]
        found[title] = {trace["name"]: dict(zip(trace["x"], trace["y"], strict=True)) for trace in data}
    return found


async def test_the_report_renders_its_charts_with_the_apis_numbers(system: Client, token, secrets: Path,
                                                                   tmp_path: Path) -> None:
    for theme, count in (("housing", 7), ("work", 6), ("health", 1)):
        for _ in range(count):
            await system.register_question(themes=[theme], **KORTRIJK)
    policy_token = token(Role.POLICY, "kortrijk")
    reply = await eventually(lambda: system.as_(policy_token).questions_per_theme(), lambda r: r.total == 14)
    # health (1) is hidden, and work (6) with it: else the total minus housing would give it away.
    visible = {r.theme: r.questions for r in reply.rows if not r.suppressed}
    assert visible == {"housing": 7} and sorted(r.theme for r in reply.rows if r.suppressed) == ["health", "work"]

    page = tmp_path / "kortrijk.html"
    cli(system, secrets, policy_token, "report", "--tenant", "kortrijk", "--out", str(page))
    dom = rendered(page, tmp_path / "profile", tmp_path / "report.png")

    assert dom.count('class="main-svg"') >= 3, "plotly drew no charts"
    assert "Totaal aantal vragen: 14." in dom
    assert re.findall(r'<path class="point"', dom), "the theme chart has no bars"
    figure = re.search(r'Plotly.newPlot\(\s*"[^"]+",\s*(\[.*?\])\s*,\s*\{', page.read_text(), re.S)
    assert figure and '"y":[7]' in figure.group(1).replace(" ", "")  # the one visible count, as the API gave it
    for hidden in (1, 6):  # the hidden counts are not in the page, not even in the chart data
        assert f'"y":[{hidden}]' not in page.read_text().replace(" ", "")
    # Language coverage: 14 Arabic questions, no bridge worker or service offering Arabic: no one covers any of them.
    assert ("<td>Arabisch</td><td>2026-03</td><td>14</td><td>0</td><td>14</td><td>0</td><td>0</td><td>0</td>"
            "<td>ja</td>") in dom  # the language by its Dutch name (was its code before the report named it)
    # The gaps in the offer, as a chart: Arabic housing questions (7) and no service offering housing in Arabic.
    charts = figures(page.read_text())
    [gaps] = [traces for title, traces in charts.items() if "grootste hiaten" in title]
    assert gaps == {"geen aanbod in die taal": {"Wonen · Arabisch": 7}}  # work (6) and health (1) are hidden
    assert dom.count('class="main-svg"') >= 4
    assert (tmp_path / "report.png").stat().st_size > 10_000
