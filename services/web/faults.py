"""What a service answered when it refused: the gRPC status and its google.rpc BadRequest field violations, as
messages to show beside the form fields they name (in the reader's language), and the rest above the form."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import grpc
from google.rpc import error_details_pb2, status_pb2

from services.web.i18n import Language
from services.web.reasons import translated
from services.web.words import N_

FIELD = re.compile(r"^([a-z_][a-z0-9_]*)(?:\[\d+\])?(?:[.\[][^:]*)?:\s*(.+)$", re.S)
GENERAL = {
    grpc.StatusCode.UNAVAILABLE: N_("The service cannot be reached right now; nothing was recorded. Try again shortly."),
    grpc.StatusCode.DEADLINE_EXCEEDED: N_("The service did not answer in time; check before trying again."),
    grpc.StatusCode.UNAUTHENTICATED: N_("Your sign-in is no longer valid: sign in again."),
    grpc.StatusCode.PERMISSION_DENIED: N_("You may not do this with your role."),
    grpc.StatusCode.INTERNAL: N_("Something went wrong on our side; nothing was recorded."),
}


@dataclass
class Fault:
    """Messages per form field and general ones, already translated."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    code: grpc.StatusCode | None = None

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def add(self, name: str, message: str) -> None:
        self.fields[name] = f"{self.fields[name]} {message}" if name in self.fields else message


def _form_field(path: str) -> str:
    """`themes[1]` → `themes`; `service.name` → `service`: the form field a violation names."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _violations(exc: grpc.aio.AioRpcError) -> list[tuple[str, str]]:
    for key, value in exc.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            found = []
            for detail in status.details:
                if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                    bad = error_details_pb2.BadRequest()
                    detail.Unpack(bad)
                    found += [(v.field, v.description) for v in bad.field_violations]
            return found
    return []


def from_rpc(exc: grpc.aio.AioRpcError, lang: Language, known: set[str] | frozenset[str] = frozenset()) -> Fault:
    """The refusal as a Fault: each violation (or the `field: reason` of a message) beside a field of the form
    (`known`), everything else general."""
    fault = Fault(code=exc.code())
    pairs = _violations(exc)
    if not pairs and (m := FIELD.match(exc.details() or "")):
        pairs = [(m.group(1), m.group(2))]
    for path, reason in pairs:
        name = _form_field(path)
        if name in known:
            fault.add(name, translated(reason, lang))
        else:
            fault.general.append(f"{path}: {translated(reason, lang)}")
    if not pairs:
        fault.general.append(lang.gettext(GENERAL[exc.code()]) if exc.code() in GENERAL
                             else translated(exc.details() or exc.code().name, lang))
    return fault
