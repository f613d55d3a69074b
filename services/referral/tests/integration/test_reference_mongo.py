"""Reference documents on FerretDB: the latest state per stream; a replayed or older event changes nothing."""
from __future__ import annotations

from datetime import date

import pytest

from contracts.events import catalogue, intake
from services.referral.tests.support import PARTNER, envelope, first_visits, upstream

pytestmark = pytest.mark.integration


async def test_latest_state_wins_and_replays_change_nothing(deps) -> None:
    registered = upstream()
    closed = envelope(intake.QuestionClosed(question_id="q-1", outcome="answered"), "q-1", 2)
    service_closed = envelope(catalogue.ServiceClosed(service_id="svc-1", status="defunct", reason="gone"), "svc-1", 2)
    for e in [*registered, closed, service_closed, *registered]:  # the registrations are redelivered at the end
        await deps.reference.learn(e)
    question, service = await deps.reference.question("q-1"), await deps.reference.service("svc-1")
    assert (question.status, question.client_id, question.themes) == ("closed", "cl-1", ("housing",))
    assert (service.status, service.organization_id) == ("defunct", PARTNER)
    assert await deps.reference.consent("cl-1") and not await deps.reference.consent("cl-unknown")
    assert await deps.reference.question("q-unknown") is None


async def test_the_first_visit_is_the_earliest_day_in_any_order_and_under_redelivery(deps) -> None:
    events = first_visits()
    for e in [*events, *reversed(events)]:
        await deps.reference.learn(e)
    assert await deps.reference.client_since("cl-1") == date(2026, 3, 11)
    assert await deps.reference.client_since("cl-unknown") is None
