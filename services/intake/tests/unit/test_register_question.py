"""RegisterQuestion: validation names the field, retries are idempotent, the event carries no personal data."""
import pytest
from pydantic import ValidationError

from contracts.envelope import Actor, Role
from services.intake.application.handlers import Context, Deps, handle
from services.intake.domain.commands import RegisterQuestion
from services.plumbing.errors import describe
from services.plumbing.eventstore.memory import InMemoryEventStore

CTX = Context(Actor(staff_id="staff-7", role=Role.FRONT_OFFICE), "corr-1")
VALID = dict(command_id="cmd-00000001", tenant="kortrijk", office_id="huis-van-de-kortrijkzaan", channel="whatsapp",
             themes=("housing", "letters.explain-letter"), client_languages=("ara", "fr"), language_used="ar")


def command(**changes: object) -> RegisterQuestion:
    return RegisterQuestion(**{**VALID, **changes})


async def test_registers_a_question_with_normalised_languages() -> None:
    store = InMemoryEventStore()
    result = await handle(command(), CTX, Deps(store=store))
    [event] = await store.load(result["question_id"])
    assert event.type == "QuestionRegistered" and event.tenant == "kortrijk" and event.stream_version == 1
    assert event.payload["client_languages"] == ["ar", "fr"]
    assert event.actor == CTX.actor and event.correlation_id == "corr-1" and event.causation_id == "cmd-00000001"
    assert result["client_id"].startswith("c-")


async def test_a_retried_command_returns_the_first_answer_and_writes_nothing() -> None:
    store = InMemoryEventStore()
    first = await handle(command(), CTX, Deps(store=store))
    again = await handle(command(), CTX, Deps(store=store))
    assert again == first and len(store.commits) == 1


async def test_a_returning_client_keeps_their_pseudonym() -> None:
    result = await handle(command(client_id="c-known"), CTX, Deps(store=InMemoryEventStore()))
    assert result["client_id"] == "c-known"


@pytest.mark.parametrize(("changes", "field", "reason"), [
    ({"tenant": "gent"}, "tenant", "unknown municipality"),
    ({"channel": "pigeon"}, "channel", "unknown channel"),
    ({"themes": ()}, "themes", "at least 1"),
    ({"themes": ("housing", "astrology")}, "themes", "unknown theme 'astrology'"),
    ({"client_languages": ("xx",)}, "client_languages", "unknown ISO 639 language code"),
    ({"language_used": ""}, "language_used", "unknown ISO 639 language code"),
    ({"command_id": ""}, "command_id", "at least 8"),
    ({"office_id": "a b"}, "office_id", "pattern"),
    ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at", "future"),
])
def test_bad_input_names_the_field_and_the_reason(changes: dict, field: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        command(**changes)
    message = describe(caught.value)
    assert message.startswith(f"{field}") and reason in message, message
