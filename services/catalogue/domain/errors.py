"""Domain errors of the catalogue."""


class CatalogueRuleViolated(Exception):
    """A change the record's current state does not allow (e.g. updating a defunct service)."""


class UnknownEntity(Exception):
    """The organisation, service or location does not exist in this municipality: the same words for an id of
    another municipality and for one of none. `field` names the request's field when the decision knows it; else
    the handler that names the entity does."""

    def __init__(self, kind: str, entity_id: str, field: str | None = None) -> None:
        super().__init__(f"{kind} {entity_id!r} does not exist")
        self.kind, self.entity_id, self.field = kind, entity_id, field
