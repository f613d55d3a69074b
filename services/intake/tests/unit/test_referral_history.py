"""A question's history shows its referrals as they progress, learnt from the referral events (fakes only)."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from contracts.envelope import Actor, Envelope, Role
from contracts.events import DomainEvent
from contracts.events import referral as r
from services.intake.application import queries, referrals
from services.intake.entrypoints import translate
from services.intake.tests.helpers import TENANT, Desk, c


def envelope(event: DomainEvent, version: int, at: datetime, tenant: str = TENANT) -> Envelope:
    return Envelope(type=event.event_type, schema_version=event.schema_version, stream_id=event.referral_id,
                    stream_version=version, tenant=tenant, occurred_at=at, correlation_id="corr",
                    actor=Actor(staff_id="partner-9", role=Role.PARTNER), payload=event.model_dump(mode="json"))


def requested(referral_id: str, question_id: str) -> r.ReferralRequested:
    return r.ReferralRequested(referral_id=referral_id, question_id=question_id, client_id="c-1", service_id="svc-1",
                               organization_id="ocmw", office_id="huis", themes=("housing",), mode="warm-handoff")


async def learn(desk: Desk, *envelopes: Envelope) -> None:
    for e in envelopes:
        step = referrals.step_of(e)
        assert step is not None
        await desk.deps.referrals.record(step)


async def test_the_history_ends_with_the_referrals_outcome() -> None:
    desk = Desk()
    q = await desk.register()
    t = datetime.now(UTC) + timedelta(seconds=1)
    events = [envelope(requested("r-1", q), 1, t), envelope(r.ReferralAccepted(referral_id="r-1"), 2, t),
              envelope(r.ReferralCompleted(referral_id="r-1", outcome="got-help", went_alone=True), 3,
                       t + timedelta(hours=2))]
    await learn(desk, *events, events[2], events[0])  # redeliveries change nothing
    found = await queries.get_question(c.GetQuestion(tenant=TENANT, question_id=q), desk.deps)
    detail = translate.question_detail(found)
    assert [h.type for h in detail.history] == ["QuestionRegistered", "ReferralRequested", "ReferralAccepted",
                                                "ReferralCompleted"]
    last = detail.history[-1]
    assert (last.version, last.staff_id, last.occurred_at) == (0, "partner-9", events[2].occurred_at.isoformat())
    assert json.loads(last.details_json) == {"outcome": "got-help", "went_alone": True, "service_id": "svc-1",
                                             "referral_id": "r-1", "referral_version": 3}
    assert detail.stream_version == 1 and detail.history[0].version == 1


async def test_steps_merge_between_the_questions_events_by_time() -> None:
    desk = Desk()
    q = await desk.register()
    await learn(desk, envelope(requested("r-1", q), 1, datetime.now(UTC)),
                envelope(r.ReferralRejected(referral_id="r-1", reason="no-capacity"), 2,
                         datetime.now(UTC) + timedelta(days=1)))
    await desk.run(c.CloseQuestion, question_id=q, outcome="withdrawn")
    found = await queries.get_question(c.GetQuestion(tenant=TENANT, question_id=q), desk.deps)
    assert [h.type for h in translate.question_detail(found).history] == [
        "QuestionRegistered", "ReferralRequested", "QuestionClosed", "ReferralRejected"]
    assert found.timeline[-1].details == {"service_id": "svc-1", "reason": "no-capacity"}


async def test_another_municipalitys_referral_never_shows() -> None:
    desk = Desk()
    q = await desk.register()
    await learn(desk, envelope(requested("r-x", q), 1, datetime.now(UTC), tenant="brugge"))
    found = await queries.get_question(c.GetQuestion(tenant=TENANT, question_id=q), desk.deps)
    assert [h.type for h in translate.question_detail(found).history] == ["QuestionRegistered"]


def test_only_referral_events_make_steps() -> None:
    partner = r.PartnerReferral(referral_id="r-1", organization_id="o", service_id="s", client_id="c",
                                status="requested", change="ReferralRequested", themes=("housing",),
                                client_languages=(), mode="information", priority="routine",
                                requested_at=datetime.now(UTC))
    step = referrals.step_of(envelope(requested("r-1", "q-1"), 1, datetime.now(UTC)))
    assert step is not None and (step.question_id, step.service_id, step.version) == ("q-1", "svc-1", 1)
    assert "client_id" not in step.details and "question_id" not in step.details
    assert referrals.step_of(envelope(partner, 1, datetime.now(UTC))) is None  # the partner topic's copy
