"""Shared plumbing: settings, logging, event store, relay, projection runner, gRPC bootstrap.

Used by every service, so no service copies another's code. Knows nothing of any service's domain.
"""
