"""In-memory event store for unit tests. Passes the same contract tests as the MongoDB adapter."""
from __future__ import annotations

from collections.abc import Sequence

from contracts.envelope import Envelope
from services.plumbing.eventstore.ports import Commit, ConcurrencyError


class InMemoryEventStore:
    def __init__(self) -> None:
        self.commits: dict[str, Commit] = {}

    async def append(self, commit: Commit) -> Commit:
        if (earlier := await self.by_command(commit.command_id, tenant=commit.tenant)) is not None:
            return earlier
        if any(c.stream_id == commit.stream_id and c.first_version == commit.first_version
               for c in self.commits.values()):
            raise ConcurrencyError(f"stream {commit.stream_id} already has version {commit.first_version}")
        self.commits[commit.commit_id] = commit
        return commit

    async def by_command(self, command_id: str, thorough: bool = False, tenant: str | None = None) -> Commit | None:
        return next((c for c in self.commits.values()
                     if c.command_id == command_id and tenant in (None, c.tenant)), None)

    async def load(self, stream_id: str) -> list[Envelope]:
        commits = sorted((c for c in self.commits.values() if c.stream_id == stream_id), key=lambda c: c.first_version)
        return [e for c in commits for e in c.events]

    async def first(self, stream_id: str) -> Envelope | None:
        return next((c.events[0] for c in self.commits.values() if c.stream_id == stream_id and c.first_version == 1
                     and c.events), None)

    async def unpublished(self, limit: int) -> Sequence[Commit]:
        return sorted((c for c in self.commits.values() if not c.published), key=lambda c: c.commit_id)[:limit]

    async def mark_published(self, commit_ids: Sequence[str]) -> None:
        for cid in commit_ids:
            self.commits[cid] = self.commits[cid].model_copy(update={"published": True})
