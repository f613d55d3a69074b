"""Hypothesis strategies for synthetic contact details in many formats, and the sentences they hide in.

All values are invented: phone numbers are valid per `phonenumbers`' metadata but random, e-mail domains are
example.org/.be/.com, national numbers and IBANs are random with a correct checksum.
"""
from __future__ import annotations

from datetime import date

import phonenumbers
from hypothesis import assume
from hypothesis import strategies as st

from services.plumbing import screening

_digits = lambda n: st.text("0123456789", min_size=n, max_size=n)  # noqa: E731


@st.composite
def be_mobile(draw: st.DrawFn) -> str:
    """04xx xx xx xx in national and international writing: spaces, dots, slashes, dashes, none."""
    prefix = draw(st.sampled_from(["470", "471", "472", "473", "474", "475", "476", "477", "478", "479", "484", "485",
                                   "486", "487", "488", "489", "491", "492", "493", "494", "495", "496", "497", "498",
                                   "499", "456", "460", "465", "466", "467", "468"]))
    rest = draw(_digits(6))
    pairs = [rest[0:2], rest[2:4], rest[4:6]]
    return draw(st.sampled_from([
        f"0{prefix} {' '.join(pairs)}", f"0{prefix}/{'.'.join(pairs)}", f"0{prefix}{rest}",
        f"0{prefix}-{'-'.join(pairs)}",
        f"0{prefix}.{'.'.join(pairs)}", f"0{prefix}/{rest}", f"+32 {prefix} {' '.join(pairs)}", f"+32{prefix}{rest}",
        f"0032 {prefix} {rest}", f"0032{prefix}{rest}", f"+32 (0){prefix} {' '.join(pairs)}",
        f"+32-{prefix}-{'-'.join(pairs)}", f"+32 {prefix}.{'.'.join(pairs)}"]))


@st.composite
def be_landline(draw: st.DrawFn) -> str:
    """A Belgian fixed number: one-digit zones (02 Brussels, 03 Antwerpen, 09 Gent) or two-digit (056 Kortrijk...)."""
    zone = draw(st.sampled_from(["2", "3", "9", "50", "51", "53", "54", "56", "57", "59", "16", "15", "11", "13"]))
    rest = draw(st.sampled_from("2345678")) + draw(_digits(7 - len(zone)))
    number = f"0{zone}{rest}"
    assume(phonenumbers.is_valid_number(phonenumbers.parse(number, "BE")))
    groups = [rest[:3], rest[3:5], rest[5:]] if len(zone) == 1 else [rest[:2], rest[2:4], rest[4:]]
    return draw(st.sampled_from([
        f"0{zone} {' '.join(groups)}", f"0{zone}/{'.'.join(groups)}", f"0{zone}/{' '.join(groups)}", number,
        f"+32 {zone} {' '.join(groups)}", f"0032 {zone} {''.join(groups)}", f"(0{zone}) {' '.join(groups)}",
        f"+32 (0){zone} {' '.join(groups)}", f"0{zone}.{'.'.join(groups)}"]))


@st.composite
def foreign_phone(draw: st.DrawFn) -> str:
    """International numbers of the countries newcomers often keep a phone of."""
    country, national = draw(st.sampled_from([
        ("33", "6" + "{8}"), ("33", "7" + "{8}"), ("31", "6" + "{8}"), ("49", "151" + "{8}"), ("44", "7700" + "{6}"),
        ("212", "6" + "{8}"), ("90", "532" + "{7}"), ("48", "512" + "{6}"), ("40", "722" + "{6}"),
        ("216", "2" + "{7}"), ("1", "202555" + "{4}")]))
    head, n = national.split("{")
    number = head + draw(_digits(int(n.rstrip("}"))))
    assume(phonenumbers.is_valid_number(phonenumbers.parse(f"+{country}{number}")))
    parsed = phonenumbers.parse(f"+{country}{number}")
    fmt = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return draw(st.sampled_from([fmt, f"+{country}{number}", f"00{country} {number}", fmt.replace(" ", "-")]))


phones = st.one_of(be_mobile(), be_landline(), foreign_phone())

_name = st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=10)
emails = st.builds(lambda a, b, sep, dom, form, case: case(form.format(a=a, sep=sep, b=b, dom=dom)),
                   _name, _name, st.sampled_from([".", "_", "-", ""]),
                   st.sampled_from(["example.org", "example.be", "example.com", "mail.example.org"]),
                   st.sampled_from(["{a}{sep}{b}@{dom}", "{a}@{dom}", "{a} (at) {dom}", "{a}[at]{dom}"]),
                   st.sampled_from([str, str.upper, str.capitalize]))


@st.composite
def national_numbers(draw: st.DrawFn) -> str:
    """YY.MM.DD-SSS.CC with a correct checksum (births from 2000 put a 2 before the nine digits)."""
    birth = draw(st.dates(min_value=date(1930, 1, 1),
                          max_value=date(2024, 12, 31)))
    serial = draw(st.integers(1, 997))
    body = f"{birth:%y%m%d}{serial:03d}"
    check = 97 - (int(("2" if birth.year >= 2000 else "") + body) % 97)
    yy, mm, dd, sss, cc = body[:2], body[2:4], body[4:6], body[6:], f"{check:02d}"
    return draw(st.sampled_from([f"{yy}.{mm}.{dd}-{sss}.{cc}", f"{yy}{mm}{dd}{sss}{cc}", f"{yy}{mm}{dd} {sss} {cc}",
                                 f"{yy}{mm}{dd}-{sss}-{cc}", f"{yy}.{mm}.{dd} {sss}.{cc}"]))


def _iban(country: str, bban: str) -> str:
    check = 98 - int("".join(str(int(c, 36)) for c in bban + country + "00")) % 97
    return f"{country}{check:02d}{bban}"


@st.composite
def ibans(draw: st.DrawFn) -> str:
    """Belgian IBANs (with their national check) and foreign ones, with spaces every four or written together."""
    kind = draw(st.sampled_from(["BE", "NL", "FR", "DE", "LU"]))
    if kind == "BE":
        ten = draw(_digits(10))
        national = int(ten) % 97 or 97
        iban = _iban("BE", f"{ten}{national:02d}")
    elif kind == "NL":
        iban = _iban("NL", draw(st.sampled_from(["ABNA", "INGB", "RABO", "TRIO"])) + draw(_digits(10)))
    elif kind == "FR":
        iban = _iban("FR", draw(_digits(10)) + draw(st.text("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=11,
                                                                max_size=11)) + draw(_digits(2)))
    elif kind == "DE":
        iban = _iban("DE", draw(_digits(18)))
    else:
        iban = _iban("LU", draw(_digits(3)) + draw(_digits(13)))
    spaced = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
    return draw(st.sampled_from([iban, spaced, spaced.lower(), iban.lower()]))


_NL_NAMES = ["Stations", "Kerk", "School", "Molen", "Doornikse", "Gentse", "Brugse", "Kortrijkse", "Meense",
             "Sint-Jans", "Overleie", "Beheerstersdreef", "Lange Violette", "Veldstraat", "Hoog"]


@st.composite
def streets(draw: st.DrawFn) -> str:
    """A street with a house number, as Flemish and Brussels letters write them."""
    number = str(draw(st.integers(1, 450))) + draw(st.sampled_from(["", "", "A", "b", " bus 3", "/2"]))
    nl = draw(st.sampled_from(_NL_NAMES)).replace("straat", "").replace("dreef", "")
    suffix = draw(st.sampled_from(["straat", "steenweg", "laan", "plein", "weg", "lei", "dreef", "wijk", "kaai",
                                   "dijk", "markt"]))
    fr = draw(st.sampled_from(["rue de la Loi", "avenue Louise", "chaussée de Gand", "place Flagey",
                               "boulevard Anspach", "rue Haute", "chaussée d'Ixelles", "avenue de la Toison d'Or",
                               "Rue du Midi", "quai au Foin", "drève de Lorraine"]))
    return draw(st.sampled_from([f"{nl}{suffix} {number}", f"{nl}{suffix} {number}, 8500 Kortrijk",
                                 f"Grote Markt {number}", f"Kortrijkse Steenweg {number}", f"{fr} {number}",
                                 f"{fr} {number}, 1000 Bruxelles", f"{number}, {fr}", f"{number} {fr}"]))


DETAILS = {screening.PHONE: phones, screening.EMAIL: emails, screening.NATIONAL_NUMBER: national_numbers(),
           screening.IBAN: ibans(), screening.ADDRESS: streets()}

_CARRIERS = [
    "Je kan haar bereiken op {d}.", "Mevrouw vraagt om terug te bellen via {d} na 14u.", "Contact: {d}",
    "Hij woont sinds 2019 op {d} bij zijn neef.", "Stuur de brief naar {d} aub", "Rekening {d} is geblokkeerd.",
    "Rijksregisternummer {d}, vraag over kindergeld.", "{d}", "Elle habite {d} depuis mars.",
    "Merci de la rappeler au {d} avant vendredi.", "Son numéro national est {d}.", "Virement sur le compte {d}.",
    "Please call her back on {d} tomorrow.", "Her e-mail is {d}, she reads it daily.",
    "Afspraak bij het OCMW, adres {d}; ze heeft 3 kinderen.", "Wachtlijst van 18 maanden, tel. {d}",
]


def hidden(detail: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """`detail` inside a realistic Dutch, French or English sentence."""
    return st.builds(lambda carrier, d: carrier.format(d=d), st.sampled_from(_CARRIERS), detail)


planted = st.sampled_from(sorted(DETAILS)).flatmap(lambda kind: hidden(DETAILS[kind]).map(lambda s: (kind, s)))

# ordinary sentences: dates, times, amounts, years, postcodes, counts — nothing to refuse
_dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))
_date_text = st.builds(lambda d, f: d.strftime(f), _dates,
                       st.sampled_from(["%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%Y", "%-d/%-m", "%d/%m/%y"]))
_time_text = st.builds(lambda h, m, f: f.format(h=h, m=m), st.integers(7, 20), st.integers(0, 59),
                       st.sampled_from(["{h}:{m:02d}", "{h}u{m:02d}", "{h}h{m:02d}", "{h} uur", "{h}u"]))
_amount = st.builds(lambda n, c, f: f.format(n=n, c=c), st.integers(1, 25_000), st.integers(0, 99),
                    st.sampled_from(["€ {n}", "€{n},{c:02d}", "{n} euro", "EUR {n}", "{n},{c:02d} €",
                                     "€ {n}.-"]))
_postcode = st.sampled_from(["8500 Kortrijk", "8000 Brugge", "1800 Vilvoorde", "1700 Dilbeek", "9400 Ninove",
                             "8800 Roeselare", "8530 Harelbeke", "8520 Kuurne", "1000 Brussel", "9000 Gent"])
_count = st.builds(lambda n, f: f.format(n=n), st.integers(1, 40),
                   st.sampled_from(["{n} keer", "{n} kinderen", "{n} maanden", "{n} weken", "{n} dagen",
                                    "{n} fois", "{n} personnes", "{n} times", "{n}x", "{n}%", "{n} minuten"]))
_ORDINARY = [
    "Op {date} om {time} kwam ze voor de {count} terug; de huur is {amount} per maand.",
    "Sinds {year} wacht het gezin in {postcode} op een sociale woning, al {count}.",
    "Le {date} à {time}, inscription au cours de néerlandais ({amount}), {count}.",
    "The service in {postcode} closed on {date}; the waiting list is {count}, the fee {amount}.",
    "Wachtlijst sinds {year}: {count}, afspraak {date} {time}, kostprijs {amount}, loket in {postcode}.",
    "Geen tolk beschikbaar in {postcode} tussen {time} en 17:00, {count} in {year}.",
]
ordinary = st.builds(lambda t, **kw: t.format(**kw), st.sampled_from(_ORDINARY), date=_date_text, time=_time_text,
                     amount=_amount, postcode=_postcode, count=_count, year=st.integers(1990, 2030).map(str))
