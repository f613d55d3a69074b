"""Dutch by default, French and English by a switch: gettext catalogues (translations/<lang>/LC_MESSAGES/messages.po,
compiled to .mo by deploy/local/web-assets, which `make install` runs; the .mo files are not committed).

Message ids are English; the English catalogue is empty (ids shown as they are). One Jinja environment per language,
so a request renders with its language's translations and nothing is shared between requests.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LANGUAGES = ("nl", "fr", "en")
DEFAULT = "nl"
FOLDER = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"


class CatalogueMissing(SystemExit):
    """A compiled catalogue is missing or older than its .po: the install step did not run."""


@dataclass(frozen=True)
class Language:
    code: str
    translations: NullTranslations

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)


def chosen(code: str | None) -> str:
    """A supported language code; Dutch for anything else."""
    return code if code in LANGUAGES else DEFAULT


@cache
def language(code: str) -> Language:
    """The compiled catalogue of `code`; refuses to go on with a missing or stale one (run `make install`)."""
    po = FOLDER / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        raise CatalogueMissing(f"error: {mo} is missing or older than its .po: run `make install` "
                               "(deploy/local/web-assets compiles the catalogues)")
    with mo.open("rb") as fp:
        return Language(code, Translations(fp, domain=DOMAIN))
