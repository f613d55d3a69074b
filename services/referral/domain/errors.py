"""Domain refusals of referrals; the handlers map them to gRPC status codes."""


class ReferralRefused(Exception):
    """The command does not fit the referral's state or its preconditions; the message says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


class UnknownReferral(Exception):
    """No such referral (or not visible to the caller)."""
