"""Screening of free text for contact details and identifiers, before it travels to partners or policy.

Pure (no I/O). `find(text)` names the kinds of detail a text holds — a phone number, an e-mail address, a Belgian
national register number, an IBAN, a street address with a house number — and never the value itself. Every scan is
linear in the text: regular expressions with bounded repeats, checksums on bounded candidates, and `phonenumbers`'
matcher (itself bounded by its tries). Callers bound the text's length (the command models do).

The command models classify every string field they hold (see `docs/architecture.md`, personal data):
`screened(...)` refuses a text holding a detail, naming what was found; `SEALED` marks a field the handler encrypts
with the client's key; `PUBLIC` marks data about the offer (catalogue, offices) that is published as it is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

import phonenumbers
from pydantic import AfterValidator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

PHONE, EMAIL, NATIONAL_NUMBER, IBAN, ADDRESS = (
    "a phone number", "an e-mail address", "a national register number", "an IBAN", "a street address")

_WORD = r"[^\W\d_]"  # a letter, in any script
_UNITS = (r"(?:keer|maal|x|minuten|min|uur|u|uren|dagen|dag|weken|week|maanden|maand|jaar|jaren|euro|eur|km|m|"
          r"personen|mensen|kinderen|gezinnen|families|fois|jours?|semaines?|mois|ans?|heures?|h|euros?|"
          r"personnes|enfants|familles|times|days?|weeks?|months?|years?|hours?|people|children|families|%|"
          r"jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|oct|nov|dec|januari|februari|maart|april|mei|juni|juli|"
          r"augustus|september|oktober|november|december|janvier|février|mars|avril|mai|juin|juillet|août|"
          r"septembre|octobre|novembre|décembre|january|february|march|june|july|august|october)")
# a house number (12, 12A, 12/2, 12 bus 3), never a year, an amount (12,50), a time (12:30), a date (12/3) or a count
_NUMBER = (rf"(?!(?:19|20)\d\d(?!\d))\d{{1,4}}(?:\s?[a-zA-Z](?!{_WORD}))?(?:/\d{{1,3}}(?![\d/]))?(?!\d|[.,:/h]\d)"
           rf"(?!\s*{_UNITS}(?!{_WORD}))")
_NL_STREET = (r"straat|straatje|steenweg|weg|laan|lei|dreef|plein|pleintje|markt|kaai|kade|dijk|wijk|vest|singel|"
              r"hof|pad|gracht|park|berg|dries|boulevard")
_FR_STREET = (r"rue|avenue|av\.|boulevard|bd|chaussée|chée|place|pl\.|chemin|quai|impasse|allée|square|drève|"
              r"route|clos|sentier|rempart|cours|passage|parvis|galerie|street|road|lane")
_ADDRESSES = (
    # Stationsstraat 12, Kortrijksesteenweg 1024A, Sint-Jansplein 3 bus 2: a compound ending in a street word
    re.compile(rf"(?<![\w-])[\w'-]{{1,60}}?(?i:{_NL_STREET})\.?,?\s{{1,3}}{_NUMBER}"),
    # Grote Markt 54, Kortrijkse Steenweg 12: a capitalised word before a capitalised street word
    re.compile(rf"(?<![\w-])[A-ZÀ-Ý][\w'-]{{0,40}}\s(?:{'|'.join(w.capitalize() for w in _NL_STREET.split('|'))})"
               rf"\.?,?\s{{1,3}}{_NUMBER}"),
    # rue de la Loi 16, avenue Louise 54, chaussée de Gand 123: a street word, a capitalised name, a number
    re.compile(rf"(?<![\w-])(?i:{_FR_STREET})\s{{1,3}}(?:(?:de|du|des|la|le|les|aux?|van|the)\s{{1,3}}|[ld]'\s?){{0,3}}"
               rf"[A-ZÀ-Ý][^\d\n,;:()]{{0,50}}?,?\s{{1,3}}{_NUMBER}"),
    # 16, rue de la Loi / 221 Baker Street: the number first
    re.compile(rf"(?<![\d\w])\d{{1,4}}[a-zA-Z]?,?\s{{1,3}}(?i:{_FR_STREET})\s{{1,3}}"
               rf"(?:(?:de|du|des|la|le|les|aux?)\s{{1,3}}|[ld]'\s?){{0,3}}[A-ZÀ-Ý]"),
    re.compile(rf"(?<![\d\w])\d{{1,4}}[a-zA-Z]?\s{{1,3}}[A-Z][\w'-]{{1,40}}\s(?:Street|Road|Lane|Avenue)(?!{_WORD})"),
)
_DATE = re.compile(r"(?<![\d./-])(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?!\d)")
_NATIONAL = re.compile(r"(?<![\d.-])(\d{2})[.\s-]?(\d{2})[.\s-]?(\d{2})[.\s-]{0,2}(\d{3})[.\s-]?(\d{2})(?![\d])")
_IBAN = re.compile(r"(?<![A-Z0-9])([A-Z]{2}\d{2})((?:[ -]?[A-Z0-9]){11,32})")
_EMAIL_LOCAL = re.compile(r"[\w.%+'-]{1,64}$")
_EMAIL_DOMAIN = re.compile(r"^[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_AT = re.compile(r"\s?[(\[{]\s?(?:at|AT|@)\s?[)\]}]\s?|@")  # amina@…, amina (at) …, amina[at]…
_DOT = re.compile(r"\s?[(\[{]\s?(?:dot|punt|point)\s?[)\]}]\s?")


def find(text: str) -> tuple[str, ...]:
    """The kinds of detail `text` holds (PHONE, EMAIL, NATIONAL_NUMBER, IBAN, ADDRESS), each once, in that order."""
    checks = ((PHONE, _has_phone), (EMAIL, _has_email), (NATIONAL_NUMBER, _has_national_number),
              (IBAN, _has_iban), (ADDRESS, _has_address))
    return tuple(kind for kind, has in checks if has(text))


def _has_phone(text: str) -> bool:
    """Belgian numbers in national format and any number in international format (+.. or 00..), valid per
    `phonenumbers`' metadata: dates, amounts, years, postcodes and counts are not valid numbers."""
    matches = phonenumbers.PhoneNumberMatcher(text, "BE", leniency=phonenumbers.Leniency.VALID)
    return any(not _a_date(m.raw_string) for m in matches)


def _a_date(raw: str) -> bool:
    """A match that is a date run on into a time (`01.01.2015 7:00` reads as 010 12 01 57): a phone number neither
    starts with a day and a month nor holds a date with its year in full."""
    return any(_valid_day(m) for m in _DATE.finditer(raw) if m.start() == 0 or len(m.group(3)) == 4)


def _valid_day(m: re.Match[str]) -> bool:
    return 1 <= int(m.group(1)) <= 31 and 1 <= int(m.group(2)) <= 12


def _has_email(text: str) -> bool:
    text = _DOT.sub(".", text)
    for at in _AT.finditer(text):
        local, domain = _EMAIL_LOCAL.search(text[max(0, at.start() - 64):at.start()]), \
            _EMAIL_DOMAIN.match(text[at.end():at.end() + 300])
        if local and domain and re.search(rf"\.{_WORD}{{2,}}$", domain.group()):
            return True
    return False


def _has_national_number(text: str) -> bool:
    """YY.MM.DD-SSS.CC: 97 - (first nine digits mod 97) is CC, with a 2 before the nine for births from 2000."""
    for m in _NATIONAL.finditer(text):
        yy, mm, dd, serial, check = m.groups()
        if int(mm) % 20 > 12 or int(dd) > 31:  # a bis number adds 20 or 40 to the month
            continue
        body = int(yy + mm + dd + serial)
        if int(check) in (97 - body % 97, 97 - (2_000_000_000 + body) % 97):
            return True
    return False


def _has_iban(text: str) -> bool:
    """ISO 13616: the country, two check digits, up to 30 letters or digits; the whole, rearranged, is 1 mod 97.
    A candidate may run on into the next word, so each length from 15 to 34 is tried."""
    for m in _IBAN.finditer(text.upper()):
        head, rest = m.group(1), re.sub(r"[ -]", "", m.group(2))
        for end in range(11, min(len(rest), 30) + 1):
            if _mod97(rest[:end] + head) == 1:
                return True
    return False


def _mod97(chars: str) -> int:
    return int("".join(str(int(c, 36)) for c in chars)) % 97


def _has_address(text: str) -> bool:
    return any(p.search(text) for p in _ADDRESSES)


@dataclass(frozen=True)
class Classified:
    """How a string field of a command is kept: the marker the personal-data tests read."""

    kind: str  # "sealed" (encrypted with the client's key) or "public" (about the offer, published as it is)


SEALED, PUBLIC = Classified("sealed"), Classified("public")


@dataclass(frozen=True)
class Screened:
    """The validator of a screened field: refuses a text holding a detail, saying where the text goes."""

    goes: str  # "sent to partners", "shown to policy", ...

    def __call__(self, text: str | None) -> str | None:
        found = find(text) if text else ()
        if found:
            raise PydanticCustomError("contact_details", "contains {found}; contact details are never {goes}",
                                      {"found": " and ".join(found), "goes": self.goes})
        return text


def screened(goes: str) -> AfterValidator:
    """The annotation of a screened free-text field: `Annotated[str, Field(max_length=...), screened("...")]`."""
    return AfterValidator(Screened(goes))


def kind_of(field: FieldInfo) -> str | None:
    """"screened", "sealed" or "public" as the field's annotation (or that of its items) declares; None if it
    declares none (then it must be a code or an id)."""
    return _kind(field.metadata, field.annotation)


def _kind(metadata: list[Any], annotation: Any) -> str | None:
    for m in metadata:
        if isinstance(m, Classified):
            return m.kind
        if isinstance(m, AfterValidator) and isinstance(m.func, Screened):
            return "screened"
    if get_origin(annotation) is Annotated:
        inner, *more = get_args(annotation)
        return _kind(more, inner)
    return next((k for a in get_args(annotation) if (k := _kind([], a))), None)
