"""The policy dashboard in-process, on answers as InsightsService gives them (a client that answers from protobuf
messages made here): Dutch labels and names instead of codes and ids, "<5" for every hidden count in the page and
the CSV alike, the CSV's numbers those of the answer, charts from visible counts only, the filters passed on."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import grpc
import pytest
from starlette.testclient import TestClient

from contracts.proto import insights_pb2 as ins
from services.plumbing import devsecrets
from services.plumbing.settings import Settings
from services.web.app import create_app
from services.web.config import WebSettings
from services.web import names
from services.web.tests.conftest import signed_in
from services.web.tests.exports import Export

SERVICE, ORG = "11111111-2222-5333-8444-555555555555", "99999999-8888-5777-8666-555555555555"


def count(value: int) -> ins.Count:
    return ins.Count(value=-1, suppressed=True) if value < 0 else ins.Count(value=value)


def answers() -> dict[str, Any]:
    needs_row = dict(registered=count(40), informed=count(12), referred=count(-1), accompanied=count(7),
                     resolved=count(20), unresolved=count(-1), gaps=count(9))
    return {
        "QuestionsPerTheme": ins.QuestionsPerThemeResponse(rows=[
            ins.ThemeMonthCount(theme="housing", month="2026-10", questions=17),
            ins.ThemeMonthCount(theme="housing.search", month="2026-10", questions=-1, suppressed=True),
            ins.ThemeMonthCount(theme="work", month="2026-10", questions=-1, suppressed=True)],
            total=23, threshold=5),
        "UnmetNeeds": ins.UnmetNeedsResponse(
            rows=[ins.UnmetNeedsRow(theme="housing", period="2026-10", **needs_row)],
            total=ins.UnmetNeedsRow(theme="*", **needs_row), threshold=5,
            gap_reasons=[ins.GapReasonCount(theme="*", period="2026-10", reason="no-capacity", gaps=count(6)),
                         ins.GapReasonCount(theme="*", period="2026-10", reason="language", gaps=count(-1))]),
        "ServiceAccess": ins.ServiceAccessResponse(
            rows=[ins.ServiceAccessRow(organization_id=ORG, service_id=SERVICE, period="2026-10",
                                       requested=count(30), accepted=count(20), rejected=count(6),
                                       completed=count(11), failed=count(-1), accompanied=count(8),
                                       median_days_to_acceptance="1", share_accompanied=0.26)],
            total=ins.ServiceAccessRow(requested=count(30)), threshold=5),
        "WorkloadByChannel": ins.WorkloadByChannelResponse(rows=[
            ins.ChannelCount(office="huis-van-de-kortrijkzaan", channel="whatsapp", month="2026-10", questions=14,
                             accompaniments=count(6), minutes_accompanying=count(300)),
            ins.ChannelCount(office="buurtpunt-overleie", channel="walk-in", month="2026-10", questions=-1,
                             suppressed=True, accompaniments=count(-1), minutes_accompanying=count(-1))],
            total=20, threshold=5, accompaniments=count(8), minutes_accompanying=count(-1)),
    }


class Answering:
    """Stands in for services.client.Client: answers each rpc with the message of `answers()`, records requests."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, dict[str, Any]]] = []
        self.export = Export({  # the dashboard's service and organisation on the second page of each
            ("kortrijk", "service"): [{"id": "s-0", "name": "Taalpunt"},
                                      {"id": SERVICE, "name": "Woonwinkel Leiebrugge", "organization_id": ORG}],
            ("kortrijk", "organization"): [{"id": "o-0", "name": "Taalpunt vzw"}, {"id": ORG, "name": "OCMW Leiebrugge"}]})

    def as_(self, _token: str) -> Answering:
        return self

    async def insights_call(self, rpc: str, **fields: Any) -> Any:
        self.asked.append((rpc, fields))
        return answers()[rpc]

    async def catalogue_call(self, rpc: str, **fields: Any) -> Any:
        return self.export.answer(rpc, fields)

    async def close(self) -> None:
        return None


@pytest.fixture
def fake() -> Answering:
    names.forget()
    return Answering()


@pytest.fixture
def browser(web_secrets: Path, fake: Answering) -> TestClient:
    return signed_in(web_secrets, fake, role="policy", municipality="kortrijk")


def test_themes_are_shown_by_their_dutch_label_and_hidden_counts_as_below_five(browser: TestClient) -> None:
    page = browser.get("/policy/themes").text
    assert "Wonen" in page and "Werk" in page
    assert "housing" not in re.sub(r"<[^>]+>", "", page).split("Vragen per thema en maand", 1)[-1].split("CSV")[0]
    assert page.count("&lt;5") >= 2
    assert "Aantallen onder 5 zijn verborgen en staan er als <5" in page  # the threshold of the API answer


def test_services_and_organisations_appear_by_name_never_by_id(browser: TestClient) -> None:
    page = browser.get("/policy/services").text
    assert "Woonwinkel Leiebrugge" in page and "OCMW Leiebrugge" in page
    assert SERVICE not in page and ORG not in page


def test_the_names_are_read_page_by_page_as_a_catalogue_of_any_size_needs(browser: TestClient, fake: Answering
                                                                          ) -> None:
    """ExportHsds's one message is refused above about 1,900 services: the names come from ExportHsdsPage."""
    names.forget()  # the development sign-in page read them to list the partners
    fake.export.asked.clear()
    page = browser.get("/policy/services").text
    assert "Woonwinkel Leiebrugge" in page and "OCMW Leiebrugge" in page
    assert {(a["kind"], a["page_token"]) for a in fake.export.asked} == {
        ("service", ""), ("service", "1"), ("organization", ""), ("organization", "1")}
    assert all(a["tenant"] == "kortrijk" for a in fake.export.asked)
    browser.get("/policy/needs")
    assert len(fake.export.asked) == 4, "kept a few minutes, not read again for the next view"


def test_the_csv_has_the_numbers_of_the_answer_and_the_same_hidden_mark(browser: TestClient) -> None:
    answer = browser.get("/policy/themes.csv?table=0")
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    by_theme = {r[0]: r[2] for r in rows[1:]}
    assert by_theme["Wonen"] == "17" and by_theme["Werk"] == "<5" and rows[-1][2] == "23"


def test_charts_are_drawn_from_visible_counts_only(browser: TestClient) -> None:
    page = browser.get("/policy/themes").text
    figure = json.loads(re.search(r"data-chart='([^']+)'", page).group(1).replace("&#34;", '"'))
    values = {trace["name"]: trace["y"] for trace in figure["data"]}
    assert figure["layout"]["xaxis"]["type"] == "category"  # months are labels, not dates on a time axis
    assert values["Wonen"] == [17] and values["Werk"] == [None]
    assert "1 aantal onder de drempel" in page or "aantallen onder de drempel" in page


def test_the_filters_reach_the_api_and_the_office_picks_rows(browser: TestClient, fake: Answering) -> None:
    browser.get("/policy/needs?period=week&level=sub&from_month=2026-01&to_month=2026-10")
    assert ("UnmetNeeds", {"from_month": "2026-01", "to_month": "2026-10", "period": "week", "level": "sub"}) \
        in fake.asked
    page = browser.get("/policy/workload?office=buurtpunt-overleie").text
    assert "Buurtpunt Overleie" in page and "WhatsApp" not in page.split("<tbody>")[1]


def test_other_roles_may_not_open_the_dashboard(web_secrets: Path, fake: Answering) -> None:
    settings = Settings(jwt_private_key_file=web_secrets / "jwt-private.pem", tls_ca_file=None)
    config = WebSettings(session_secret_file=web_secrets / devsecrets.WEB_SESSION_SECRET, dev_signin=True)
    with TestClient(create_app(config, settings, backend=fake), follow_redirects=False) as client:
        assert client.get("/policy/themes").status_code == 303  # to sign in
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/dev/signin").text).group(1)  # type: ignore
        client.post("/dev/signin", data={"csrf": csrf, "role": "front-office", "municipality": "kortrijk"})
        assert client.get("/policy/themes").status_code == 403


class TooSlow(grpc.aio.AioRpcError):
    def __init__(self) -> None:
        super().__init__(grpc.StatusCode.DEADLINE_EXCEEDED, grpc.aio.Metadata(), grpc.aio.Metadata(), "deadline")


def test_a_service_that_does_not_answer_in_time_gives_503_and_says_so(browser: TestClient, fake: Answering
                                                                      ) -> None:
    async def slow(rpc: str, **fields: Any) -> Any:
        raise TooSlow()
    fake.insights_call = slow  # type: ignore[method-assign]
    page = browser.get("/policy/themes")
    assert page.status_code == 503
    assert "De dienst antwoordde niet op tijd" in page.text
    assert browser.get("/policy/themes.csv").status_code == 503
