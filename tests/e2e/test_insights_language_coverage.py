"""Language coverage (issue 7, question 4) against the running services, with the default threshold 5: offices, bridge
workers and questions through intake's gRPC API, a service through catalogue's, read back through InsightsService,
the CLI and the report. Every number is worked out by hand in the comments."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from bson import json_util
from pymongo import AsyncMongoClient

from contracts.envelope import Role
from contracts.proto import catalogue_pb2 as cat
from services.plumbing.settings import Settings
from tests.e2e.test_insights_policy import cli
from tests.e2e.test_insights_views import four
from tests.e2e.test_referral_e2e import A, Stubs, cid
from tests.e2e.test_walking_skeleton import KORTRIJK, eventually

pytestmark = pytest.mark.e2e
HUIS, WEST = KORTRIJK["office_id"], "kortrijk-west"
STAFF = ("bw-cov-1", "bw-cov-2", "bw-cov-3", "bw-cov-9")


@pytest.fixture
async def services(settings: Settings, request: pytest.FixtureRequest, secrets: Path, token) -> AsyncIterator[Stubs]:
    """Intake, catalogue, referral and insights as processes, suppression at its default threshold (5)."""
    async with four(settings, request.node.name, secrets, token) as stubs:
        yield stubs


async def offices(s: Stubs, token) -> None:
    """Huis: Arabic + Dutch, and Dutch (its Tigrinya speaker gave Tigrinya up); West: Tigrinya + Dutch. Brugge has a
    Pashto speaker, who must not count for Kortrijk."""
    intake = s.intake
    await intake.intake_call("OpenOffice", office_id=WEST, name=f"Onthaal {WEST}")  # Huis: open for every test
    for office, staff, languages in ((HUIS, STAFF[0], ["ar", "nl"]), (HUIS, STAFF[1], ["nl", "ti"]),
                                     (WEST, STAFF[2], ["ti", "nl"])):
        await intake.intake_call("AddBridgeWorker", office_id=office, staff_id=staff, languages=languages)
    await intake.intake_call("ChangeBridgeWorkerLanguages", office_id=HUIS, staff_id=STAFF[1], languages=["nl"])
    brugge = intake.as_(token(Role.FRONT_OFFICE, "brugge"))
    await brugge.intake_call("OpenOffice", office_id="onthaal", name="Onthaal Brugge")
    await brugge.intake_call("AddBridgeWorker", office_id="onthaal", staff_id=STAFF[3], languages=["ps"])


async def questions(s: Stubs) -> None:
    for office, languages, interpreter, n in ((HUIS, ["ar"], False, 6),    # Arabic at huis: a worker speaks it
                                              (WEST, ["ar"], False, 5),    # Arabic at west: no one → 5
                                              (HUIS, ["ti"], True, 5),     # Tigrinya at huis: no one (any more) → 5
                                              (WEST, ["ti"], False, 1),    # Tigrinya at west: covered
                                              (HUIS, ["ps"], True, 2),     # Pashto: no one anywhere → 2
                                              (WEST, ["fr", "ar"], False, 1)):  # French: a service; Arabic: no one
        for _ in range(n):
            await s.intake.register_question(themes=["housing"], interpreter_needed=interpreter,
                                             **{**KORTRIJK, "office_id": office, "client_languages": languages})


def seen(c: Any) -> int | None:
    return None if c.suppressed else c.value


def table(reply: Any) -> list[tuple[Any, ...]]:
    return [(r.language, r.period, seen(r.questions), seen(r.interpreter_needed), seen(r.no_one_covers))
            for r in [*reply.rows, reply.total]]


# Questions, March: ar 6 + 5 + 1 = 12, ti 5 + 1 = 6, ps 2, fr 1; 20 questions (the fr+ar one once). ps and fr are
# below 5: two hidden in the column, none to add. Interpreter needed: ti 5, ps 2, * 7: ps hidden alone in the column
# would be 7 - 5, so ti (5, the smallest visible) is hidden too.
# No one covers: ar 5 + 1 at west = 6; ti 5 at huis; ps 2; fr 0 (the service offers French). Tigrinya's covered rest
# is 6 - 5 = 1, so its 5 is hidden from the start (it would tell that one Tigrinya question was covered); Pashto's
# questions are hidden, so is its 2. Column: 6 + 5 + 2 + 0 = 13, two hidden: nothing more.
EXPECTED = [("ar", "2026-03", 12, 0, 6), ("fr", "2026-03", None, 0, 0), ("ps", "2026-03", None, None, None),
            ("ti", "2026-03", 6, None, None), ("*", "", 20, 7, 13)]
# Bridge workers now: Arabic 1 (huis), Tigrinya 1 (west; huis's speaker gave it up); Brugge's Pashto speaker is not
# Kortrijk's. The catalogue's one active service offers Dutch and French.
OFFER = [("ar", 1, 1, 0, False), ("fr", 0, 0, 1, False), ("ps", 0, 0, 0, True), ("ti", 1, 1, 0, False)]


async def test_language_coverage_for_policy(services: Stubs, token, secrets: Path, settings: Settings,
                                            tmp_path: Path) -> None:
    s = services
    catalogue = s.catalogue()
    await catalogue.RegisterOrganization(cat.RegisterOrganizationRequest(
        command_id=cid(), organization_id=A, organization=cat.Organization(name=A)))
    await catalogue.RegisterService(cat.RegisterServiceRequest(command_id=cid(), service=cat.Service(
        organization_id=A, name="woonloket", themes=["housing"], languages=["nl", "fr"])))
    await offices(s, token)
    await questions(s)
    policy = s.intake.as_(token(Role.POLICY, "kortrijk"))

    def offer(r: Any) -> list[tuple[Any, ...]]:
        return [(o.language, o.bridge_workers, o.offices, o.services, o.covered_nowhere) for o in r.offer]
    reply = await eventually(lambda: policy.language_coverage(), lambda r: table(r) == EXPECTED and offer(r) == OFFER)
    assert table(reply) == EXPECTED
    assert offer(reply) == OFFER
    [year] = [r for r in (await policy.language_coverage(period="year")).rows if r.language == "ar"]
    assert (year.period, seen(year.questions), seen(year.no_one_covers)) == ("2026", 12, 6)
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await policy.language_coverage(period="week")
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "period" in bad.value.details()
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await s.intake.as_(token(Role.POLICY, "brugge")).language_coverage(tenant="kortrijk")
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED

    policy_token = token(Role.POLICY, "kortrijk")
    csv = cli(s.intake, secrets, policy_token, "coverage", "kortrijk", "--csv").splitlines()
    assert csv == ["language,period,questions,interpreter_needed,no_one_covers,bridge_workers,offices,services,"
                   "covered_nowhere", "Arabisch,2026-03,12,0,6,1,1,0,nee", "Frans,2026-03,<5,0,0,0,0,1,nee",
                   "Poesjto,2026-03,<5,<5,<5,0,0,0,ja", "Tigrinya,2026-03,6,<5,<5,1,1,0,nee", "alle talen,,20,7,13,,,,"]
    page = tmp_path / "kortrijk.html"
    cli(s.intake, secrets, policy_token, "report", "--tenant", "kortrijk", "--out", str(page))
    assert "<h2>Taaldekking</h2>" in page.read_text()
    assert "<td>Poesjto</td><td>2026-03</td><td>&lt;5</td><td>&lt;5</td><td>&lt;5</td><td>0</td><td>0</td><td>0</td>" \
           "<td>ja</td>" in page.read_text()

    mongo: AsyncMongoClient = AsyncMongoClient(settings.mongo_url)
    try:
        database = mongo[settings.database("insights")]
        dump = "".join([json_util.dumps(await database[name].find().to_list())
                        for name in await database.list_collection_names()])
    finally:
        await mongo.close()
    assert "kortrijk-west" in dump  # we did search the views
    assert not [staff for staff in (*STAFF, "staff-e2e") if staff in dump]  # no staff id, of a worker or an actor
