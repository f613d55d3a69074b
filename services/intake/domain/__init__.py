"""Pure rules of intake: commands, the question aggregate, domain errors. Imports nothing but contracts."""
