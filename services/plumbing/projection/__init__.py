"""Read-side plumbing: project events into counter views with exactly-once effect, without transactions.

How a redelivered, duplicated or replayed event is kept from counting twice:
- every view document is owned by one source partition and stores the last offset it applied (the guard); a batch
  adds only events past the guard, and moves the guard in the same single-document update (a packed document holds
  the cells of many view documents and a guard per source partition, written together: `ProjectionStore`);
- a relay may publish a commit twice (crash between the broker's ack and the mark): such a copy has a higher offset
  but an old stream version, so it is dropped by the stream positions kept per stream (`seen`), written after the
  views: a crash between the two only replays decisions the guards already absorbed.
Kafka offsets are committed after both writes, so a crash at any point loses nothing.
"""
from services.plumbing.projection.model import Composite, Delta, Positioned, Projection, SeenStream
from services.plumbing.projection.runner import ProjectionRunner

__all__ = ["Composite", "Delta", "Positioned", "Projection", "ProjectionRunner", "SeenStream"]
