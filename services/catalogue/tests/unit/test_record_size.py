"""The generic door check: a command whose event would not fit one Kafka message is refused naming its field."""
import grpc
import pytest

from services.catalogue.adapters.views_memory import InMemoryViews
from services.catalogue.application.handlers import Deps, handle
from services.catalogue.domain import commands as c
from services.catalogue.tests.support import CTX, TENANT, cid, organization
from services.plumbing import statuses
from services.plumbing.errors import InvalidArgument
from services.plumbing.eventstore.memory import InMemoryEventStore

LIMIT = 4096  # as if WEGWIJS_KAFKA_MAX_MESSAGE_BYTES were its least, 4 KiB


async def test_a_command_whose_event_exceeds_the_message_limit_is_refused_naming_the_field() -> None:
    deps = Deps(store=InMemoryEventStore(max_record_bytes=LIMIT), views=InMemoryViews())
    org = await organization(deps)
    command = c.RegisterService(command_id=cid(), tenant=TENANT,
                                record={"name": "Woonloket", "organization_id": org, "description": "x" * 3_900})
    with pytest.raises(InvalidArgument) as refused:
        await handle(command, CTX, deps)
    status = statuses.refusal(refused.value)
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT and status.message.startswith("record.description: too large")
    assert f"{LIMIT:,}" in status.message
    assert len(deps.store.commits) == 1, "only the organisation: nothing of the refused command was written"
