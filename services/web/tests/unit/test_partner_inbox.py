"""The partner inbox in-process, on a client standing in for ReferralService and CatalogueService: each referral names
its service and its organisation as the catalogue of the referral's municipality calls them (read page by page),
never by id; a municipality whose catalogue does not answer leaves its referrals without names, not the inbox."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import grpc
import pytest
from starlette.testclient import TestClient

from contracts.proto import referral_pb2 as ref
from services.web import names
from services.web.tests.conftest import make_app, signed_in
from services.web.tests.exports import Export

PARTNER = "0b7c3f52-1d1e-5a57-9a9e-4a5c2d7d1e01"
K_SERVICE, B_SERVICE = "5f0e8b0e-58a4-5c39-8c32-7d4b5f8a0a11", "5f0e8b0e-58a4-5c39-8c32-7d4b5f8a0a22"


class Down(grpc.aio.AioRpcError):
    def __init__(self) -> None:
        super().__init__(grpc.StatusCode.UNAVAILABLE, grpc.aio.Metadata(), grpc.aio.Metadata(), "down")


class Partner:
    def __init__(self) -> None:
        self.down: set[str] = set()
        self.export = Export({
            ("kortrijk", "service"): [{"id": "s-0", "name": "Taalpunt"},
                                      {"id": K_SERVICE, "name": "Woonwinkel Leiebrugge"}],
            ("kortrijk", "organization"): [{"id": "o-0", "name": "Taalpunt vzw"},
                                           {"id": PARTNER, "name": "Huurdersbond West"}],
            ("brugge", "service"): [{"id": B_SERVICE, "name": "Huurpunt Brugge"}],
            ("brugge", "organization"): [{"id": PARTNER, "name": "Huurdersbond West"}]})

    def as_(self, _token: str) -> Partner:
        return self

    async def referral_call(self, rpc: str, **fields: Any) -> Any:
        assert rpc == "ListReferralsOfPartner", rpc
        return ref.ReferralPage(referrals=[
            ref.Referral(referral_id="r-1", tenant="kortrijk", service_id=K_SERVICE, partner_id=PARTNER,
                         status="requested", themes=["housing"], mode="warm-handoff",
                         requested_at="2026-11-30T09:00:00Z"),
            ref.Referral(referral_id="r-1", tenant="brugge", service_id=B_SERVICE, partner_id=PARTNER,
                         status="requested", themes=["housing"], mode="information",
                         requested_at="2026-11-30T10:00:00Z")])

    async def catalogue_call(self, rpc: str, **fields: Any) -> Any:
        if fields.get("tenant") in self.down:
            raise Down()
        return self.export.answer(rpc, fields)

    async def close(self) -> None:
        return None


@pytest.fixture
def fake() -> Partner:
    names.forget()
    return Partner()


@pytest.fixture
def inbox(web_secrets: Path, fake: Partner) -> TestClient:
    client = signed_in(web_secrets, fake, role="partner", partner=PARTNER)
    names.forget()
    return client


def text(page: str) -> str:
    """The words of the page's main part (the header names who signed in, the partner's id among it)."""
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main.split(">", 1)[1]))


def test_each_referral_names_its_service_and_organisation_never_their_ids(inbox: TestClient) -> None:
    page = inbox.get("/partner").text
    shown = text(page)
    assert "Doorverwijzingen naar Huurdersbond West" in shown
    assert "Woonwinkel Leiebrugge · Huurdersbond West" in shown  # from the second page of Kortrijk's export
    assert "Huurpunt Brugge · Huurdersbond West" in shown  # the same id r-1 in Brugge: its own catalogue
    assert K_SERVICE not in shown and B_SERVICE not in shown and PARTNER not in shown


def test_the_development_sign_in_lists_the_partners_of_every_page_of_each_export(web_secrets: Path,
                                                                                fake: Partner) -> None:
    page = TestClient(make_app(web_secrets, fake, dev_signin=True)).get("/dev/signin").text
    assert "Huurdersbond West — Kortrijk" in page and "Taalpunt vzw — Kortrijk" in page
    assert "Huurdersbond West — Brugge" in page


def test_a_catalogue_that_does_not_answer_leaves_those_referrals_without_names(inbox: TestClient,
                                                                              fake: Partner) -> None:
    fake.down.add("brugge")
    answer = inbox.get("/partner")
    assert answer.status_code == 200
    shown = text(answer.text)
    assert "Woonwinkel Leiebrugge · Huurdersbond West" in shown and "Huurpunt Brugge" not in shown
    assert shown.count("Doorverwijzing r-1") == 2 and B_SERVICE not in shown
