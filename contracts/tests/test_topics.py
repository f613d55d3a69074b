"""Topic names made from ids are always legal Kafka names, one per id."""
import re

from hypothesis import given
from hypothesis import strategies as st

from contracts import topics

LEGAL_ID = st.from_regex(r"[A-Za-z0-9._-]{1,200}", fullmatch=True)


def kafka_collision_key(name: str) -> str:
    """Kafka refuses a topic whose name equals an existing one's once `.` is read as `_`."""
    return name.replace(".", "_")


def test_a_legal_id_keeps_the_name_partners_subscribed_to() -> None:
    assert topics.partner_referrals("ocmw-kortrijk") == "wegwijs.partner.ocmw-kortrijk.referrals.v1"


def test_an_id_with_a_colon_gets_a_legal_name_of_the_hashed_shape() -> None:
    name = topics.partner_referrals("urn:kortrijk:org:ocmw")
    assert topics.legal(name)
    assert name.startswith("wegwijs.partner-hashed.urn-kortrijk-org-ocmw.") and name.endswith(".referrals.v1")


@given(st.text(max_size=400))
def test_every_id_gives_a_legal_name(organization_id: str) -> None:
    assert topics.legal(topics.partner_referrals(organization_id))
    assert topics.legal(topics.dead_letter(topics.partner_referrals(organization_id)))


@given(st.text(max_size=300), st.text(max_size=300))
def test_two_ids_never_share_a_topic(a: str, b: str) -> None:
    if a != b:
        assert topics.partner_referrals(a) != topics.partner_referrals(b)


@given(LEGAL_ID, st.text(min_size=1).filter(lambda s: re.search(r"[^A-Za-z0-9._-]", s) is not None))
def test_a_hashed_name_never_collides_with_a_plain_one_even_in_kafkas_eyes(plain: str, other: str) -> None:
    assert (kafka_collision_key(topics.partner_referrals(plain))
            != kafka_collision_key(topics.partner_referrals(other)))


def test_illegal_names() -> None:
    assert not topics.legal("wegwijs.partner.a:b.referrals.v1")
    assert not topics.legal("x" * 250) and topics.legal("x" * 249)
    assert not topics.legal("") and not topics.legal("..") and not topics.legal("a b")
