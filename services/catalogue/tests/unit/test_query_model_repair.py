"""The event store is the truth: a query model left behind (a crash after an append) is repaired by the next command."""
import pytest

from services.catalogue.adapters.views_memory import InMemoryViews
from services.catalogue.application.cached_views import CachedViews
from services.catalogue.application.handlers import Deps, handle
from services.catalogue.domain import commands as c
from services.catalogue.tests.support import CTX, TENANT, cid, offered, organization, stream
from services.catalogue.tests.views_contract import ViewsContract


async def test_a_missing_view_is_rebuilt_from_the_stream(deps: Deps) -> None:
    sid = await offered(deps, await organization(deps))
    del deps.views.docs[("service", TENANT, sid)]
    result = await handle(c.UpdateService(command_id=cid(), tenant=TENANT, entity_id=sid, changes={"name": "Nieuw"}),
                          CTX, deps)
    assert result["version"] == 2
    assert (await deps.views.get("service", TENANT, sid))["record"]["name"] == "Nieuw"


async def test_a_view_one_change_behind_is_decided_again_on_the_stream(deps: Deps) -> None:
    sid = await offered(deps, await organization(deps))
    stale = await deps.views.get("service", TENANT, sid)
    await handle(c.UpdateService(command_id=cid(), tenant=TENANT, entity_id=sid, changes={"name": "Eén"}), CTX, deps)
    deps.views.docs[("service", TENANT, sid)] = stale  # as if the write after the append was lost
    await handle(c.UpdateService(command_id=cid(), tenant=TENANT, entity_id=sid, changes={"alert": "Dicht"}),
                 CTX, deps)
    doc = await deps.views.get("service", TENANT, sid)
    assert (doc["version"], doc["record"]["name"], doc["record"]["alert"]) == (3, "Eén", "Dicht")
    assert [e.stream_version for e in await deps.store.load(stream("service", sid))] == [1, 2, 3]


async def test_registering_again_under_a_known_id_is_refused_even_without_a_view(deps: Deps) -> None:
    org = await organization(deps)
    del deps.views.docs[("organization", TENANT, org)]
    same = await handle(c.RegisterOrganization(command_id=cid(), tenant=TENANT, organization_id=org,
                                               record={"name": "OCMW Leiebrugge"}), CTX, deps)
    assert same == {"id": org, "version": 1, "changed": False}


class TestCachedViews(ViewsContract):
    @pytest.fixture
    async def views(self) -> CachedViews:
        return await CachedViews.of(InMemoryViews(), "kortrijk")
