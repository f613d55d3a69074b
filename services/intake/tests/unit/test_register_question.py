"""RegisterQuestion: validation names the field, retries are idempotent, the event carries no personal data."""
import pytest
from pydantic import ValidationError

from contracts.envelope import Actor, Role
from services.intake.application.handlers import Context, Deps, handle
from services.intake.domain.commands import RegisterQuestion
from services.intake.domain.office import OpenOffice
from services.plumbing.errors import describe
from services.plumbing.eventstore.memory import InMemoryEventStore

CTX = Context(Actor(staff_id="staff-7", role=Role.FRONT_OFFICE), "corr-1")
VALID = dict(command_id="cmd-00000001", tenant="kortrijk", office_id="huis-van-de-kortrijkzaan", channel="whatsapp",
             themes=("housing", "letters.explain-letter"), client_languages=("ara", "fr"), language_used="ar")


def command(**changes: object) -> RegisterQuestion:
    return RegisterQuestion(**{**VALID, **changes})


async def opened(store: InMemoryEventStore) -> Deps:
    """Deps whose municipality has the office the questions are registered at."""
    deps = Deps(store=store)
    await handle(OpenOffice(command_id="cmd-office-1", tenant="kortrijk", office_id=VALID["office_id"], name="Huis"),
                 CTX, deps)
    return deps


async def test_registers_a_question_with_normalised_languages() -> None:
    store = InMemoryEventStore()
    result = await handle(command(), CTX, await opened(store))
    [event] = await store.load(result["question_id"])
    assert event.type == "QuestionRegistered" and event.tenant == "kortrijk" and event.stream_version == 1
    assert event.payload["client_languages"] == ["ar", "fr"]
    assert event.actor == CTX.actor and event.correlation_id == "corr-1" and event.causation_id == "cmd-00000001"
    assert result["client_id"].startswith("c-")
    assert [e.type for e in await store.load(result["client_id"])] == ["ClientRegistered"], "a new client's stream"


async def test_a_retried_command_returns_the_first_answer_and_writes_nothing() -> None:
    store = InMemoryEventStore()
    first = await handle(command(), CTX, await opened(store))
    written = len(store.commits)
    again = await handle(command(), CTX, Deps(store=store))
    assert again == first and len(store.commits) == written == 3  # office, client, question


async def test_a_returning_client_keeps_their_pseudonym() -> None:
    deps = await opened(InMemoryEventStore())
    known = (await handle(command(), CTX, deps))["client_id"]
    result = await handle(command(command_id="cmd-00000002", client_id=known), CTX, deps)
    assert result["client_id"] == known


@pytest.mark.parametrize(("changes", "field", "reason"), [
    ({"tenant": "gent"}, "tenant", "unknown municipality"),
    ({"channel": "pigeon"}, "channel", "unknown channel"),
    ({"themes": ()}, "themes", "at least 1"),
    ({"themes": ("housing", "astrology")}, "themes", "unknown theme 'astrology'"),
    ({"client_languages": ("xx",)}, "client_languages", "unknown ISO 639 language code"),
    ({"language_used": ""}, "language_used", "unknown ISO 639 language code"),
    ({"command_id": ""}, "command_id", "at least 8"),
    ({"office_id": "a b"}, "office_id", "should be an id of letters"),
    ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at", "future"),
])
def test_bad_input_names_the_field_and_the_reason(changes: dict, field: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        command(**changes)
    message = describe(caught.value)
    assert message.startswith(f"{field}") and reason in message, message
