"""The policy views of issue 7 against the running services: intake's questions driven through gRPC, the numbers
worked out by hand. Suppression is off (threshold 1) as these tests follow single questions; it has its own tests."""
from __future__ import annotations

from typing import Any

import pytest

from contracts.envelope import Role
from services.client import Client
from tests.e2e.test_walking_skeleton import KORTRIJK, eventually

pytestmark = pytest.mark.e2e
NEEDS = ("registered", "informed", "referred", "accompanied", "resolved", "unresolved", "gaps")
MARCH, APRIL = "2026-03-10T09:30:00+01:00", "2026-04-08T09:30:00+02:00"


@pytest.fixture(autouse=True)
def exact_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEGWIJS_SUPPRESSION_THRESHOLD", "1")


def table(reply: Any) -> dict[tuple[str, str], dict[str, int]]:
    """Rows as {(theme, period): {measure: count}} with the zero measures left out; the total under ("*", "")."""
    out = {}
    for r in [*reply.rows, reply.total]:
        assert not any(getattr(r, m).suppressed for m in NEEDS)
        out[(r.theme, r.period)] = {m: getattr(r, m).value for m in NEEDS if getattr(r, m).value}
    return out


async def ask(system: Client, rpc: str, **fields: Any) -> Any:
    return await system.intake_call(rpc, **fields)


async def test_unmet_needs_per_theme_period_and_level(system: Client, token) -> None:
    where = {**KORTRIJK, "occurred_at": MARCH}
    q1 = (await system.register_question(themes=["housing.search"], **where)).question_id
    await ask(system, "InformClient", question_id=q1)
    await ask(system, "AccompanyClient", question_id=q1, service="social-housing-desk", minutes=45)
    await ask(system, "RecordGap", question_id=q1, theme="housing.search", reason="no social housing left at all")
    await ask(system, "CloseQuestion", question_id=q1, outcome="gap")
    q2 = (await system.register_question(themes=["housing.social-rental"], **where)).question_id
    await ask(system, "InformClient", question_id=q2)
    await ask(system, "CloseQuestion", question_id=q2, outcome="answered")
    q3 = (await system.register_question(themes=["work"], **where)).question_id
    await ask(system, "ClarifyQuestion", question_id=q3, themes=["income.child-benefit"])
    await ask(system, "CloseQuestion", question_id=q3, outcome="unreachable")
    q4 = (await system.register_question(themes=["housing"], **{**KORTRIJK, "occurred_at": APRIL})).question_id
    await ask(system, "InformClient", question_id=q4)

    policy = system.as_(token(Role.POLICY, "kortrijk"))
    total = {"registered": 4, "informed": 3, "accompanied": 1, "resolved": 1, "unresolved": 2, "gaps": 1}
    reply = await eventually(lambda: policy.unmet_needs(), lambda r: table(r).get(("*", "")) == total)
    assert table(reply) == {
        ("housing", "2026-03"): {"registered": 2, "informed": 2, "accompanied": 1, "resolved": 1, "unresolved": 1,
                                 "gaps": 1},
        ("income", "2026-03"): {"registered": 1, "unresolved": 1},
        ("housing", "2026-04"): {"registered": 1, "informed": 1},
        ("*", ""): total}
    assert "social housing" not in str(reply)  # gap reasons never reach insights

    by_year = table(await policy.unmet_needs(period="year"))
    assert by_year[("housing", "2026")] == {"registered": 3, "informed": 3, "accompanied": 1, "resolved": 1,
                                            "unresolved": 1, "gaps": 1}
    subs = table(await policy.unmet_needs(level="sub", to_month="2026-03"))
    assert subs == {
        ("housing.search", "2026-03"): {"registered": 1, "informed": 1, "accompanied": 1, "unresolved": 1, "gaps": 1},
        ("housing.social-rental", "2026-03"): {"registered": 1, "informed": 1, "resolved": 1},
        ("income.child-benefit", "2026-03"): {"registered": 1, "unresolved": 1},
        ("*", ""): {"registered": 3, "informed": 2, "accompanied": 1, "resolved": 1, "unresolved": 2, "gaps": 1}}
