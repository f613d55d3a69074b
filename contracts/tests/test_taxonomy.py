"""Tests of the packaged taxonomies and of the ISO 639 language helpers."""

import re

import pytest

from contracts.taxonomy import (
    barriers,
    channels,
    is_language,
    language_label,
    normalise_language,
    themes,
)

ALL = {"themes": themes, "barriers": barriers, "channels": channels}
CODE = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z0-9-]+)?$")
AIRS_TOP_LEVELS = {
    "B Basic Needs",
    "D Consumer Services",
    "F Criminal Justice and Legal Services",
    "H Education",
    "J Environment and Public Health/Safety",
    "L Health Care",
    "N Income Support and Employment",
    "P Individual and Family Life",
    "R Mental Health and Substance Use Disorder Services",
    "T Organizational/Community/International Services",
}
REQUIRED_THEMES = {
    "residence-papers", "civil-affairs", "housing", "work", "income", "health", "mental-health",
    "education", "dutch-integration", "childcare-family", "mobility", "legal-aid", "digital",
    "leisure", "letters", "finances", "other",
}
REQUIRED_BARRIERS = {
    "language", "digital", "cost", "distrust", "waiting-list", "opening-hours", "distance",
    "eligibility", "unknown-offer", "administrative-complexity", "childcare", "mobility",
    "discrimination", "other",
}
REQUIRED_CHANNELS = {
    "walk-in", "appointment", "phone", "whatsapp", "outreach", "arrival-intake", "partner-referral", "email",
}


@pytest.mark.parametrize("name", ALL)
def test_envelope(name):
    taxonomy = ALL[name]()
    assert taxonomy.taxonomy == f"wegwijs-{name}"
    assert re.fullmatch(r"\d+\.\d+\.\d+", taxonomy.version)
    assert taxonomy.terms


@pytest.mark.parametrize("name", ALL)
def test_codes_unique_and_well_formed(name):
    codes = [term.code for term in ALL[name]().terms]
    assert len(codes) == len(set(codes))
    assert [c for c in codes if not CODE.match(c)] == []


@pytest.mark.parametrize("name", ALL)
def test_parents_exist_and_are_top_level(name):
    taxonomy = ALL[name]()
    for term in taxonomy.terms:
        if term.parent is not None:
            assert term.parent in taxonomy
            assert taxonomy.get(term.parent).parent is None
            assert term.code.startswith(term.parent + ".")
        else:
            assert "." not in term.code


@pytest.mark.parametrize("name", ALL)
def test_labels_in_nl_fr_en(name):
    for term in ALL[name]().terms:
        for lang in ("nl", "fr", "en"):
            assert term.labels.get(lang, "").strip(), (term.code, lang)


def test_required_codes_present():
    top = {t.code for t in themes().terms if t.parent is None}
    assert REQUIRED_THEMES <= top
    assert REQUIRED_BARRIERS <= barriers().codes()
    assert REQUIRED_CHANNELS <= channels().codes()


def test_every_top_level_theme_has_sub_themes():
    taxonomy = themes()
    for term in taxonomy.terms:
        if term.parent is None and term.code != "other":
            subs = [t for t in taxonomy.terms if t.parent == term.code]
            assert 2 <= len(subs) <= 5, term.code


def test_airs_mapping_uses_top_levels():
    for term in themes().terms:
        assert term.airs is None or term.airs in AIRS_TOP_LEVELS, term.code
    assert themes().get("housing").airs == "B Basic Needs"


def test_barriers_have_descriptions():
    for term in barriers().terms:
        assert term.description and term.description.strip(), term.code


def test_lookups():
    t = themes()
    assert t.top_level("housing.social-rental") == "housing"
    assert t.top_level("housing") == "housing"
    assert t.label("health.health-insurance") == "Ziekenfonds en ziekteverzekering"
    assert t.label("housing", "fr") == "Logement"
    assert "letters.explain-letter" in t
    assert "letters.nope" not in t
    assert isinstance(t.codes(), frozenset)
    with pytest.raises(KeyError, match="unknown code 'nope'"):
        t.get("nope")
    with pytest.raises(KeyError):
        t.label("housing", "de")
    assert themes() is t


@pytest.mark.parametrize("code", ["ar", "ti", "prs", "ckb", "ce", "rw", "nl", "fr", "en", "AR", "ara"])
def test_is_language_true(code):
    assert is_language(code)


@pytest.mark.parametrize("code", ["xx", "", "english", "a", "zzzz"])
def test_is_language_false(code):
    assert not is_language(code)


def test_normalise_language():
    assert normalise_language("ara") == "ar"
    assert normalise_language("AR") == "ar"
    assert normalise_language("nld") == "nl"
    assert normalise_language("prs") == "prs"  # Dari has no ISO 639-1 code
    assert normalise_language("CKB") == "ckb"
    with pytest.raises(ValueError, match="unknown ISO 639 language code 'xx'"):
        normalise_language("xx")


def test_language_label():
    assert language_label("ar") == "Arabisch"
    assert language_label("ara", "nl") == "Arabisch"
    assert language_label("ce", "nl") == "Tsjetsjeens"
    assert language_label("ar", "fr") == "Arabe"
    assert language_label("ar", "en") == "Arabic"
    assert language_label("prs", "en") == "Dari"
    with pytest.raises(ValueError):
        language_label("xx")
