"""View: the supply side of language coverage — bridge workers per municipality, office and language they speak.

Read from intake's `OfficeLanguagesCounted`, the office's whole tally (language → workers) after each change of its
workers; never from `BridgeWorkerJoined`/`BridgeWorkerLanguagesChanged`, which name the worker. Each tally moves the
counters by its difference from the office's tally before, kept in the office stream's case (key `ol_tally`:
language → workers, nothing else), so a language no longer spoken goes back to 0. No staff id enters a view or a case.
"""
from __future__ import annotations

from collections.abc import Iterable

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.intake_office import OfficeLanguagesCounted
from services.plumbing.projection import Delta
from services.plumbing.projection.model import Case

VIEW = "office_languages"
TALLY = "ol_tally"


class OfficeLanguages:
    topics = (topics.INTAKE_OFFICES,)
    views = (VIEW,)
    uses_case = True
    TYPE = OfficeLanguagesCounted.event_type
    reads = frozenset((TYPE,))

    def project(self, envelope: Envelope, case: Case) -> Iterable[Delta]:
        if envelope.type != self.TYPE:
            return
        event = decode(envelope)
        before, after = case.get(TALLY, {}), event.languages
        for language in sorted({*before, *after}):
            if n := after.get(language, 0) - before.get(language, 0):
                key = {"tenant": envelope.tenant, "office": event.office_id, "language": language}
                yield Delta(VIEW, key, {"workers": n})

    def evolve(self, case: Case, envelope: Envelope) -> Case:
        if envelope.type != self.TYPE:
            return case
        return {**case, TALLY: dict(decode(envelope).languages)}
