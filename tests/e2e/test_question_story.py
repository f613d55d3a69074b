"""A newcomer's whole story through the front office lands on Kafka as the right events, in order."""
from __future__ import annotations

import pytest

from contracts import topics
from contracts.envelope import Envelope
from services.client import Client
from tests.e2e.kafka_read import read_until

pytestmark = pytest.mark.e2e
STORY = ["QuestionRegistered", "QuestionClarified", "QuestionInformed", "ClientAccompanied", "GapRecorded",
         "QuestionClosed", "QuestionReopened"]


async def test_a_newcomers_story_lands_on_kafka_in_order(system: Client, settings) -> None:
    first = await system.intake_call(
        "RegisterQuestion", office_id="huis-van-de-kortrijkzaan", channel="whatsapp", themes=["letters"],
        client_languages=["ar", "fr"], language_used="ar", urgent=True)
    q = first.question_id
    await system.intake_call("ClarifyQuestion", question_id=q, themes=["letters", "housing"], barriers=["language"])
    await system.intake_call("InformClient", question_id=q, themes=["letters"], letter_explained=True)
    await system.intake_call("AccompanyClient", question_id=q, service="sociaal-verhuurkantoor", minutes=75)
    await system.intake_call("RecordGap", question_id=q, theme="housing", reason_code="no-capacity",
                             reason="no emergency housing for families")
    await system.intake_call("CloseQuestion", question_id=q, outcome="gap")
    # Second visit: the same client comes back, recognised by their pseudonym.
    await system.intake_call("ReopenQuestion", question_id=q, reason="came back on a second visit")
    again = await system.intake_call(
        "RegisterQuestion", client_id=first.client_id, office_id="huis-van-de-kortrijkzaan", channel="walk-in",
        themes=["work"], client_languages=["ar"], language_used="nl")

    def mine(records):
        return [Envelope.from_bytes(r.value) for r in records if r.key == q.encode()]
    records = await read_until(settings, [topics.INTAKE_QUESTIONS], lambda rs: len(mine(rs)) >= len(STORY))
    story = mine(records)
    assert [e.type for e in story] == STORY
    assert [e.stream_version for e in story] == list(range(1, 8))
    assert all(e.tenant == "kortrijk" and e.actor.staff_id == "staff-e2e" for e in story)
    assert story[0].payload["channel"] == "whatsapp" and story[5].payload["outcome"] == "gap"

    open_now = await system.intake_call("ListClientQuestions", client_id=first.client_id)
    assert {x.question_id for x in open_now.questions} == {q, again.question_id}
    history = await system.intake_call("GetQuestion", question_id=q)
    assert [h.type for h in history.history] == STORY
