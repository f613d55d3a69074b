"""A service run as a process the suite may kill (SIGKILL) and start again on the same port, its log appended to."""
from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.client import channel

ROOT = Path(__file__).resolve().parents[2]
SERVING = health_pb2.HealthCheckResponse.SERVING


class Service:
    def __init__(self, name: str, port: int, env: dict[str, str], credentials: grpc.ChannelCredentials,
                 log: Path) -> None:
        self.name, self.port, self.env, self.credentials, self.log = name, port, env, credentials, log
        self.address = f"127.0.0.1:{port}"
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def start(self) -> None:
        self._log = self._log or open(self.log, "ab")  # noqa: SIM115 (closed in stop)
        self._proc = subprocess.Popen([sys.executable, "-m", f"services.{self.name}"], cwd=ROOT, env=self.env,
                                      stdout=self._log, stderr=subprocess.STDOUT)
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, nothing is flushed or marked."""
        assert self._proc is not None
        self._proc.send_signal(signal.SIGKILL)
        self._proc.wait(timeout=10)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    async def health(self, timeout: float = 1.0) -> int | None:
        """The health status it reports now, or None when it does not answer."""
        async with channel(self.address, self.credentials) as ch:
            try:
                reply = await health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=timeout)
            except grpc.aio.AioRpcError:
                return None
        return int(reply.status)

    async def serving(self, seconds: float = 60.0) -> float:
        """Wait until it reports SERVING; returns the seconds waited. Fails if it exits or takes longer."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if self._proc is None or self._proc.poll() is not None:
                code = self._proc and self._proc.returncode
                raise AssertionError(f"{self.name} exited (code {code}); see {self.log}")
            if await self.health() == SERVING:
                return time.monotonic() - started
            await asyncio.sleep(0.2)
        raise AssertionError(f"{self.name} not SERVING within {seconds:.0f} s; see {self.log}")
