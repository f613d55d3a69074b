"""What the catalogue calls services and organisations, by id: public facts (the catalogue is also served without a
token), read from the municipality's HSDS export page by page (ExportHsdsPage: a catalogue of any size) and kept a
few minutes per municipality, for the policy dashboard, the partner inbox and the development sign-in."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from services.client import hsds_objects
from services.web.i18n import Language
from services.web.words import N_

KEPT_SECONDS = 300
_kept: dict[str, tuple[float, Names]] = {}


@dataclass(frozen=True)
class Names:
    """What the catalogue calls services and organisations (public facts), by id."""

    services: dict[str, str] = field(default_factory=dict)
    organisations: dict[str, str] = field(default_factory=dict)

    def service(self, sid: str, lang: Language) -> str:
        return self.services.get(sid) or lang.gettext(N_("a service no longer in the catalogue"))

    def organisation(self, oid: str, lang: Language) -> str:
        return self.organisations.get(oid) or lang.gettext(N_("an organisation no longer in the catalogue"))

    def mentioned(self, service: str, lang: Language) -> str:
        """A signal names a service by catalogue id or by a label the bridge worker typed."""
        return self.services.get(service, service)


def _by_id(objects: list[dict[str, Any]]) -> dict[str, str]:
    return {o["id"]: o.get("name", "") for o in objects if isinstance(o, dict) and "id" in o}


async def of(client: Any, tenant: str) -> Names:
    """The names in `tenant`'s catalogue, as `client` (a Client acting for someone who may read it) reads them."""
    kept = _kept.get(tenant)
    if kept and kept[0] > time.monotonic():
        return kept[1]
    services, organisations = await asyncio.gather(hsds_objects(client, "service", tenant),
                                                   hsds_objects(client, "organization", tenant))
    found = Names(_by_id(services), _by_id(organisations))
    _kept[tenant] = (time.monotonic() + KEPT_SECONDS, found)
    return found


def forget() -> None:
    """Read the names again on their next use (tests)."""
    _kept.clear()
