"""The municipalities (tenants) that run bridge work on Wegwijs, by stable code."""

MUNICIPALITIES: dict[str, str] = {
    "brugge": "Brugge",
    "dilbeek": "Dilbeek",
    "harelbeke-kuurne": "Harelbeke & Kuurne",
    "kortrijk": "Kortrijk",
    "ninove": "Ninove",
    "roeselare": "Roeselare",
    "vilvoorde": "Vilvoorde",
}
