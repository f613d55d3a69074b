"""A service's refusal, as the shared mapping (plumbing/statuses.py) sends it, shown beside the field it names in the
reader's language."""
from __future__ import annotations

import grpc
import pytest
from pydantic import BaseModel, Field, ValidationError

from services.plumbing.errors import violations
from services.plumbing.statuses import Refusal, invalid
from services.web import faults, i18n


def rpc_error(refusal: Refusal) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(refusal.code, grpc.aio.Metadata(), grpc.aio.Metadata(*refusal.trailing_metadata()),
                                details=refusal.message)


def test_field_violations_stand_beside_their_form_fields_translated() -> None:
    refusal = Refusal(grpc.StatusCode.INVALID_ARGUMENT, "themes[0]: …", (
        ("themes[0]", "Field required"), ("reason", "contains a phone number and an e-mail address; contact details "
                                                    "are never shown to policy"), ("elsewhere.x", "required")))
    fault = faults.from_rpc(rpc_error(refusal), i18n.language("nl"), {"themes", "reason"})
    assert fault.fields == {"themes": "Verplicht veld",
                            "reason": "bevat een telefoonnummer en een e-mailadres; contactgegevens worden nooit "
                                      "getoond aan het beleid"}
    assert fault.general == ["elsewhere.x: verplicht"]
    french = faults.from_rpc(rpc_error(refusal), i18n.language("fr"), {"themes", "reason"})
    assert french.fields["reason"].startswith("contient un numéro de téléphone et une adresse e-mail")


def test_a_message_naming_its_field_without_details_goes_beside_that_field() -> None:
    refusal = Refusal(grpc.StatusCode.FAILED_PRECONDITION, "consent: client c-1 has not consented")
    fault = faults.from_rpc(rpc_error(refusal), i18n.language("en"), {"consent"})
    assert fault.fields == {"consent": "client c-1 has not consented"} and not fault.general


def test_bounds_are_translated_and_unknown_words_kept() -> None:
    fault = faults.from_rpc(rpc_error(invalid("minutes", "Input should be less than or equal to 1440")),
                            i18n.language("nl"), {"minutes"})
    assert fault.fields == {"minutes": "hoogstens 1440"}
    fault = faults.from_rpc(rpc_error(invalid("note", "something only this service says")), i18n.language("fr"),
                            {"note"})
    assert fault.fields == {"note": "something only this service says"}


def test_a_status_without_a_field_becomes_a_general_message_in_the_readers_language() -> None:
    fault = faults.from_rpc(rpc_error(Refusal(grpc.StatusCode.UNAVAILABLE, "store unavailable")),
                            i18n.language("nl"), {"themes"})
    assert not fault.fields and fault.general[0].startswith("De dienst is nu niet bereikbaar")


async def test_a_read_the_service_cannot_answer_is_the_not_available_page_not_a_crash() -> None:
    import pytest
    from starlette.exceptions import HTTPException

    from services.web.pages.common import found

    async def unavailable() -> None:
        raise rpc_error(Refusal(grpc.StatusCode.UNAVAILABLE, "store unavailable"))

    async def unknown() -> None:
        raise rpc_error(Refusal(grpc.StatusCode.NOT_FOUND, "question_id: question 'q' does not exist"))

    for call, status in ((unavailable, 503), (unknown, 404)):
        with pytest.raises(HTTPException) as caught:
            await found(None, call())  # type: ignore[arg-type]
        assert caught.value.status_code == status


def test_a_value_not_of_its_fields_form_is_refused_in_the_readers_words() -> None:
    """A phone number typed with letters: the service names the form in words (errors.FORMS), the page translates."""
    class ContactDetails(BaseModel):  # intake's field (the web application imports no service)
        phone: str = Field(default="", max_length=40, pattern=r"^[0-9+ ()./-]*$")

    with pytest.raises(ValidationError) as caught:
        ContactDetails(phone="call me maybe")
    [(field, reason)] = violations(caught.value)
    fault = faults.from_rpc(rpc_error(invalid(field, reason)), i18n.language("nl"), {"phone"})
    assert fault.fields == {"phone": "verwacht: een telefoonnummer: alleen cijfers, spaties en + ( ) . / -"}
    fault = faults.from_rpc(rpc_error(invalid(field, reason)), i18n.language("fr"), {"phone"})
    assert fault.fields["phone"].startswith("attendu : un numéro de téléphone")
