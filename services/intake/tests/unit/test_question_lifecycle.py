"""The question's lifecycle: every transition in the state it fits, and refused with a clear reason otherwise."""
import pytest
from pydantic import ValidationError

from services.intake.domain.errors import QuestionRuleViolated, Unknown
from services.intake.tests.helpers import Desk, c, client
from services.plumbing.errors import describe


@pytest.fixture
def desk() -> Desk:
    return Desk()


async def test_the_whole_life_of_a_question_in_order(desk: Desk) -> None:
    q = await desk.register(barriers=("language",))
    await desk.run(c.ClarifyQuestion, question_id=q, themes=("housing", "health"), barriers=("language", "digital"))
    await desk.run(c.InformClient, question_id=q, themes=("health",), letter_explained=True)
    await desk.run(c.AccompanyClient, question_id=q, service="ocmw-kortrijk", minutes=90)
    await desk.run(c.RecordGap, question_id=q, theme="housing", reason_code="not-eligible",
                   reason="no emergency housing for single men")
    closed = await desk.run(c.CloseQuestion, question_id=q, outcome="gap")
    reopened = await desk.run(c.ReopenQuestion, question_id=q, reason="second visit")
    assert await desk.types(q) == ["QuestionRegistered", "QuestionClarified", "QuestionInformed", "ClientAccompanied",
                                   "GapRecorded", "QuestionClosed", "QuestionReopened"]
    assert (closed["status"], reopened["status"], reopened["stream_version"]) == ("closed", "open", 7)
    [registered] = [e for e in await desk.deps.store.load(q) if e.type == "QuestionRegistered"]
    assert registered.schema_version == 2 and registered.payload["barriers"] == ["language"]


async def test_inform_without_themes_means_all_the_questions_themes(desk: Desk) -> None:
    q = await desk.register()
    await desk.run(c.InformClient, question_id=q)
    informed = (await desk.deps.store.load(q))[-1]
    assert informed.payload["themes"] == ["housing", "letters.explain-letter"]


@pytest.mark.parametrize("command", [
    lambda q: (c.ClarifyQuestion, dict(question_id=q, themes=("work",))),
    lambda q: (c.InformClient, dict(question_id=q)),
    lambda q: (c.AccompanyClient, dict(question_id=q, service="vdab", minutes=30)),
    lambda q: (c.RecordGap, dict(question_id=q, theme="housing", reason_code="no-service")),
    lambda q: (c.CloseQuestion, dict(question_id=q, outcome="withdrawn")),
])
async def test_a_closed_question_refuses_work_until_reopened(desk: Desk, command) -> None:
    q = await desk.register()
    await desk.run(c.CloseQuestion, question_id=q, outcome="unreachable")
    cls, fields = command(q)
    with pytest.raises(QuestionRuleViolated, match="question_id: .* is closed; reopen it first"):
        await desk.run(cls, **fields)
    await desk.run(c.ReopenQuestion, question_id=q)
    await desk.run(cls, **fields)


async def test_an_open_question_cannot_be_reopened(desk: Desk) -> None:
    q = await desk.register()
    with pytest.raises(QuestionRuleViolated, match="is open; only a closed one reopens"):
        await desk.run(c.ReopenQuestion, question_id=q)


@pytest.mark.parametrize(("cls", "fields"), [
    (c.ClarifyQuestion, dict(themes=("work",))), (c.InformClient, {}), (c.ReopenQuestion, {}),
    (c.AccompanyClient, dict(service="vdab", minutes=5)), (c.CloseQuestion, dict(outcome="referred")),
])
async def test_an_unknown_question_is_not_found(desk: Desk, cls, fields) -> None:
    with pytest.raises(Unknown, match="question_id"):
        await desk.run(cls, question_id="q-nope", **fields)


async def test_another_municipality_cannot_see_or_touch_a_question(desk: Desk) -> None:
    q = await desk.register()
    brugge = Desk(desk.deps, tenant="brugge")
    with pytest.raises(Unknown):
        await brugge.run(c.CloseQuestion, question_id=q, outcome="withdrawn")
    assert await desk.types(q) == ["QuestionRegistered"]


async def test_clarification_must_change_something(desk: Desk) -> None:
    q = await desk.register()
    with pytest.raises(QuestionRuleViolated, match="themes: .*nothing to clarify"):
        await desk.run(c.ClarifyQuestion, question_id=q, themes=("housing", "letters.explain-letter"))


async def test_information_about_a_theme_not_of_the_question_needs_clarification(desk: Desk) -> None:
    q = await desk.register()
    with pytest.raises(QuestionRuleViolated, match="themes: 'work' is not a theme of this question"):
        await desk.run(c.InformClient, question_id=q, themes=("work",))


async def test_a_gap_is_about_a_theme_of_the_question_and_recorded_once(desk: Desk) -> None:
    q = await desk.register()
    with pytest.raises(QuestionRuleViolated, match="theme: 'work' is not a theme"):
        await desk.run(c.RecordGap, question_id=q, theme="work", reason_code="no-service")
    await desk.run(c.RecordGap, question_id=q, theme="housing", reason_code="no-service")
    with pytest.raises(QuestionRuleViolated, match="already recorded"):
        await desk.run(c.RecordGap, question_id=q, theme="housing", reason_code="cost")


@pytest.mark.parametrize(("fields", "field", "reason"), [
    ({}, "reason_code", "Field required"),
    ({"reason_code": "astrology"}, "reason_code", "'no-service'"),
    ({"reason_code": "other"}, "reason", "say in words why"),
    ({"reason_code": "other", "reason": "   "}, "reason", "say in words why"),
])
def test_a_gap_says_why_as_a_code_and_in_words_when_other(fields: dict, field: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        c.RecordGap(tenant="kortrijk", command_id="cmd-00000001", question_id="q-1", theme="housing", **fields)
    message = describe(caught.value)
    assert message.startswith(f"{field}: ") and reason in message, message


async def test_the_gap_event_carries_the_code_and_the_words(desk: Desk) -> None:
    q = await desk.register()
    await desk.run(c.RecordGap, question_id=q, theme="housing", reason_code="other", reason="only for over-65s")
    gap = (await desk.deps.store.load(q))[-1]
    assert (gap.type, gap.schema_version) == ("GapRecorded", 2)
    assert gap.payload == {"question_id": q, "theme": "housing", "reason_code": "other", "reason": "only for over-65s"}


@pytest.mark.parametrize(("outcome", "needs"), [("answered", "informed or accompanied"), ("gap", "gap recorded")])
async def test_closing_with_an_outcome_needs_what_the_outcome_claims(desk: Desk, outcome: str, needs: str) -> None:
    q = await desk.register()
    with pytest.raises(QuestionRuleViolated, match=f"outcome: .*{needs}"):
        await desk.run(c.CloseQuestion, question_id=q, outcome=outcome)


async def test_answered_after_accompaniment_closes(desk: Desk) -> None:
    q = await desk.register()
    await desk.run(c.AccompanyClient, question_id=q, service="stad-kortrijk-wonen", minutes=45)
    assert (await desk.run(c.CloseQuestion, question_id=q, outcome="answered"))["status"] == "closed"


async def test_a_retried_transition_answers_the_same_and_writes_once(desk: Desk) -> None:
    q = await desk.register()
    first = await desk.run(c.CloseQuestion, question_id=q, outcome="withdrawn", command_id="close-0001")
    again = await desk.run(c.CloseQuestion, question_id=q, outcome="withdrawn", command_id="close-0001")
    assert first == again and await desk.types(q) == ["QuestionRegistered", "QuestionClosed"]


async def test_a_concurrent_append_is_retried_on_the_new_state(desk: Desk) -> None:
    q = await desk.register()
    store, real_load, calls = desk.deps.store, desk.deps.store.load, []

    async def stale_once(stream_id: str, cached: bool = False):  # misses what another worker appended
        events = await real_load(stream_id, cached)
        calls.append(1)
        return events[:1] if len(calls) == 1 else events
    await desk.run(c.InformClient, question_id=q)
    store.load = stale_once  # type: ignore[method-assign]
    result = await desk.run(c.AccompanyClient, question_id=q, service="vdab", minutes=10)
    assert result["stream_version"] == 3 and len(calls) == 2


async def test_the_query_model_follows_every_transition(desk: Desk) -> None:
    returning = (await desk.run(client.RegisterClient))["client_id"]
    q = await desk.register(client_id=returning)
    [doc] = await desk.deps.views.of_client("kortrijk", returning, open_only=True)
    assert doc["_id"] == q and doc["status"] == "open" and doc["office_id"] == "huis-van-de-kortrijkzaan"
    await desk.run(c.CloseQuestion, question_id=q, outcome="withdrawn")
    assert not await desk.deps.views.of_client("kortrijk", returning, open_only=True)
    assert (await desk.deps.views.of_client("kortrijk", returning))[0]["outcome"] == "withdrawn"
