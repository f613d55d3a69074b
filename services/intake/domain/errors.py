"""Domain errors of intake: a command that does not fit the current state, with the reason."""


class QuestionRuleViolated(Exception):
    """A transition the question's current state does not allow."""
