"""The demo catalogue: Leiebrugge, a fictional mid-sized Flemish city (tenant "kortrijk"), as HSDS 3.1 files.

`python -m services.catalogue.demo_catalogue` writes deploy/demo/catalogue/{organizations,services}.json.
Deterministic (fixed seed); every name is invented. Gaps are deliberate, so insights have something to find:
no Pashto anywhere, no Tigrinya for anything about school, waiting lists on housing, little on Saturdays.
"""
from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from contracts import taxonomy
from contracts.events.catalogue import (
    Accessibility, Address, Capacity, Closure, CostOption, Eligibility, LocationRecord, OrganizationRecord, Phone,
    Schedule, ServiceRecord)
from services.catalogue.adapters import hsds
from services.catalogue.application.hsds_export import Catalogue
from services.catalogue.domain.entity import Link

OUT = Path(__file__).resolve().parents[2] / "deploy" / "demo" / "catalogue"
NS = uuid.UUID("3c1e5f0a-2b7d-4e8f-9a6b-5d4c3b2a1f00")
TOWNS = [("Leiebrugge", "8500"), ("Heulebeke", "8501"), ("Markegem", "8510"), ("Wevelaar", "8511")]
STREETS = ["Leiekaai", "Groeningestraat", "Vlasmarkt", "Brugwachtersplein", "Kanaalweg", "Zwanenlaan", "Oude Dreef",
           "Meersstraat", "Hoogstraat", "Molenhoek"]
LANGUAGE_POOL = ["fr", "en", "ar", "tr", "ru", "uk", "fa", "prs", "so", "ti", "ro", "bg", "pl", "es", "sq"]
# (organisation type, how many, name patterns, themes its services cover)
KINDS = [
    ("OCMW", 3, ["OCMW Leiebrugge – {}"], ["income.ocmw-support", "housing.search", "income.social-tariffs",
                                          "finances.debts", "health.urgent-medical-aid"]),
    ("housing", 6, ["Sociaal Verhuurkantoor {}", "Woonwinkel {}", "Huurdersbond {}"],
     ["housing.search", "housing.social-rental", "housing.tenancy-problems", "housing.energy-water"]),
    ("welfare", 8, ["Welzijnshuis {}", "Vzw De Brugwachter {}", "Buurtwerk {}"],
     ["letters.explain-letter", "letters.fill-in-forms", "finances.budget", "mental-health.psychological-support",
      "childcare-family.parenting-support", "legal-aid.legal-advice"]),
    ("school", 8, ["Basisschool {}", "Scholengroep {}", "Secundaire school {}"],
     ["education.school-registration", "education.reception-classes", "education.school-costs",
      "education.parent-school-contact"]),
    ("language", 5, ["Huis van het Nederlands {}", "Taalcafé {}", "Centrum Volwassenenonderwijs {}"],
     ["dutch-integration.dutch-classes", "dutch-integration.practise-dutch", "dutch-integration.civic-integration"]),
    ("work", 6, ["Jobhuis {}", "Werkwinkel {}", "Opleidingscentrum {}"],
     ["work.job-search", "work.diploma-recognition", "work.vocational-training", "work.self-employment"]),
    ("health", 7, ["Wijkgezondheidscentrum {}", "Huisartsenpraktijk {}", "Centrum Geestelijke Gezondheid {}"],
     ["health.find-gp", "health.health-insurance", "mental-health.trauma", "health.pregnancy-birth"]),
    ("city", 6, ["Stadsloket {}", "Bibliotheek {}", "Digipunt {}", "Sportdienst {}"],
     ["civil-affairs.registration", "residence-papers.residence-permit", "digital.digital-identity",
      "digital.digital-skills", "leisure.sport", "leisure.culture-library", "leisure.uitpas"]),
    ("family", 6, ["Huis van het Kind {}", "Kinderopvang {}", "Jeugdhuis {}"],
     ["childcare-family.childcare", "childcare-family.child-health-checkups", "leisure.youth-activities",
      "childcare-family.domestic-violence"]),
    ("legal", 5, ["Rechtswinkel {}", "Mobiliteitspunt {}", "Vzw Recht op Thuis {}"],
     ["legal-aid.pro-deo-lawyer", "legal-aid.discrimination-report", "mobility.public-transport",
      "mobility.driving-licence", "residence-papers.family-reunification"]),
]
WORDS = ["Leie", "Vlaskaai", "De Kade", "Zuid", "Noord", "Overleie", "De Brug", "Sint-Elooi", "De Meers", "Het Anker",
         "De Linde", "Groenhove", "De Sluis", "Ter Walle", "De Zwaan"]


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NS, "/".join(map(str, parts))))


def _schedules(rng: random.Random, kind: str) -> tuple[Schedule, ...]:
    days = rng.sample(["MO", "TU", "WE", "TH", "FR"], rng.randint(1, 3))
    morning, afternoon = ("09:00", "12:00"), ("13:30", "16:30")
    slots = [Schedule(byday=tuple(sorted(days, key="MO TU WE TH FR".split().index)), opens_at=o, closes_at=c)
             for o, c in rng.sample([morning, afternoon], rng.randint(1, 2))]
    if kind in ("family", "language") and rng.random() < 0.3:
        slots.append(Schedule(byday=("SA",), opens_at="10:00", closes_at="12:00"))
    if rng.random() < 0.1:
        slots.append(Schedule(freq="MONTHLY", byday=("-1TH",), opens_at="18:00", closes_at="20:00",
                              description="Avondspreekuur, laatste donderdag van de maand"))
    return tuple(slots)


def _languages(rng: random.Random, theme: str) -> tuple[str, ...]:
    extra = [c for c in rng.sample(LANGUAGE_POOL, rng.randint(0, 4))
             if not (c == "ti" and theme.startswith("education"))]
    return ("nl", *extra)


def _service(rng: random.Random, org_id: str, kind: str, theme: str, org_name: str) -> ServiceRecord:
    label = taxonomy.themes().label(theme, "nl")
    free = kind in ("OCMW", "welfare", "city", "legal") or rng.random() < 0.6
    waiting = theme.startswith("housing") and rng.random() < 0.7
    capacity = Capacity(available=0 if waiting else rng.randint(0, 25), maximum=rng.choice([20, 40, 60]),
                        unit="plaatsen" if kind != "housing" else "woningen",
                        updated=datetime(2026, 11, rng.randint(1, 20), 9, 0, tzinfo=UTC), waiting_list=waiting)
    return ServiceRecord(
        organization_id=org_id, name=f"{label} – {org_name}", status="active",
        description=f"{label}: hulp voor inwoners van Leiebrugge.", themes=(theme,),
        languages=_languages(rng, theme),
        interpretation_services="Tolk via Tolken Vlaanderen op afspraak" if rng.random() < 0.3 else None,
        eligibility=Eligibility(minimum_age=18 if kind in ("work", "legal") else None,
                                residence_status_required=rng.random() < 0.25,
                                documents_required=("identiteitskaart",) if rng.random() < 0.5 else ()),
        cost_options=(CostOption(option="Gratis", amount=0, currency="EUR"),) if free else (
            CostOption(option="Bijdrage", amount=float(rng.choice([5, 10, 25])), currency="EUR"),),
        schedules=_schedules(rng, kind),
        closures=(Closure(starts=date(2026, 12, 24), ends=date(2027, 1, 1), reason="Kerstvakantie"),)
        if rng.random() < 0.4 else (),
        capacity=capacity if rng.random() < 0.6 or waiting else None,
        phones=(Phone(number=f"+32 56 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"),),
        assured_date=date(2026, rng.randint(1, 11), rng.randint(1, 28)) if rng.random() < 0.7 else None)


def _location(rng: random.Random, org_id: str, name: str, kind: str) -> LocationRecord:
    town, postal = rng.choice(TOWNS)
    return LocationRecord(
        name=name, organization_id=org_id, location_type="physical",
        address=Address(street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}", postal_code=postal, city=town,
                        province="West-Vlaanderen"),
        latitude=round(50.80 + rng.random() / 20, 5), longitude=round(3.24 + rng.random() / 20, 5),
        wheelchair_accessible=rng.random() < (0.3 if kind in ("health", "welfare") else 0.6),
        accessibility=(Accessibility(description="Lift en aangepast toilet"),) if rng.random() < 0.3 else ())


def _anchor(org_id: str) -> ServiceRecord:
    """The service the demo's first search finds: Arabic-speaking housing help, free, Tuesday morning."""
    return ServiceRecord(
        organization_id=org_id, name="Woonloket Leiebrugge", status="active", themes=("housing.search",),
        description="Samen zoeken naar een woning; uitleg over huurcontracten.", languages=("nl", "ar", "fr"),
        cost_options=(CostOption(option="Gratis", amount=0, currency="EUR"),),
        schedules=(Schedule(byday=("TU", "TH"), opens_at="09:00", closes_at="12:00"),),
        capacity=Capacity(available=0, maximum=30, unit="woningen", updated=datetime(2026, 11, 16, 9, tzinfo=UTC),
                          waiting_list=True),
        assured_date=date(2026, 11, 2))


def build(seed: int = 20261128) -> Catalogue:
    rng = random.Random(seed)
    cat = Catalogue()
    for kind, count, patterns, themes in KINDS:
        for i in range(count):
            org_id = _id("org", kind, i)
            name = rng.choice(patterns).format(WORDS[(i * 7 + len(kind)) % len(WORDS)]) + ("" if i < 3 else f" {i}")
            cat.organizations.append((org_id, OrganizationRecord(
                name=name, description=f"{name} helpt inwoners van Leiebrugge.",
                kbo_number=f"0{rng.randint(200_000_000, 999_999_999)}", website=f"https://{_id(org_id)[:8]}.example")))
            loc_id = _id("loc", org_id)
            cat.locations.append((loc_id, _location(rng, org_id, name, kind)))
            chosen = [_anchor(org_id)] if (kind, i) == ("OCMW", 0) else []
            chosen += [_service(rng, org_id, kind, t, name) for t in rng.sample(themes, min(len(themes), 2 + i % 2))]
            for j, record in enumerate(chosen):
                sid = _id("svc", org_id, j)
                cat.services.append((sid, record, (Link(_id("sal", sid, loc_id), loc_id),)))
    for entity_id, *_ in (*cat.organizations, *cat.locations, *cat.services):
        cat.hsds_ids[entity_id] = entity_id
    return cat


def write(folder: Path = OUT) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    catalogue, written = build(), []
    for kind, name in (("organization", "organizations.json"), ("service", "services.json")):
        path = folder / name
        path.write_text(json.dumps(hsds.export(kind, catalogue), indent=1, ensure_ascii=False) + "\n", "utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    print("\n".join(str(p) for p in write()))
