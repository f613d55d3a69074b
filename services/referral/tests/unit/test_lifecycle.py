"""Every transition of the FHIR referral lifecycle, and every refused one with its reason."""
from __future__ import annotations

from datetime import date

import pytest

from contracts.events import catalogue, intake
from services.plumbing.errors import FailedPrecondition, NotFound
from services.referral.application.handlers import handle
from services.referral.domain import commands as c
from services.referral.tests.support import (
    FRONT, PARTNER, PARTNER_CTX, TENANT, args, deps_with, envelope, first_visits, stream, upstream)

REFER = dict(tenant=TENANT, referral_id="r-1", question_id="q-1", service_id="svc-1", mode="warm-handoff")


def partner(cls: type[c.Command], **kw) -> c.Command:
    return cls(**args(referral_id="r-1", organization_id=PARTNER, **kw))


STEPS = {
    "accept": lambda: partner(c.Accept),
    "reject": lambda: partner(c.Reject, reason="no-capacity"),
    "start": lambda: partner(c.Start),
    "hold": lambda: partner(c.Hold, reason="waiting-list"),
    "resume": lambda: partner(c.Resume),
    "complete": lambda: partner(c.Complete, outcome="got-help", went_alone=True),
    "fail": lambda: partner(c.Fail, reason="client-did-not-show"),
    "cancel": lambda: c.Cancel(**args(tenant=TENANT, referral_id="r-1", by="requester", reason="no-longer-needed")),
    "error": lambda: c.MarkEnteredInError(**args(tenant=TENANT, referral_id="r-1")),
}
# path to reach a status → the status
PATHS = {
    "requested": [], "accepted": ["accept"], "rejected": ["reject"], "in-progress": ["accept", "start"],
    "on-hold": ["accept", "start", "hold"], "completed": ["accept", "start", "complete"],
    "failed": ["accept", "fail"], "cancelled": ["cancel"], "entered-in-error": ["error"],
}
ALLOWED = {
    ("requested", "accept"): "accepted", ("requested", "reject"): "rejected",
    ("accepted", "start"): "in-progress", ("in-progress", "hold"): "on-hold", ("on-hold", "resume"): "in-progress",
    ("in-progress", "complete"): "completed",
    ("accepted", "fail"): "failed", ("in-progress", "fail"): "failed", ("on-hold", "fail"): "failed",
    **{(s, "cancel"): "cancelled" for s in ("requested", "accepted", "in-progress", "on-hold")},
    **{(s, "error"): "entered-in-error" for s in PATHS if s != "entered-in-error"},
}


async def referral_in(status: str):
    deps = await deps_with(*upstream())
    await handle(c.ReferToService(**args(**REFER)), FRONT, deps)
    for step in PATHS[status]:
        await handle(STEPS[step](), PARTNER_CTX, deps)
    return deps


@pytest.mark.parametrize("status,step", [(s, step) for s in PATHS for step in STEPS])
async def test_each_transition_from_each_status(status: str, step: str) -> None:
    deps = await referral_in(status)
    if (status, step) in ALLOWED:
        result = await handle(STEPS[step](), PARTNER_CTX, deps)
        assert result["status"] == ALLOWED[(status, step)]
        assert deps.views.docs[stream("r-1")]["status"] == ALLOWED[(status, step)]
    else:
        with pytest.raises(FailedPrecondition) as refused:
            await handle(STEPS[step](), PARTNER_CTX, deps)
        assert f"referral that is {status}" in str(refused.value)


async def test_a_referral_records_question_service_partner_and_mode() -> None:
    deps = await referral_in("requested")
    doc = deps.views.docs[stream("r-1")]
    assert (doc["question_id"], doc["service_id"], doc["organization_id"], doc["office_id"], doc["client_id"]) == \
        ("q-1", "svc-1", PARTNER, "office-1", "cl-1")
    assert (doc["mode"], doc["priority"], doc["themes"], doc["open"]) == ("warm-handoff", "routine", ["housing"], True)


async def test_completion_records_outcome_and_self_reliance() -> None:
    deps = await referral_in("completed")
    doc = deps.views.docs[stream("r-1")]
    assert (doc["outcome"], doc["went_alone"], doc["open"]) == ("got-help", True, False)


async def test_rejection_and_failure_keep_their_reason() -> None:
    assert (await referral_in("rejected")).views.docs[stream("r-1")]["reason"] == "no-capacity"
    assert (await referral_in("failed")).views.docs[stream("r-1")]["reason"] == "client-did-not-show"


@pytest.mark.parametrize("cls,kw", [(c.Reject, {}), (c.Hold, {}), (c.Fail, {}), (c.Complete, {"went_alone": True}),
                                    (c.Reject, {"reason": "bad luck"})])
def test_reasons_and_outcome_are_required_where_the_lifecycle_expects_them(cls, kw) -> None:
    with pytest.raises(ValueError):
        cls(**args(referral_id="r-1", organization_id=PARTNER, **kw))


async def test_another_partner_cannot_see_or_act_on_the_referral() -> None:
    deps = await referral_in("requested")
    with pytest.raises(NotFound):
        await handle(c.Accept(**args(referral_id="r-1", organization_id="vzw-elders")), PARTNER_CTX, deps)
    with pytest.raises(NotFound):
        await handle(c.Cancel(**args(referral_id="r-1", organization_id="vzw-elders", by="partner",
                                     reason="duplicate")), PARTNER_CTX, deps)
    result = await handle(c.Cancel(**args(referral_id="r-1", organization_id=PARTNER, by="partner",
                                          reason="referred-elsewhere")), PARTNER_CTX, deps)
    assert result["status"] == "cancelled"


async def test_another_municipality_cannot_see_the_referral() -> None:
    deps = await referral_in("requested")
    with pytest.raises(NotFound):
        await handle(c.Cancel(**args(tenant="brugge", referral_id="r-1", by="requester", reason="duplicate")),
                     FRONT, deps)


async def test_unknown_referral_is_not_found() -> None:
    deps = await deps_with(*upstream())
    with pytest.raises(NotFound):
        await handle(c.Accept(**args(referral_id="nope", organization_id=PARTNER)), PARTNER_CTX, deps)


async def test_a_retried_command_changes_nothing() -> None:
    deps = await referral_in("requested")
    accept = partner(c.Accept)
    first = await handle(accept, PARTNER_CTX, deps)
    assert await handle(accept, PARTNER_CTX, deps) == first
    assert len(deps.store.commits) == 2


@pytest.mark.parametrize("setup,field,reason", [
    ([envelope(intake.QuestionClosed(question_id="q-1", outcome="answered"), "q-1", 2)], "question_id", "is closed"),
    ([envelope(catalogue.ServiceClosed(service_id="svc-1", status="inactive", reason="moved"), "svc-1", 2)],
     "service_id", "is inactive: refer to an active one"),
])
async def test_referral_refused_with_a_clear_reason(setup, field, reason) -> None:
    deps = await deps_with(*upstream(), *setup)
    with pytest.raises(FailedPrecondition) as refused:
        await handle(c.ReferToService(**args(**REFER)), FRONT, deps)
    assert str(refused.value).startswith(field) and reason in str(refused.value)


async def test_referral_without_consent_is_refused() -> None:
    deps = await deps_with(*upstream(consent=False))
    with pytest.raises(FailedPrecondition) as refused:
        await handle(c.ReferToService(**args(**REFER)), FRONT, deps)
    assert str(refused.value).startswith("consent") and "has not consented" in str(refused.value)


async def test_a_reopened_question_can_be_referred_and_an_urgent_one_is_urgent() -> None:
    deps = await deps_with(*upstream(),
                           envelope(intake.QuestionClosed(question_id="q-1", outcome="answered"), "q-1", 2),
                           envelope(intake.QuestionReopened(question_id="q-1"), "q-1", 3))
    result = await handle(c.ReferToService(**args(**REFER, priority="urgent")), FRONT, deps)
    assert result["status"] == "requested" and deps.views.docs[stream("r-1")]["priority"] == "urgent"


async def test_a_question_or_service_of_another_municipality_is_as_unknown_as_none() -> None:
    """NOT_FOUND naming the field, the same words for another municipality's id and for an id of none."""
    theirs = upstream(question="q-b", service="svc-b", tenant="brugge")
    deps = await deps_with(*upstream(), *theirs)
    for field, ours, values in [("question_id", "q-1", ("q-b", "q-none")), ("service_id", "svc-1", ("svc-b", "x"))]:
        said = []
        for value in values:
            with pytest.raises(NotFound) as unknown:
                await handle(c.ReferToService(**args(**{**REFER, field: value})), FRONT, deps)
            assert unknown.value.field == field
            said.append(str(unknown.value).replace(repr(value), "…"))
        assert said == [f"{field}: {field.removesuffix('_id')} … does not exist"] * 2
    assert deps.store.commits == {}


async def test_a_kortrijk_client_is_never_referred_on_the_strength_of_a_consent_given_elsewhere() -> None:
    """The same client id in two municipalities: Brugge's consent allows nothing in Kortrijk (issue 13.1)."""
    question, service, _, office = upstream()  # Kortrijk recorded no consent for cl-1
    given_in_brugge = upstream(tenant="brugge", consent=True)[2]
    deps = await deps_with(question, service, office, given_in_brugge)
    with pytest.raises(FailedPrecondition, match="^consent:"):
        await handle(c.ReferToService(**args(**REFER)), FRONT, deps)
    assert deps.store.commits == {}


async def test_a_referral_carries_the_clients_first_visit_for_the_self_reliance_cohorts() -> None:
    events = first_visits()
    deps = await deps_with(*upstream(client="cl-1"), *events, *reversed(events))
    assert await deps.reference.client_since(TENANT, "cl-1") == date(2026, 3, 11)
    assert await deps.reference.client_since("brugge", "cl-1") is None
    await handle(c.ReferToService(**args(**REFER)), FRONT, deps)
    [requested] = [e for commit in deps.store.commits.values() for e in commit.events if e.type == "ReferralRequested"]
    assert (requested.schema_version, requested.payload["client_since"]) == (2, "2026-03-11")
