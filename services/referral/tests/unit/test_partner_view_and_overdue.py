"""Each change leaves, in the same commit, the view its partner receives; overdue referrals are flagged once."""
from __future__ import annotations

from datetime import timedelta

from contracts import topics
from contracts.events import registry
from services.referral.application.handlers import handle
from services.referral.application.overdue import flag_overdue
from services.referral.domain import commands as c
from services.referral.tests.support import FRONT, PARTNER, PARTNER_CTX, TENANT, args, deps_with, stream, upstream

REFER = dict(tenant=TENANT, referral_id="r-1", question_id="q-1", service_id="svc-1", mode="accompanied",
             note="needs help with a rent contract")
PARTNER_FIELDS = {"referral_id", "organization_id", "service_id", "client_id", "status", "change", "themes",
                  "client_languages", "mode", "priority", "requested_at", "overdue", "reason", "outcome",
                  "went_alone", "note"}


async def test_every_commit_carries_the_partner_view_last() -> None:
    deps = await deps_with(*upstream())
    await handle(c.ReferToService(**args(**REFER)), FRONT, deps)
    await handle(c.Accept(**args(referral_id="r-1", organization_id=PARTNER)), PARTNER_CTX, deps)
    commits = sorted(deps.store.commits.values(), key=lambda x: x.first_version)
    views = [x.events[-1] for x in commits]
    assert [v.type for v in views] == ["PartnerReferral", "PartnerReferral"]
    assert [v.payload["status"] for v in views] == ["requested", "accepted"]
    assert set(views[0].payload) == PARTNER_FIELDS  # nothing else: no contact details, no office, no question
    assert views[0].payload["organization_id"] == PARTNER and views[0].payload["note"] == REFER["note"]
    assert [e.stream_version for x in commits for e in x.events] == [1, 2, 3, 4]


def test_partner_topics_are_one_per_partner() -> None:
    assert topics.partner_referrals("ocmw-kortrijk") == "wegwijs.partner.ocmw-kortrijk.referrals.v1"
    assert registry.current("PartnerReferral").topic == topics.PARTNER_REFERRALS


async def test_overdue_referrals_are_flagged_once_and_listed() -> None:
    deps = await deps_with(*upstream(), *upstream(question="q-2", client="cl-2"))
    await handle(c.ReferToService(**args(**REFER)), FRONT, deps)
    await handle(c.ReferToService(**args(**{**REFER, "referral_id": "r-2", "question_id": "q-2"})), FRONT, deps)
    await handle(c.Accept(**args(referral_id="r-2", organization_id=PARTNER)), PARTNER_CTX, deps)
    assert await flag_overdue(deps, hours=72) == 0
    later = deps.now() + timedelta(hours=73)
    deps.now = lambda: later
    assert await flag_overdue(deps, hours=72) == 1
    assert await flag_overdue(deps, hours=72) == 0
    assert deps.views.docs[stream("r-1")]["overdue"] and not deps.views.docs[stream("r-2")]["overdue"]
    result = await handle(c.Accept(**args(referral_id="r-1", organization_id=PARTNER)), PARTNER_CTX, deps)
    assert result["status"] == "accepted"  # overdue is a flag, not a status: the partner can still answer
