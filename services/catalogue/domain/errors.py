"""Domain errors of the catalogue."""


class CatalogueRuleViolated(Exception):
    """A change the record's current state does not allow (e.g. updating a defunct service)."""


class UnknownEntity(Exception):
    """The organisation, service or location does not exist in this municipality."""
