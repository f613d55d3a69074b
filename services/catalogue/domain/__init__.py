"""Pure rules of the catalogue: records checked against the taxonomies, the entity aggregate, opening hours, ranking."""
