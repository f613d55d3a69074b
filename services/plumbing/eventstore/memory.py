"""In-memory event store for unit tests. Passes the same contract tests as the MongoDB adapter."""
from __future__ import annotations

from collections.abc import Sequence

from contracts.envelope import Envelope, utcnow
from services.plumbing import records
from services.plumbing.eventstore.ports import Commit, ConcurrencyError, Parked


class InMemoryEventStore:
    def __init__(self, max_record_bytes: int | None = records.MAX_MESSAGE_BYTES) -> None:
        self.commits: dict[str, Commit] = {}
        self.parked_commits: dict[str, Parked] = {}  # stream id → its parked commit
        self.resolutions: dict[str, str] = {}  # commit id → why an operator gave up on it
        self._max_record_bytes = max_record_bytes

    async def append(self, commit: Commit) -> Commit:
        if (earlier := await self.by_command(commit.command_id, tenant=commit.tenant)) is not None:
            return earlier
        records.check(commit.events, self._max_record_bytes)
        if any(c.stream_id == commit.stream_id and c.first_version == commit.first_version
               for c in self.commits.values()):
            raise ConcurrencyError(f"stream {commit.stream_id} already has version {commit.first_version}")
        self.commits[commit.commit_id] = commit
        return commit

    async def by_command(self, command_id: str, thorough: bool = False, *, tenant: str) -> Commit | None:
        return next((c for c in self.commits.values() if (c.tenant, c.command_id) == (tenant, command_id)), None)

    async def load(self, stream_id: str, cached: bool = False) -> list[Envelope]:
        commits = sorted((c for c in self.commits.values() if c.stream_id == stream_id), key=lambda c: c.first_version)
        return [e for c in commits for e in c.events]

    async def first(self, stream_id: str) -> Envelope | None:
        return next((c.events[0] for c in self.commits.values() if c.stream_id == stream_id and c.first_version == 1
                     and c.events), None)

    async def unpublished(self, limit: int) -> Sequence[Commit]:
        return sorted((c for c in self._open() if c.stream_id not in self.parked_commits),
                      key=lambda c: c.commit_id)[:limit]

    async def mark_published(self, commit_ids: Sequence[str]) -> None:
        for cid in commit_ids:
            self.commits[cid] = self.commits[cid].model_copy(update={"published": True})

    async def park(self, commit: Commit, error: str) -> Parked:
        parked = Parked(stream_id=commit.stream_id, commit_id=commit.commit_id, first_version=commit.first_version,
                        tenant=commit.tenant, error=error, since=utcnow())
        self.parked_commits[commit.stream_id] = parked
        return parked

    async def parked(self) -> Sequence[Parked]:
        return sorted(self.parked_commits.values(), key=lambda p: p.since)

    async def waiting(self, stream_id: str) -> Sequence[Commit]:
        if (parked := self.parked_commits.get(stream_id)) is None:
            return []
        return sorted((c for c in self._open() if c.stream_id == stream_id and c.first_version >= parked.first_version),
                      key=lambda c: c.first_version)

    async def ask_retry(self, stream_id: str) -> Parked | None:
        if (parked := self.parked_commits.get(stream_id)) is None:
            return None
        self.parked_commits[stream_id] = parked = parked.model_copy(update={"retry_asked": utcnow()})
        return parked

    async def unpark(self, stream_id: str) -> None:
        self.parked_commits.pop(stream_id, None)

    async def resolve(self, stream_id: str, reason: str, by: str) -> Parked | None:
        if (parked := self.parked_commits.pop(stream_id, None)) is None:
            return None
        self.resolutions[parked.commit_id] = f"{by}: {reason}"
        return parked

    def _open(self) -> list[Commit]:
        """Commits neither published nor given up on."""
        return [c for c in self.commits.values() if not c.published and c.commit_id not in self.resolutions]
