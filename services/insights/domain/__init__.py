"""Projections: pure functions from events to counter deltas of the views. No personal data ever enters a view."""
