"""Catalogue: the city's map of services, aligned with Open Referral HSDS 3.1 (write side)."""
