"""The bridge worker's questions, answered from the query model: filters, ranking, paging."""
from datetime import UTC, date, datetime, time

import pytest
from pydantic import ValidationError

from services.catalogue.application.handlers import Deps, handle
from services.catalogue.application.queries import search_services
from services.catalogue.domain import commands as c
from services.catalogue.domain.search import ServiceQuery
from services.catalogue.tests.support import CTX, TENANT, cid, location, offered, organization

AFTERNOON = [{"byday": ["TU"], "opens_at": "13:30", "closes_at": "16:30"}]
PAID = [{"option": "Bijdrage", "amount": 10, "currency": "EUR"}]
TUESDAY_MORNING = dict(weekday="TU", time_from=time(8), time_to=time(12))


async def names(deps: Deps, **query) -> list[str]:
    result = await search_services(ServiceQuery(tenant=TENANT, **query), deps)
    return [h.candidate.record.name for h in result.hits]


@pytest.fixture
async def city(deps: Deps) -> Deps:
    org = await organization(deps)
    centre = await location(deps, org, wheelchair_accessible=True)
    village = await location(deps, org, city="Markegem")
    await offered(deps, org, centre, name="Woonloket")
    await offered(deps, org, village, name="Huurdersbond", cost_options=PAID)
    await offered(deps, org, centre, name="Woonwinkel namiddag", schedules=AFTERNOON)
    await offered(deps, org, centre, name="Sociaal Verhuurkantoor", languages=["nl", "fr"])
    await offered(deps, org, centre, name="Schoolinschrijving", themes=["education.school-registration"],
                  languages=["nl", "ar", "fr"])
    await offered(deps, org, village, name="Tolkenpunt wonen", themes=["housing"], languages=["nl"],
                  interpretation_services="Tolk op afspraak")
    await offered(deps, org, centre, name="Huisvesting Tigrinya", languages=["ti", "nl"])
    closed = await offered(deps, org, centre, name="Oud woonloket")
    await handle(c.CloseService(command_id=cid(), tenant=TENANT, entity_id=closed, reason="gestopt"), CTX, deps)
    return deps


async def test_arabic_speaking_housing_help_open_on_tuesday_morning_free(city: Deps) -> None:
    assert await names(city, theme="housing", language="ar", free_only=True, **TUESDAY_MORNING) == ["Woonloket"]


async def test_interpretation_widens_the_answer_and_ranks_lower(city: Deps) -> None:
    assert await names(city, theme="housing", language="ar", free_only=True, include_interpretation=True,
                       **TUESDAY_MORNING) == ["Woonloket", "Tolkenpunt wonen"]


async def test_school_registration_in_tigrinya_returns_nothing_when_nothing_exists(city: Deps) -> None:
    assert await names(city, theme="education.school-registration", language="ti") == []
    assert await names(city, theme="education.school-registration", language="ar") == ["Schoolinschrijving"]


async def test_a_general_service_of_the_parent_theme_answers_a_sub_theme(city: Deps) -> None:
    found = await names(city, theme="housing.search", language="nl", include_closed=False)
    assert "Tolkenpunt wonen" in found and "Schoolinschrijving" not in found and "Oud woonloket" not in found
    assert found.index("Tolkenpunt wonen") > found.index("Woonloket")


async def test_municipality_accessibility_and_closed_services(city: Deps) -> None:
    assert set(await names(city, municipality="markegem")) == {"Huurdersbond", "Tolkenpunt wonen"}
    assert "Huurdersbond" not in await names(city, accessible_only=True)
    assert "Oud woonloket" in await names(city, include_closed=True)


async def test_open_at_an_instant_and_on_a_date_with_closures(deps: Deps) -> None:
    org = await organization(deps)
    await offered(deps, org, name="Kerst dicht", closures=[{"starts": "2026-12-24", "ends": "2027-01-01"}])
    tuesday_10h = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10:00 in Brussels
    assert await names(deps, open_at=tuesday_10h) == ["Kerst dicht"]
    assert await names(deps, open_at=datetime(2026, 12, 1, 11, 30, tzinfo=UTC)) == []
    assert await names(deps, open_on=date(2026, 12, 29)) == []
    assert await names(deps, open_on=date(2027, 1, 5), time_from=time(9)) == ["Kerst dicht"]


async def test_capacity_and_waiting_lists(deps: Deps) -> None:
    org = await organization(deps)
    updated = "2026-11-01T09:00:00Z"
    await offered(deps, org, name="Vol", capacity={"available": 0, "updated": updated, "waiting_list": True})
    await offered(deps, org, name="Plaats", capacity={"available": 3, "updated": updated})
    assert await names(deps, with_capacity=True) == ["Plaats"]
    assert await names(deps) == ["Plaats", "Vol"]


async def test_recently_verified_services_rank_first_and_pages_follow_each_other(deps: Deps) -> None:
    org = await organization(deps)
    for name in ("A", "B", "C", "D", "E"):
        await offered(deps, org, name=name)
    sid = await offered(deps, org, name="Z geverifieerd")
    await handle(c.VerifyService(command_id=cid(), tenant=TENANT, entity_id=sid), CTX, deps)
    first = await search_services(ServiceQuery(tenant=TENANT, page_size=4), deps)
    rest = await search_services(ServiceQuery(tenant=TENANT, page_size=4, offset=first.next_offset), deps)
    assert [h.candidate.record.name for h in first.hits + rest.hits] == ["Z geverifieerd", "A", "B", "C", "D", "E"]
    assert first.total == 6 and rest.next_offset is None


@pytest.mark.parametrize(("query", "field"), [
    ({"theme": "astrology"}, "theme"), ({"language": "xx"}, "language"), ({"page_size": 500}, "page_size"),
    ({"weekday": "XX"}, "weekday"), ({"weekday": "TU", "open_on": "2026-12-01"}, "at most one"),
])
def test_bad_queries_name_the_field(query: dict, field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        ServiceQuery(tenant=TENANT, **query)


async def test_stated_eligibility_excludes_unknown_does_not(deps: Deps) -> None:
    org = await organization(deps)
    await offered(deps, org, name="Jongeren", eligibility={"minimum_age": 12, "maximum_age": 25})
    await offered(deps, org, name="Met verblijfsvergunning", eligibility={"residence_status_required": True})
    await offered(deps, org, name="Iedereen")
    assert await names(deps, age=40) == ["Iedereen", "Met verblijfsvergunning"]
    assert await names(deps, age=16, without_residence_status=True) == ["Iedereen", "Jongeren"]
