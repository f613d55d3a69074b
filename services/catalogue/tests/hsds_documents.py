"""Synthetic HSDS 3.1 documents written the way a Flemish publisher writes them, from the official schemas.

Together they use every property of every object the schemas define under organization, service, location and
service_at_location (`hsds_schema_walk.unused` proves it at run time, so a new schema field fails a test). Every
nested object carries its owner's id (`service_id`, `location_id`, `link_id`, `resource_id`, ...) as the schema's
tabular form needs it. Invented names, example.org addresses, +32 4xx numbers no one has.

- `organizations()`: "Vzw Onderdak Leie" with its two locations nested;
- `services()`: the night shelter (free, beds available, wheelchair accessible, nl/fr/en/Arabic, coded in AIRS
  only) and the social restaurant (paid, Dutch only, coded in the city's own taxonomy only);
- `nested_service_at_location()`: a service_at_location holding its `service` (with its `organization` and
  `program`) and its `location`, of another organisation;
- `summaries()`: the services as summary objects (only some fields).
"""
from __future__ import annotations

import uuid
from typing import Any

NS = uuid.UUID("3c5e0a57-91d2-4c53-b6a4-5f0f2a8d7e11")
NAMED_LANGUAGES = {"Arabic": "ar"}  # a language given only by name, and the ISO 639 code it stands for


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


ORG, ORG_HEULE = uid("organization/onderdak-leie"), uid("organization/buurtwerk-heule")
LOC_SHELTER, LOC_RESTO, LOC_HEULE = uid("location/overzet"), uid("location/resto"), uid("location/heule")
SHELTER, RESTO, INLOOP = uid("service/nachtopvang"), uid("service/resto"), uid("service/inloop-heule")
SAL_SHELTER, SAL_RESTO, SAL_HEULE = uid("sal/nachtopvang"), uid("sal/resto"), uid("sal/inloop-heule")
PROGRAM = uid("program/winterplan")
AIRS_TERM, CITY_TERM, CITY_TAXONOMY = uid("term/airs/BH-1800.8500"), uid("term/krt/WZ-0412"), uid("taxonomy/krt")
UNIT = uid("unit/bed")
AIRS_CODE, CITY_CODE = "BH-1800.8500", "WZ-0412"


def metadata(resource_id: str, resource_type: str, field: str, previous: str, replacement: str) -> list[dict]:
    return [{"id": uid(f"metadata/{resource_id}/{field}"), "resource_id": resource_id,
             "resource_type": resource_type, "last_action_date": "2026-01-15", "last_action_type": "update",
             "field_name": field, "previous_value": previous, "replacement_value": replacement,
             "updated_by": "sociale-kaart@example.org"}]


def airs_term() -> dict[str, Any]:
    """An AIRS/211 LA term: Wegwijs's housing theme stands for it."""
    return {"id": AIRS_TERM, "code": AIRS_CODE, "name": "Homeless Shelter", "taxonomy": "AIRS", "language": "en",
            "description": "Programs that provide temporary shelter for people who are homeless.",
            "term_uri": "https://example.org/airs/BH-1800.8500"}


def city_term() -> dict[str, Any]:
    """A term of the city's own taxonomy, which no Wegwijs theme stands for."""
    return {"id": CITY_TERM, "code": CITY_CODE, "name": "Buurtgerichte werking", "taxonomy": "Sociale kaart Kortrijk",
            "description": "Werking in en met de buurt.", "language": "nl", "parent_id": uid("term/krt/WZ-0400"),
            "taxonomy_id": CITY_TAXONOMY, "term_uri": "https://example.org/sociale-kaart/termen/WZ-0412",
            "taxonomy_detail": {
                "id": CITY_TAXONOMY, "name": "Sociale kaart Kortrijk", "version": "2025.2",
                "description": "De indeling van het aanbod van de stad.", "uri": "https://example.org/sociale-kaart",
                "metadata": metadata(CITY_TAXONOMY, "taxonomy", "version", "2025.1", "2025.2")},
            "metadata": metadata(CITY_TERM, "taxonomy_term", "name", "Buurtwerk", "Buurtgerichte werking")}


def attribute(link_id: str, entity: str, term: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"id": uid(f"attribute/{link_id}/{term['id']}"), "link_id": link_id, "link_entity": entity,
            "taxonomy_term_id": term["id"], "taxonomy_term": term, **more}


def tagged(kind: str, obj: dict[str, Any], field: str, previous: str = "(none)") -> dict[str, Any]:
    """`obj` with an attribute of the city's taxonomy and the record of its last change (`metadata`)."""
    return obj | {"attributes": [attribute(obj["id"], kind, city_term())],
                  "metadata": metadata(obj["id"], kind, field, previous, str(obj.get(field)))}


def language(owner_key: str, owner: str, name: str | None, code: str | None, **more: Any) -> dict[str, Any]:
    item = {"id": uid(f"language/{owner}/{name or code}"), owner_key: owner, **more}
    return item | ({"name": name} if name else {}) | ({"code": code} if code else {})


def phone(owner_key: str, owner: str, number: str, **more: Any) -> dict[str, Any]:
    pid = uid(f"phone/{owner}/{number}")
    return {"id": pid, owner_key: owner, "number": number, **more}


def schedule(owner_key: str, owner: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"id": uid(f"schedule/{owner}/{name}"), owner_key: owner, **fields}


def _organization_parts() -> dict[str, Any]:
    main = phone("organization_id", ORG, "+32 460 00 01 00", type="voice", extension=12,
                 description="Secretariaat, op weekdagen")
    return {
        "additional_websites": [tagged("url", {
            "id": uid("url/org/facebook"), "organization_id": ORG, "label": "Facebook",
            "url": "https://example.org/social/onderdak-leie"}, "label", "Facebookpagina")],
        "funding": [tagged("funding", {"id": uid("funding/org"), "organization_id": ORG,
                                       "source": "Stad Kortrijk, subsidie thuislozenzorg 2026"}, "source")],
        "contacts": [tagged("contact", {
            "id": uid("contact/org/coordinator"), "organization_id": ORG, "name": "Lotte Vandewalle",
            "title": "Coördinator", "department": "Dagelijks bestuur", "email": "lotte@example.org",
            "phones": [phone("contact_id", uid("contact/org/coordinator"), "+32 460 00 01 09", type="cell")]},
            "title", "Coördinatrice")],
        "phones": [tagged("phone", main, "extension", "11")],
        "programs": [tagged("program", {
            "id": PROGRAM, "organization_id": ORG, "name": "Winterplan", "alternate_name": "Koudeplan",
            "description": "Extra opvang van 1 november tot 31 maart."}, "name", "Koudeplan")],
        "organization_identifiers": [tagged("organization_identifier", {
            "id": uid("identifier/org/kbo"), "organization_id": ORG, "identifier_scheme": "BE-BCE_KBO",
            "identifier_type": "KBO", "identifier": "0999.000.123"}, "identifier_scheme")],
        "attributes": [attribute(ORG, "organization", city_term(), link_type="sector", value="welzijn",
                                 label="Welzijnsorganisatie")],
        "metadata": metadata(ORG, "organization", "email", "info@example.org", "onthaal@example.org"),
    }


def organizations() -> list[dict[str, Any]]:
    return [{
        "id": ORG, "name": "Vzw Onderdak Leie", "alternate_name": "Onderdak Leie",
        "description": "Opvang en maaltijden voor wie dak- of thuisloos is in Kortrijk.",
        "email": "onthaal@example.org", "website": "https://example.org/onderdak-leie", "tax_status": "vzw",
        "tax_id": "BE0999000123", "year_incorporated": 1994, "legal_status": "vereniging zonder winstoogmerk",
        "logo": "https://example.org/onderdak-leie/logo.png", "uri": "https://example.org/id/onderdak-leie",
        **_organization_parts(),
        "locations": [shelter_location(), resto_location()],
    }]


def _address(location_id: str, name: str, street: str, **more: Any) -> dict[str, Any]:
    return {"id": uid(f"address/{location_id}/{name}"), "location_id": location_id, "address_1": street,
            "city": "Kortrijk", "state_province": "West-Vlaanderen", "postal_code": "8500", "country": "BE",
            "address_type": "physical", **more}


def shelter_location() -> dict[str, Any]:
    loc = LOC_SHELTER
    return {
        "id": loc, "location_type": "physical", "url": "https://example.org/onderdak-leie/overzet",
        "organization_id": ORG, "name": "De Overzet", "alternate_name": "Nachtopvang Overzet",
        "description": "Opvanghuis aan de Leie.", "transportation": "Bus 1 en 12, halte Overzet",
        "latitude": 50.8279, "longitude": 3.2649, "external_identifier": "ADR-8500-000012",
        "external_identifier_type": "Adressenregister",
        "languages": [tagged("language", language("location_id", loc, "Dutch", "nl"), "code", "nld")],
        "addresses": [
            tagged("address", _address(loc, "physical", "Overzetstraat 12", attention="t.a.v. het onthaal",
                                       address_2="bus 3", region="Vlaanderen"), "address_1", "Overzet 12"),
            _address(loc, "postal", "Postbus 100", address_type="postal", region="Vlaanderen",
                     attention="Vzw Onderdak Leie", address_2="Kortrijk 1")],
        "contacts": [{"id": uid(f"contact/{loc}"), "location_id": loc, "name": "Nachtploeg", "title": "Permanentie",
                      "email": "nacht@example.org"}],
        "accessibility": [{
            "id": uid(f"accessibility/{loc}"), "location_id": loc,
            "description": "Wheelchair accessible entrance with a ramp at the side door.",
            "details": "Rolstoeltoegankelijke ingang via de zijdeur; aangepast toilet op het gelijkvloers.",
            "url": "https://example.org/onderdak-leie/overzet/toegankelijkheid",
            "attributes": [attribute(uid(f"accessibility/{loc}"), "accessibility", city_term())],
            "metadata": metadata(uid(f"accessibility/{loc}"), "accessibility", "details", "Rolstoeltoegankelijk",
                                 "Rolstoeltoegankelijke ingang via de zijdeur")}],
        "phones": [phone("location_id", loc, "+32 460 00 01 12", type="voice",
                         languages=[language("phone_id", uid(f"phone/{loc}/+32 460 00 01 12"), "French", "fr")])],
        "schedules": [tagged("schedule", schedule(
            "location_id", loc, "weekend", freq="WEEKLY", interval=2, wkst="MO", byday="SA", dtstart="2026-01-10",
            opens_at="10:00:00+01:00", closes_at="12:00:00+01:00",
            description="Om de twee weken zaterdagvoormiddag: kledingbank"), "byday", "SU")],
        "attributes": [attribute(loc, "location", city_term())],
        "metadata": metadata(loc, "location", "name", "Overzet", "De Overzet"),
    }


def resto_location() -> dict[str, Any]:
    loc = LOC_RESTO
    return {
        "id": loc, "location_type": "physical", "organization_id": ORG, "name": "Resto Leie",
        "latitude": 50.8301, "longitude": 3.2702,
        "addresses": [_address(loc, "physical", "Leiestraat 40")],
        "accessibility": [{"id": uid(f"accessibility/{loc}"), "location_id": loc,
                           "description": "Eetzaal op de eerste verdieping, geen lift."}],
    }


def _shelter_schedules() -> list[dict[str, Any]]:
    return [
        schedule("service_id", SHELTER, "weekdays", freq="WEEKLY", interval=1, wkst="MO", byday="MO,WE",
                 dtstart="2026-01-05", until="2026-06-30", timezone=1, opens_at="09:00:00+01:00",
                 closes_at="12:00:00+01:00", valid_from="2026-01-01", valid_to="2026-12-31",
                 description="Onthaal en intake op maandag- en woensdagvoormiddag",
                 notes="Gesloten op feestdagen", schedule_link="https://example.org/onderdak-leie/afspraak",
                 attending_type="Ter plaatse, zonder afspraak"),
        schedule("service_id", SHELTER, "infosessie", freq="MONTHLY", byday="2TH", dtstart="2026-01-08", count=6,
                 opens_at="18:00:00+01:00", closes_at="20:00:00+01:00",
                 description="Infoavond, tweede donderdag van de maand"),
        schedule("service_id", SHELTER, "summer", freq="WEEKLY", byweekno="28,29,30,31", byday="FR",
                 dtstart="2026-07-10", until="2026-07-31", opens_at="14:00:00+02:00", closes_at="16:00:00+02:00",
                 description="Zomerwerking: vrijdagnamiddag in de weken 28 tot 31"),
    ]


def _capacity() -> dict[str, Any]:
    cid = uid("capacity/nachtopvang")
    return {"id": cid, "service_id": SHELTER, "unit_id": UNIT,
            "unit": {"id": UNIT, "name": "bed", "scheme": "SKOS", "identifier": "bed",
                     "uri": "https://example.org/eenheden/bed",
                     "attributes": [attribute(UNIT, "unit", city_term())],
                     "metadata": metadata(UNIT, "unit", "name", "bedden", "bed")},
            "available": 6, "maximum": 24, "description": "Bedden voor wie dakloos is, per nacht",
            "updated": "2026-02-09T08:00:00.000+01:00",
            "attributes": [attribute(cid, "service_capacity", city_term())],
            "metadata": metadata(cid, "service_capacity", "available", "4", "6")}


def _shelter_lists() -> dict[str, Any]:
    s = SHELTER
    return {
        "additional_urls": [{"id": uid(f"url/{s}/faq"), "service_id": s, "label": "Veelgestelde vragen",
                             "url": "https://example.org/onderdak-leie/faq"}],
        "phones": [phone("service_id", s, "+32 460 00 01 20", type="voice", extension=3,
                         description="Permanentie, ook 's nachts",
                         languages=[language("phone_id", uid(f"phone/{s}/+32 460 00 01 20"), "English", "en")])],
        "schedules": _shelter_schedules(),
        "service_areas": [tagged("service_area", {
            "id": uid(f"area/{s}"), "service_id": s, "name": "Kortrijk",
            "description": "Wie in Kortrijk of een deelgemeente verblijft",
            "extent": '{"type":"Point","coordinates":[3.2649,50.8279]}', "extent_type": "geojson",
            "uri": "https://example.org/gebieden/kortrijk"}, "name", "Groot-Kortrijk")],
        "languages": [language("service_id", s, "Dutch", "nl"),
                      language("service_id", s, "French", "fr", note="Bij de nachtploeg, niet altijd"),
                      language("service_id", s, "Arabic", None),
                      language("service_id", s, None, "en")],
        "funding": [{"id": uid(f"funding/{s}"), "service_id": s, "source": "Vlaamse overheid, Winterplan"}],
        "cost_options": [{"id": uid(f"cost/{s}"), "service_id": s, "option": "Wie geen inkomen heeft",
                          "currency": "eur", "amount": 0, "amount_description": "per nacht",
                          "valid_from": "2026-01-01", "valid_to": "2026-12-31",
                          "attributes": [attribute(uid(f"cost/{s}"), "cost_option", city_term())],
                          "metadata": metadata(uid(f"cost/{s}"), "cost_option", "amount", "2", "0")}],
        "required_documents": [tagged("required_document", {
            "id": uid(f"document/{s}"), "service_id": s, "document": "Identiteitsbewijs, als je er een hebt",
            "uri": "https://example.org/onderdak-leie/documenten"}, "document", "Identiteitskaart")],
        "contacts": [{"id": uid(f"contact/{s}"), "service_id": s, "name": "Jonas De Clercq",
                      "title": "Maatschappelijk werker", "email": "jonas@example.org"}],
        "capacities": [_capacity()],
        "attributes": [attribute(s, "service", airs_term(), link_type="service_type",
                                 metadata=metadata(uid(f"attribute/{s}/{AIRS_TERM}"), "attribute", "taxonomy_term_id",
                                                   "(none)", AIRS_TERM))],
        "metadata": metadata(s, "service", "status", "inactive", "active"),
    }


def shelter() -> dict[str, Any]:
    return {
        "id": SHELTER, "organization_id": ORG, "program_id": PROGRAM, "name": "Nachtopvang De Overzet",
        "alternate_name": "Nachtopvang", "description": "Een bed, een douche en een ontbijt voor wie geen dak heeft.",
        "url": "https://example.org/onderdak-leie/nachtopvang", "email": "nachtopvang@example.org",
        "status": "active", "interpretation_services": "Tolk via het Agentschap Integratie en Inburgering",
        "application_process": "Kom langs tijdens het onthaal of bel de permanentie.",
        "fees_description": "Gratis voor wie geen inkomen heeft.", "wait_time": "Geen wachttijd",
        "fees": "Gratis", "accreditations": "Erkend door de Vlaamse overheid",
        "eligibility_description": "Volwassenen en jongeren vanaf 17,5 jaar zonder dak.",
        "minimum_age": 17.5, "maximum_age": 120, "assured_date": "2026-01-15",
        "assurer_email": "sociale-kaart@example.org", "licenses": "Erkenning 2024-117",
        "alert": "Tijdens koudeperiodes extra bedden.", "last_modified": "2026-02-01T09:30:00.000+01:00",
        **_shelter_lists(),
        "service_at_locations": [sal(SAL_SHELTER, SHELTER, LOC_SHELTER)],
    }


def sal(sal_id: str, service_id: str, location_id: str) -> dict[str, Any]:
    return {
        "id": sal_id, "service_id": service_id, "location_id": location_id,
        "description": "Onthaal aan de zijdeur",
        "service_areas": [{"id": uid(f"area/{sal_id}"), "service_at_location_id": sal_id, "name": "Binnenstad"}],
        "contacts": [{"id": uid(f"contact/{sal_id}"), "service_at_location_id": sal_id, "name": "Onthaal"}],
        "phones": [phone("service_at_location_id", sal_id, "+32 460 00 01 30")],
        "schedules": [schedule("service_at_location_id", sal_id, "newyear", freq="MONTHLY", byyearday="1",
                               opens_at="10:00:00+01:00", closes_at="16:00:00+01:00",
                               description="Nieuwjaarsdag: open huis")],
        "attributes": [attribute(sal_id, "service_at_location", city_term())],
        "metadata": metadata(sal_id, "service_at_location", "description", "Onthaal", "Onthaal aan de zijdeur"),
    }


def resto() -> dict[str, Any]:
    s = RESTO
    return {
        "id": s, "organization_id": ORG, "name": "Sociaal restaurant Resto Leie", "status": "active",
        "description": "Een warme maaltijd aan een zachte prijs.",
        "languages": [language("service_id", s, "Dutch", "nl")],
        "schedules": [
            schedule("service_id", s, "lunch", freq="WEEKLY", byday="TU,TH", opens_at="11:30:00+01:00",
                     closes_at="14:00:00+01:00"),
            schedule("service_id", s, "feestmaal", freq="MONTHLY", bymonthday="-1", opens_at="17:30:00+01:00",
                     closes_at="20:00:00+01:00", description="Laatste dag van de maand: feestmaaltijd")],
        "cost_options": [{"id": uid(f"cost/{s}"), "service_id": s, "option": "Maaltijd", "currency": "eur",
                          "amount": 4.5, "amount_description": "soep, hoofdgerecht en dessert"}],
        "attributes": [attribute(s, "service", city_term())],
        "service_at_locations": [{"id": SAL_RESTO, "service_id": s, "location_id": LOC_RESTO}],
    }


def services() -> list[dict[str, Any]]:
    return [shelter(), resto()]


def nested_service_at_location() -> dict[str, Any]:
    """A service_at_location with its service (and the service's organisation and programme) and its location."""
    program = {"id": uid("program/heule"), "organization_id": ORG_HEULE, "name": "Buurtwerk",
               "description": "Werking in de wijken van Heule."}
    organization = {"id": ORG_HEULE, "name": "Vzw Buurtwerk Heule", "description": "Buurtwerk in Heule.",
                    "parent_organization_id": ORG, "programs": [program]}
    return {
        "id": SAL_HEULE, "service_id": INLOOP, "location_id": LOC_HEULE,
        "service": {"id": INLOOP, "organization_id": ORG_HEULE, "program_id": program["id"],
                    "name": "Inloopteam Heule", "status": "active", "organization": organization,
                    "program": program, "languages": [language("service_id", INLOOP, "Dutch", "nl")]},
        "location": {"id": LOC_HEULE, "location_type": "physical", "organization_id": ORG_HEULE,
                     "name": "Buurthuis Heule",
                     "addresses": [{"id": uid(f"address/{LOC_HEULE}"), "location_id": LOC_HEULE,
                                    "address_1": "Kerkstraat 5", "city": "Kortrijk", "state_province":
                                    "West-Vlaanderen", "postal_code": "8501", "country": "BE",
                                    "address_type": "physical"}]},
    }


def summaries() -> list[dict[str, Any]]:
    """The services as summary objects: what the list answers of some APIs carry, only some fields."""
    return [{"id": SHELTER, "organization_id": ORG, "name": "Nachtopvang De Overzet (winter)", "status": "active",
             "description": "Een bed, een douche en een ontbijt; in de winter extra bedden."},
            {"id": RESTO, "organization_id": ORG, "name": "Sociaal restaurant Resto Leie", "status": "active"}]


def canon(value: Any, key: str | None = None) -> Any:
    """`value` with the normalisations an export may make to what was imported, for comparing the two: lists in id
    order; a cost option's currency in upper case (ISO 4217 codes are; the schema's own example is "gbp"); a
    language given only by name with its ISO 639 code ("Arabic" → "ar"). Nothing else."""
    if isinstance(value, list):
        return sorted((canon(v, key) for v in value), key=lambda v: v.get("id", "") if isinstance(v, dict) else v)
    if not isinstance(value, dict):
        return value
    out = {k: canon(v, k) for k, v in value.items()}
    if key == "cost_options" and isinstance(out.get("currency"), str):
        out["currency"] = out["currency"].upper()
    if key == "languages" and "code" not in out and out.get("name") in NAMED_LANGUAGES:
        out["code"] = NAMED_LANGUAGES[out["name"]]
    return out


def documents() -> list[tuple[str, dict[str, Any]]]:
    """Every top-level object above with its HSDS type."""
    return ([("organization", o) for o in organizations()] + [("service", s) for s in services()]
            + [("service_at_location", nested_service_at_location())])
