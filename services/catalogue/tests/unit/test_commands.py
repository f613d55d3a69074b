"""Bad input is refused at the edge, naming the field and the reason; codes are made canonical."""
import pytest
from pydantic import ValidationError

from services.catalogue.domain import commands as c
from services.catalogue.tests.support import TENANT, service
from services.plumbing.errors import describe


def register(**changes: object) -> c.RegisterService:
    return c.RegisterService(command_id="cmd-00000001", tenant=TENANT, record=service(**changes))


def test_languages_become_canonical_iso_639_codes() -> None:
    assert register(languages=["NL", "ara", "ar", "tir"]).record.languages == ("nl", "ar", "ti")


@pytest.mark.parametrize(("record", "field", "reason"), [
    ({"themes": ["astrology"]}, "record", "unknown theme 'astrology'"),
    ({"languages": ["xx"]}, "record", "unknown ISO 639 language code"),
    ({"name": ""}, "record.name", "at least 1"),
    ({"status": "gone"}, "record.status", "'active'"),
    ({"eligibility": {"minimum_age": 30, "maximum_age": 18}}, "record", "minimum_age is above"),
    ({"schedules": [{"byday": ["TU"], "opens_at": "12:00", "closes_at": "09:00"}]}, "record", "not before"),
    ({"schedules": [{"byday": ["2TU"]}]}, "record", "not an RFC 5545 weekday for WEEKLY"),
    ({"schedules": [{"byday": ["TU"], "opens_at": "25:00"}]}, "record.schedules[0].opens_at", "a time of day"),
    ({"closures": [{"starts": "2026-12-31", "ends": "2026-12-24"}]}, "record", "ends before it starts"),
    ({"capacity": {"available": -1, "updated": "2026-11-01T09:00:00Z"}}, "record.capacity.available", "0"),
])
def test_bad_records_name_the_field_and_the_reason(record: dict, field: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        register(**record)
    message = describe(caught.value)
    assert message.startswith(field) and reason in message, message


@pytest.mark.parametrize(("make", "field"), [
    (lambda: c.RegisterService(command_id="cmd-00000001", tenant="gent", record=service()), "tenant"),
    (lambda: c.RegisterService(command_id="short", tenant=TENANT, record=service()), "command_id"),
    (lambda: c.UpdateService(command_id="cmd-00000001", tenant=TENANT, entity_id="s", changes={"colour": 1}),
     "changes"),
    (lambda: c.UpdateService(command_id="cmd-00000001", tenant=TENANT, entity_id="s", changes={}), "changes"),
    (lambda: c.CloseService(command_id="cmd-00000001", tenant=TENANT, entity_id="s", reason=""), "reason"),
    (lambda: c.VerifyService(command_id="cmd-00000001", tenant=TENANT, entity_id="s", assured_date="2999-01-01"),
     "assured_date"),
])
def test_bad_commands_name_the_field(make, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make()
    assert describe(caught.value).startswith(field)


def test_an_assured_date_before_the_window_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        c.VerifyService(command_id="cmd-00000001", tenant=TENANT, entity_id="s", assured_date="1999-12-31")
    assert describe(caught.value).startswith("assured_date: ") and "before 2000-01-01" in describe(caught.value)
