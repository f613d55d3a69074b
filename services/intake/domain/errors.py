"""Domain errors of intake. The entry point maps them: RuleViolated → FAILED_PRECONDITION, Unknown → NOT_FOUND."""


class RuleViolated(Exception):
    """A command that does not fit the current state, with the field concerned and the reason."""


class QuestionRuleViolated(RuleViolated):
    """A transition the question's current state does not allow."""


class ClientRuleViolated(RuleViolated):
    """Something the client's state does not allow (e.g. recording data of an erased client)."""


class OfficeRuleViolated(RuleViolated):
    """Something the office's state does not allow (e.g. a bridge worker joining twice)."""


class Unknown(Exception):
    """The question, client or office does not exist, or belongs to another municipality (both look the same)."""
