"""The contract every ReferenceData adapter passes: the MongoDB one and the in-memory fake alike."""
from __future__ import annotations

from datetime import date

from contracts.events import catalogue, intake, intake_client
from services.referral.application.ports import ReferenceData
from services.referral.tests.support import PARTNER, TENANT, envelope, first_visits, upstream

OTHER = "brugge"


class ReferenceContract:
    """Subclass and provide a `reference` fixture."""

    async def test_latest_state_wins_and_replays_change_nothing(self, reference: ReferenceData) -> None:
        registered = upstream()
        closed = envelope(intake.QuestionClosed(question_id="q-1", outcome="answered"), "q-1", 2)
        service_closed = envelope(catalogue.ServiceClosed(service_id="svc-1", status="defunct", reason="gone"),
                                  "svc-1", 2)
        for e in [*registered, closed, service_closed, *registered]:  # the registrations are redelivered at the end
            await reference.learn(e)
        question, service = await reference.question(TENANT, "q-1"), await reference.service(TENANT, "svc-1")
        assert (question.status, question.client_id, question.themes) == ("closed", "cl-1", ("housing",))
        assert (service.status, service.organization_id) == ("defunct", PARTNER)
        assert await reference.consent(TENANT, "cl-1") and not await reference.consent(TENANT, "cl-unknown")
        assert await reference.question(TENANT, "q-unknown") is None
        assert await reference.office(TENANT, "office-1") and not await reference.office(TENANT, "office-2")

    async def test_an_office_is_known_by_a_question_asked_there_too(self, reference: ReferenceData) -> None:
        """An office opened before the topic's retention: known once a question of it is learnt."""
        await reference.learn(upstream()[0])
        assert await reference.office(TENANT, "office-1") and not await reference.office("brugge", "office-1")

    async def test_the_first_visit_is_the_earliest_day_in_any_order_and_under_redelivery(
            self, reference: ReferenceData) -> None:
        events = first_visits()
        for e in [*events, *reversed(events)]:
            await reference.learn(e)
        assert await reference.client_since(TENANT, "cl-1") == date(2026, 3, 11)
        assert await reference.client_since(TENANT, "cl-unknown") is None

    async def test_every_lookup_is_inside_the_municipality(self, reference: ReferenceData) -> None:
        """The same ids in two municipalities are two things; one municipality's never answers for the other."""
        for e in [*upstream(consent=False), *upstream(tenant=OTHER, organization="vzw-brugge", consent=True)]:
            await reference.learn(e)
        assert not await reference.consent(TENANT, "cl-1") and await reference.consent(OTHER, "cl-1")
        assert (await reference.service(TENANT, "svc-1")).organization_id == PARTNER
        assert (await reference.service(OTHER, "svc-1")).organization_id == "vzw-brugge"
        assert (await reference.question(OTHER, "q-1")).tenant == OTHER
        for lookup in (reference.question, reference.service, reference.client_since):
            assert await lookup("ninove", "q-1" if lookup == reference.question else "svc-1") is None
        assert not await reference.consent("ninove", "cl-1") and not await reference.office("ninove", "office-1")

    async def test_an_update_learnt_before_its_registration_is_no_service_yet(self, reference: ReferenceData) -> None:
        await reference.learn(envelope(catalogue.ServiceUpdated(service_id="svc-9", changes={"status": "inactive"}),
                                       "svc-9", 2))
        assert await reference.service(TENANT, "svc-9") is None

    async def test_erasure_withdraws_consent_in_its_municipality_only(self, reference: ReferenceData) -> None:
        for e in [*upstream(), *upstream(tenant=OTHER)]:
            await reference.learn(e)
        await reference.learn(envelope(intake_client.ClientErased(client_id="cl-1"), "cl-1", 2, tenant=OTHER))
        assert await reference.consent(TENANT, "cl-1") and not await reference.consent(OTHER, "cl-1")
