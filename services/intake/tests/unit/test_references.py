"""Every id a command or query names is resolved in the caller's municipality: another's and none look the same."""
import re

import pytest

from services.intake.application import queries
from services.intake.application.references import INSIDE_AGGREGATE, REFERENCES
from services.intake.domain.errors import Unknown
from services.intake.entrypoints.grpc_api import COMMANDS, READS
from services.intake.tests.helpers import Desk, c, cid, client, deps, office, signal

HUIS = "huis-van-de-kortrijkzaan"


@pytest.fixture
async def world() -> tuple[Desk, Desk, dict[str, str]]:
    """Kortrijk and Brugge on one store, each with an office, a client and a question."""
    kortrijk = Desk(deps())
    brugge = Desk(kortrijk.deps, tenant="brugge")
    await brugge.office("onthaal-brugge")
    q = await brugge.register(office_id="onthaal-brugge")
    other = {"question_id": q, "client_id": brugge.deps.views.docs[q]["client_id"], "office_id": "onthaal-brugge"}
    await kortrijk.office(HUIS)
    return kortrijk, brugge, other


def shape(message: str, value: str) -> str:
    return message.replace(repr(value), "'…'")


@pytest.mark.parametrize("field", ["client_id", "office_id"])
async def test_register_question_refuses_another_municipalitys_and_unknown_ids_alike(world, field) -> None:
    kortrijk, _, other = world
    before = dict(kortrijk.deps.store.commits)
    messages = []
    for value in (other[field], "c-nowhere" if field == "client_id" else "nowhere"):
        with pytest.raises(Unknown) as caught:
            await kortrijk.run(c.RegisterQuestion, **{**REGISTER_AT_HUIS, field: value})
        assert str(caught.value).startswith(f"{field}: ")
        messages.append(shape(str(caught.value), value))
    assert messages[0] == messages[1], "no answer tells another municipality's id from one that does not exist"
    assert kortrijk.deps.store.commits == before, "nothing written"


REGISTER_AT_HUIS = dict(office_id=HUIS, channel="whatsapp", themes=("housing",), client_languages=("ar",),
                        language_used="ar")


async def test_every_question_command_and_read_resolves_the_question_first(world) -> None:
    kortrijk, _, other = world
    for cmd, fields in [(c.ClarifyQuestion, dict(themes=("health",))), (c.InformClient, {}),
                        (c.AccompanyClient, dict(service="ocmw", minutes=5)), (c.CloseQuestion, dict(outcome="withdrawn")),
                        (c.ReopenQuestion, {})]:
        for value in (other["question_id"], "q-nowhere"):
            with pytest.raises(Unknown, match=f"^question_id: question {re.escape(repr(value))} does not exist$"):
                await kortrijk.run(cmd, question_id=value, **fields)
    for value in (other["question_id"], "q-nowhere"):
        with pytest.raises(Unknown, match="^question_id: "):
            await queries.get_question(c.GetQuestion(tenant="kortrijk", question_id=value), kortrijk.deps)


async def test_client_and_office_reads_and_commands_resolve_their_ids(world) -> None:
    kortrijk, _, other = world
    for value in (other["client_id"], "c-nowhere"):
        for attempt in (kortrijk.run(client.RecordConsent, client_id=value),
                        kortrijk.run(client.EraseClient, client_id=value),
                        queries.client_questions(c.ListClientQuestions(tenant="kortrijk", client_id=value),
                                                 kortrijk.deps),
                        queries.get_client(client.GetClient(tenant="kortrijk", client_id=value), kortrijk.deps)):
            with pytest.raises(Unknown, match="^client_id: client "):
                await attempt
    for value in (other["office_id"], "nowhere"):
        for attempt in (kortrijk.run(signal.ReportSignal, office_id=value, themes=("housing",), text="Wachtlijst"),
                        kortrijk.run(office.AddBridgeWorker, office_id=value, staff_id="s-1", languages=("nl",)),
                        queries.office_questions(c.ListOfficeQuestions(tenant="kortrijk", office_id=value),
                                                 kortrijk.deps)):
            with pytest.raises(Unknown, match="^office_id: office "):
                await attempt


async def test_an_erased_client_is_still_a_client_of_its_municipality(world) -> None:
    kortrijk, _, _ = world
    cl = (await kortrijk.run(client.RegisterClient))["client_id"]
    await kortrijk.run(client.EraseClient, client_id=cl)
    assert (await kortrijk.run(c.RegisterQuestion, client_id=cl, **REGISTER_AT_HUIS))["client_id"] == cl


async def test_an_office_id_of_another_municipality_opens_an_office_of_ones_own(world) -> None:
    kortrijk, _, other = world
    assert (await kortrijk.run(office.OpenOffice, office_id=other["office_id"], name="Onthaal"))["office_id"]


async def test_a_command_id_used_in_another_municipality_is_as_if_never_used(world) -> None:
    kortrijk, brugge, other = world
    command_id = cid()
    theirs = (await brugge.run(client.RegisterClient, command_id=command_id))["client_id"]
    mine = (await kortrijk.run(client.RegisterClient, command_id=command_id))["client_id"]
    assert mine != theirs and (await kortrijk.run(client.RegisterClient, command_id=command_id))["client_id"] == mine
    q = await kortrijk.register()
    replayed = cid()
    await brugge.run(c.ClarifyQuestion, command_id=replayed, question_id=other["question_id"], themes=("health",))
    reply = await kortrijk.run(c.ClarifyQuestion, command_id=replayed, question_id=q, themes=("work",))
    assert reply["question_id"] == q and kortrijk.deps.views.docs[q]["themes"] == ["work"]


def test_every_id_field_of_every_command_and_query_is_resolved_or_made() -> None:
    models = [m for m, _ in COMMANDS.values()] + [m for m, *_ in READS.values()]
    for model in models:
        for name in model.model_fields:
            if name.endswith("_id") and name != "command_id":
                assert name in REFERENCES or name in getattr(model, "creates", ()) or name in INSIDE_AGGREGATE, \
                    f"{model.__name__}.{name} is neither resolved nor made by the command"
