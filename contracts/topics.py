"""Topic names: `wegwijs.<service>.<stream>.v<major>`. The only place they are spelled out.

A name made from an id goes through `partner_referrals`, which yields only names Kafka accepts (`legal`): an
organisation id that is itself a legal part of a name is used as it is (so existing partner topics keep their
names); any other (a `:` of a URN, a space, non-ASCII, more than `ID_PART` characters) gets a name of another
shape, `wegwijs.partner-hashed.<readable>.<digest>.referrals.v1`, that no legal id can produce. See
docs/asyncapi/referral-partners.yaml for how a partner finds its topic.
"""
from __future__ import annotations

import hashlib
import re

INTAKE_QUESTIONS = "wegwijs.intake.question.v1"
INTAKE_CLIENTS = "wegwijs.intake.client.v1"
INTAKE_OFFICES = "wegwijs.intake.office.v1"
INTAKE_SIGNALS = "wegwijs.intake.signal.v1"
CATALOGUE_ORGANIZATIONS = "wegwijs.catalogue.organization.v1"
CATALOGUE_SERVICES = "wegwijs.catalogue.service.v1"
CATALOGUE_LOCATIONS = "wegwijs.catalogue.location.v1"
REFERRAL_REFERRALS = "wegwijs.referral.referral.v1"
PARTNER_REFERRALS = "wegwijs.partner.{organization_id}.referrals.v1"
PARTNER_REFERRALS_HASHED = "wegwijs.partner-hashed.{readable}.{digest}.referrals.v1"
DEAD_LETTER_SUFFIX = ".dlq"

MAX_NAME = 249  # Kafka's limit on a topic name
ID_PART = 200  # an id longer than this is hashed: room is left for an environment's prefix and `.dlq`
READABLE = 48  # characters of a hashed id kept, made legal, to let people recognise it
DIGEST = 32  # hex characters of the SHA-256 of the id: 128 bits, no collision in practice
_LEGAL = re.compile(r"[A-Za-z0-9._-]+")
_ILLEGAL_CHAR = re.compile(r"[^A-Za-z0-9._-]")


def legal(name: str) -> bool:
    """Whether Kafka accepts `name` as a topic name: 1 to 249 of [a-zA-Z0-9._-], and neither `.` nor `..`."""
    return 0 < len(name) <= MAX_NAME and name not in (".", "..") and _LEGAL.fullmatch(name) is not None


def dead_letter(topic: str) -> str:
    """The dead-letter topic that receives poison messages read from `topic`."""
    return topic + DEAD_LETTER_SUFFIX


def partner_referrals(organization_id: str) -> str:
    """The topic of one partner organisation: only the referrals addressed to it. Always a legal name, and a
    different one for every id (ids of the two shapes can never meet: the hashed shape's second part is not
    `partner`)."""
    if len(organization_id) <= ID_PART and _LEGAL.fullmatch(organization_id):
        return PARTNER_REFERRALS.format(organization_id=organization_id)
    readable = _ILLEGAL_CHAR.sub("-", organization_id[:READABLE]) or "-"
    digest = hashlib.sha256(organization_id.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST]
    return PARTNER_REFERRALS_HASHED.format(readable=readable, digest=digest)
