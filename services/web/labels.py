"""Names people read instead of codes: taxonomy labels from contracts/taxonomies (nl/fr/en), languages by their own
names (CLDR through Babel), outcomes and reasons of the APIs through the message catalogue."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError

from contracts import taxonomy

# Languages newcomers in Flemish cities speak most, offered first (any ISO 639 code is accepted by search).
COMMON_LANGUAGES = ("nl", "fr", "en", "ar", "tr", "ru", "uk", "fa", "ps", "ti", "so", "es", "pt", "pl", "ro", "bg",
                    "sq", "ku", "am", "ur", "hi", "bn", "zh", "vi", "ne", "sw", "ln", "it", "de")


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    search: str = ""  # what a typed query is matched against (lowercase)
    level: int = 0    # 1 for a sub-theme


def _term_label(tax: taxonomy.Taxonomy, code: str, lang: str) -> str:
    try:
        return tax.label(code, lang)
    except KeyError:
        return code


def theme(code: str, lang: str) -> str:
    return _term_label(taxonomy.themes(), code, lang)


def barrier(code: str, lang: str) -> str:
    return _term_label(taxonomy.barriers(), code, lang)


def channel(code: str, lang: str) -> str:
    return _term_label(taxonomy.channels(), code, lang)


@cache
def themes(lang: str) -> tuple[Option, ...]:
    """Every theme, each sub-theme after its parent; matched on its label in `lang` and in Dutch."""
    tax = taxonomy.themes()
    out: list[Option] = []
    for top in (t for t in tax.terms if t.parent is None):
        for term in (top, *(t for t in tax.terms if t.parent == top.code)):
            words = f"{_term_label(tax, term.code, lang)} {_term_label(tax, term.code, 'nl')} {term.code}"
            out.append(Option(term.code, _term_label(tax, term.code, lang), words.lower(), int(term.parent is not None)))
    return tuple(out)


@cache
def barriers(lang: str) -> tuple[Option, ...]:
    return tuple(Option(t.code, _term_label(taxonomy.barriers(), t.code, lang)) for t in taxonomy.barriers().terms)


@cache
def channels(lang: str) -> tuple[Option, ...]:
    return tuple(Option(t.code, _term_label(taxonomy.channels(), t.code, lang)) for t in taxonomy.channels().terms)


@cache
def autonym(code: str) -> str:
    """The language's name in itself ("العربية" for ar), from CLDR; pycountry's English name when CLDR has none."""
    try:
        name = Locale.parse(code).get_display_name(code)
    except (UnknownLocaleError, ValueError):
        name = None
    if name:
        return name[:1].upper() + name[1:]
    try:
        return taxonomy.language_label(code, "en")
    except ValueError:
        return code


def language(code: str, lang: str) -> str:
    """"العربية — Arabisch": its own name, then its name in the reader's language when that differs."""
    own = autonym(code)
    try:
        theirs = Locale.parse(lang).languages.get(code) or own
    except (UnknownLocaleError, ValueError):
        theirs = own
    return own if theirs.lower() == own.lower() else f"{own} — {theirs}"


@cache
def languages(lang: str) -> tuple[Option, ...]:
    """The languages a client may speak: the common ones first, then every other language CLDR names."""
    names = Locale.parse(lang).languages
    rest = sorted((c for c in names if len(c) == 2 and c not in COMMON_LANGUAGES and taxonomy.is_language(c)),
                  key=lambda c: names[c].lower())
    out = []
    for code in (*COMMON_LANGUAGES, *rest):
        label = language(code, lang)
        out.append(Option(code, label, f"{label} {names.get(code, '')} {code}".lower()))
    return tuple(out)


def matching(options: tuple[Option, ...], query: str, limit: int = 12) -> list[Option]:
    """Options whose words contain every typed word (a label's start ranked first)."""
    words = query.lower().split()
    if not words:
        return []
    found = [o for o in options if all(w in o.search for w in words)]
    return sorted(found, key=lambda o: (not o.label.lower().startswith(words[0]), o.level))[:limit]
