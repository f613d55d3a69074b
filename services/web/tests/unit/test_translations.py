"""Every word the pages show has its Dutch and French translation, with the same placeholders; the English
catalogue holds every id (shown as it is)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from services.plumbing.errors import FORMS, UNKNOWN_FORM

WEB = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted() -> set[str]:
    """The words of the pages, and the words the services put a field's pattern in (shown translated)."""
    with (WEB / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {*FORMS.values(), UNKNOWN_FORM}
    for _, _, message, _, _ in extract_from_dir(str(WEB), method_map, options_map, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalogue(lang: str):
    with (WEB / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp)


def test_the_pages_have_words_to_translate() -> None:
    assert {"Sign in", "Register the question", "Referrals to %(partner)s", "QuestionRegistered"} <= extracted()


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_every_word_is_translated_with_its_placeholders(lang: str) -> None:
    po = catalogue(lang)
    missing, broken = [], []
    for msgid in sorted(extracted()):
        message = po.get(msgid)
        strings = [] if message is None else ([message.string] if isinstance(message.string, str)
                                             else list(message.string))
        if not strings or not all(strings):
            missing.append(msgid)
            continue
        if any(set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(msgid)) for s in strings):
            broken.append(msgid)
    assert not missing, f"{lang}: no translation for {missing[:10]} ({len(missing)})"
    assert not broken, f"{lang}: placeholders differ in {broken[:10]}"


def test_the_english_catalogue_holds_every_id() -> None:
    po = catalogue("en")
    assert not [m for m in extracted() if po.get(m) is None]
