"""Every kind of poison is told at decoding, live and in a rebuild alike: not an envelope, an event type the contracts
do not know, a schema version newer than this code knows (found by tests/faults: the last two passed as events no
view reads, and were dropped without a dead letter)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.envelope import Actor, Envelope, Role
from contracts.events import registry
from contracts.events.intake import QuestionRegistered
from services.plumbing.projection.folding import Rejected, decode

TOPIC = "wegwijs.intake.question.v1"
CURRENT = registry.current(QuestionRegistered.event_type).schema_version


def envelope(type_: str = QuestionRegistered.event_type, version: int = CURRENT) -> bytes:
    return Envelope(type=type_, schema_version=version, stream_id="question-1", stream_version=1, tenant="kortrijk",
                    correlation_id="corr-1", occurred_at=datetime(2026, 3, 10, tzinfo=UTC),
                    actor=Actor(staff_id="staff-1", role=Role.FRONT_OFFICE), payload={}).to_bytes()


@pytest.mark.parametrize(("value", "error"), [
    (b"\xff{not an envelope", "not an event envelope"),
    (envelope("QuestionTeleported"), "unknown event type 'QuestionTeleported'"),
    (envelope(version=CURRENT + 98), f"QuestionRegistered v{CURRENT + 98} is newer than this code knows"),
], ids=["garbage", "unknown type", "future version"])
def test_poison_is_rejected_with_its_error(value: bytes, error: str) -> None:
    rejected = decode((TOPIC, 0, 7, b"question-1", value))
    assert isinstance(rejected, Rejected) and error in rejected.error and rejected.value == value


def test_a_known_type_at_a_known_version_decodes() -> None:
    assert not isinstance(decode((TOPIC, 0, 7, b"question-1", envelope())), Rejected)
    if CURRENT > 1:  # an older version is upcast on read, never refused here
        assert not isinstance(decode((TOPIC, 0, 7, b"question-1", envelope(version=CURRENT - 1))), Rejected)
