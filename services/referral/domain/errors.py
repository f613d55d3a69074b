"""Domain refusals of referrals; the handlers map them to gRPC status codes."""


class ReferralRefused(Exception):
    """The command does not fit the referral's state or its preconditions; the message says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


class Unknown(Exception):
    """What the command names does not exist in the caller's municipality (or is not visible to the caller): the
    same words for an id of another municipality, of another partner and of none, so no answer tells them apart."""

    def __init__(self, field: str, noun: str, value: str) -> None:
        super().__init__(f"{field}: {noun} {value!r} does not exist")
        self.field, self.value, self.reason = field, value, f"{noun} {value!r} does not exist"


class UnknownReferral(Unknown):
    """No such referral (or not visible to the caller)."""

    def __init__(self, referral_id: str) -> None:
        super().__init__("referral_id", "referral", referral_id)
