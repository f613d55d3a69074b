"""Refusals built from input stay small: 20,000 unknown themes or a 1 MB municipality make a short message."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.intake.domain.commands import RegisterQuestion
from services.plumbing import statuses

QUESTION = dict(command_id="cmd-00000001", tenant="kortrijk", office_id="o-1", channel="whatsapp", themes=("work",),
                client_languages=("nl",), language_used="nl")


def refusal(**changes: object) -> statuses.Refusal:
    with pytest.raises(ValidationError) as caught:
        RegisterQuestion(**{**QUESTION, **changes})
    refusal = statuses.refusal(caught.value)
    assert refusal is not None
    return refusal


def test_a_megabyte_municipality_is_not_echoed_whole() -> None:
    found = refusal(tenant="x" * 1_000_000)
    assert found.message.startswith("tenant: ") and len(found.message) < 400
    assert "1,0" in found.message and "characters" in found.message
    assert len(found.trailing_metadata()[0][1]) < 1000


def test_twenty_thousand_unknown_themes_make_a_short_message() -> None:
    found = refusal(themes=tuple(f"astrology-{i}" for i in range(20_000)))
    assert len(found.message) < 1000 and len(found.violations) <= 5
