"""A command id used in another municipality is as if never used, in every service that writes: the command is
carried out as a command of its own (no first answer from the other municipality, no refusal that tells it exists).
"""
from __future__ import annotations

import uuid

import grpc
import pytest

from contracts.envelope import Role
from tests.security.test_references import OTHER, OWN, System, system  # noqa: F401 (the fixture)

pytestmark = pytest.mark.integration


async def test_a_command_id_of_another_municipality_makes_a_command_of_ones_own(system: System) -> None:
    """Commands on a thing that exists (their retries are found by command id before anything is decided)."""
    w = system.world
    for tenant in (OWN, OTHER):
        await w.id("referral", tenant)
        await w.id("organization", tenant)
    writes = [  # rpc, role, the command's fields in a municipality, the reply field naming what it changed
        ("ClarifyQuestion", Role.FRONT_OFFICE, "question_id",
         lambda t: {"question_id": w.made[("question", t)], "themes": ["work"]}),
        ("UpdateOrganization", Role.CATALOGUE_ADMIN, "id",
         lambda t: {"id": w.made[("organization", t)], "changes": {"description": "Nieuw adres"}}),
        ("MarkEnteredInError", Role.FRONT_OFFICE, "referral_id", lambda t: {"referral_id": w.made[("referral", t)]}),
    ]
    failures = []
    for rpc, role, answer, fields in writes:
        command_id = uuid.uuid4().hex
        for tenant in (OTHER, OWN):
            try:
                reply = getattr(await w.call(rpc, role, tenant, command_id=command_id, **fields(tenant)), answer)
            except grpc.aio.AioRpcError as exc:
                reply = f"{exc.code().name} {exc.details()}"
            if reply != (own := next(iter(fields(tenant).values()))):
                failures.append(f"{rpc} in {tenant} with a command id used in {OTHER}: {reply!r}, not {own!r}")
    assert not failures, "\n".join(failures)
