"""Words the pages show for codes the APIs answer (roles, statuses, outcomes, reasons, event types): marked here so
that the catalogues carry them; templates translate them with `_(code)`."""
from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 (the gettext convention for a message only marked for extraction)
    return message


ROLES = (N_("front-office"), N_("partner"), N_("policy"), N_("catalogue-admin"), N_("admin"))
QUESTION = (N_("open"), N_("closed"))
OUTCOMES = {"answered": N_("answered"), "referred": N_("referred"), "gap": N_("gap"), "withdrawn": N_("withdrawn"),
            "unreachable": N_("unreachable")}
GAP_REASONS = {"no-service": N_("no-service"), "no-capacity": N_("no-capacity"), "not-eligible": N_("not-eligible"),
               "language": N_("language"), "cost": N_("cost"), "not-reachable": N_("not-reachable"),
               "digital-only": N_("digital-only"), "other": N_("other")}
REFERRAL_STATUSES = {"requested": N_("requested"), "accepted": N_("accepted"), "rejected": N_("rejected"),
                     "in-progress": N_("in-progress"), "on-hold": N_("on-hold"), "completed": N_("completed"),
                     "failed": N_("failed"), "cancelled": N_("cancelled"), "entered-in-error": N_("entered-in-error")}
MODES = {"information": N_("information"), "warm-handoff": N_("warm-handoff"), "accompanied": N_("accompanied")}
REJECT_REASONS = {"not-eligible": N_("not-eligible"), "no-capacity": N_("no-capacity"), "language": N_("language"),
                  "out-of-area": N_("out-of-area"), "service-not-offered": N_("service-not-offered"),
                  "referred-elsewhere": N_("referred-elsewhere"), "other": N_("other")}
HOLD_REASONS = {"waiting-list": N_("waiting-list"), "waiting-for-client": N_("waiting-for-client"),
                "waiting-for-documents": N_("waiting-for-documents"), "other": N_("other")}
REFERRAL_OUTCOMES = {"got-help": N_("got-help"), "partly": N_("partly"), "not-helped": N_("not-helped")}
FAIL_REASONS = {"could-not-contact": N_("could-not-contact"), "client-did-not-show": N_("client-did-not-show"),
                "waiting-list-too-long": N_("waiting-list-too-long"),
                "no-longer-interested": N_("no-longer-interested"), "barrier-language": N_("barrier-language"),
                "barrier-cost": N_("barrier-cost"), "barrier-transport": N_("barrier-transport"),
                "barrier-documents": N_("barrier-documents"), "other": N_("other")}
EVENTS = (N_("QuestionRegistered"), N_("QuestionClarified"), N_("QuestionInformed"), N_("ClientAccompanied"),
          N_("GapRecorded"), N_("QuestionClosed"), N_("QuestionReopened"), N_("ReferralRequested"),
          N_("ReferralAccepted"), N_("ReferralRejected"), N_("ReferralStarted"), N_("ReferralPutOnHold"),
          N_("ReferralResumed"), N_("ReferralCompleted"), N_("ReferralFailed"), N_("ReferralCancelled"),
          N_("ReferralEnteredInError"), N_("ReferralFlaggedOverdue"))
# Reasons the services give, as they word them (docs/api): shown in the reader's language beside the field.
REASONS = (N_("required"), N_("Field required"))
