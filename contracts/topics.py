"""Topic names: `wegwijs.<service>.<stream>.v<major>`. The only place they are spelled out."""

INTAKE_QUESTIONS = "wegwijs.intake.question.v1"
INTAKE_CLIENTS = "wegwijs.intake.client.v1"
INTAKE_OFFICES = "wegwijs.intake.office.v1"
INTAKE_SIGNALS = "wegwijs.intake.signal.v1"
CATALOGUE_ORGANIZATIONS = "wegwijs.catalogue.organization.v1"
CATALOGUE_SERVICES = "wegwijs.catalogue.service.v1"
CATALOGUE_LOCATIONS = "wegwijs.catalogue.location.v1"
REFERRAL_REFERRALS = "wegwijs.referral.referral.v1"
PARTNER_REFERRALS = "wegwijs.partner.{organization_id}.referrals.v1"
DEAD_LETTER_SUFFIX = ".dlq"


def dead_letter(topic: str) -> str:
    """The dead-letter topic that receives poison messages read from `topic`."""
    return topic + DEAD_LETTER_SUFFIX


def partner_referrals(organization_id: str) -> str:
    """The topic of one partner organisation: only the referrals addressed to it."""
    return PARTNER_REFERRALS.format(organization_id=organization_id)
