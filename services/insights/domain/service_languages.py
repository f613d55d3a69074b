"""View: the languages and themes active catalogue services offer, per municipality and service (public facts).

`offered` is 1 for each (service, language) and (service, theme) pair while the service is active and lists it, else
0; likewise the pair (service, capacity: full) while the active service's capacity says no place is available (a
service that records no capacity is taken to have room). A registration adds its pairs, an update or closing adds or
takes back the difference from what the service stream's case (key `sl_state`: status, languages, themes, full) says
was counted before.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.catalogue import ServiceClosed, ServiceRegistered, ServiceUpdated
from services.plumbing.projection import Delta
from services.plumbing.projection.model import Case

VIEW = "service_languages"
K = "sl_"


def _pairs(state: Case) -> set[tuple[str, str]]:
    if not state or state.get("status", "active") != "active":
        return set()
    full = {("capacity", "full")} if state.get("full") else set()
    return {("language", x) for x in state.get("languages", ())} | {("theme", x) for x in state.get("themes", ())} | full


def _full(capacity: Any) -> bool:
    """No place available, as the catalogue's capacity says (a dict in `ServiceUpdated.changes`)."""
    if capacity is None:
        return False
    available = capacity.get("available") if isinstance(capacity, dict) else capacity.available
    return available is not None and available <= 0


def _state(case: Case, envelope: Envelope) -> dict[str, Any] | None:
    """The service's status, languages, themes and organization after `envelope` (None: not a change of those)."""
    event = decode(envelope)
    old = dict(case.get(K + "state", {}))
    if isinstance(event, ServiceRegistered):
        r = event.record
        return {"status": r.status, "languages": list(r.languages), "themes": list(r.themes),
                "organization": r.organization_id or "", "full": _full(r.capacity)}
    if isinstance(event, ServiceUpdated):
        capacity = {"full": _full(event.changes["capacity"])} if "capacity" in event.changes else {}
        return {**old, **capacity, **{k: (list(v) if isinstance(v, (list, tuple)) else v)
                                      for k, v in event.changes.items()
                                      if k in ("status", "languages", "themes", "organization_id")}}
    if isinstance(event, ServiceClosed):
        return {**old, "status": event.status}
    return None


class ServiceLanguages:
    topics = (topics.CATALOGUE_SERVICES,)
    views = (VIEW,)
    uses_case = True
    TYPES = frozenset(t.event_type for t in (ServiceRegistered, ServiceUpdated, ServiceClosed))
    reads = TYPES

    def project(self, envelope: Envelope, case: Case) -> Iterable[Delta]:
        if envelope.type not in self.TYPES or (state := _state(case, envelope)) is None:
            return
        service = getattr(decode(envelope), "service_id")
        before, after = _pairs(case.get(K + "state", {})), _pairs(state)
        for (kind, value), n in [*((p, -1) for p in sorted(before - after)), *((p, 1) for p in sorted(after - before))]:
            yield Delta(VIEW, {"tenant": envelope.tenant, "service": service, "kind": kind, "value": value},
                        {"offered": n})

    def evolve(self, case: Case, envelope: Envelope) -> Case:
        if envelope.type not in self.TYPES or (state := _state(case, envelope)) is None:
            return case
        return {**case, K + "state": state}
