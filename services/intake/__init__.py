"""Intake: the bridge worker's questions, from first contact to closure (write side)."""
