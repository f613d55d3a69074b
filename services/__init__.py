"""Wegwijs services. Each subpackage is one deployable service; `plumbing` is what they all use."""
