"""The session's own Kafka and FerretDB, for the tests that stop them (the fault suite, the walking skeleton's Kafka
outage): stopping the shared stack would break every test running beside them on it.

A serial session that will use it starts it in the background as soon as its tests are collected, so the broker
boots while the unit tests run instead of in front of the first test that needs it. Under xdist (two workers,
`--dist loadscope`) each module is one unit of work, run by one worker (its module-scoped fixtures, a web stack or
a browser, set up once), and the modules that use the own stack are one unit together (one worker starts it).
"""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

from tests.faults import servers
from tests.faults.report import FAULT_TABLE

OWN_STACK = "own_stack"
OWN_STACK_MODULES = ("tests/faults/", "tests/e2e/test_walking_skeleton.py")  # where the tests that use it are
WEB = "tests/e2e/web/"  # the browser tests: a web stack and a browser per module
_starting: list[Future[servers.Servers]] = []
_fault_table: list[str] = []  # the fault suite's table as the last of its tests reported it


class Units(LoadScopeScheduling):
    """xdist's loadscope (a module's tests on one worker: its module-scoped fixtures set up once), with the modules of
    the session's own stack as one unit, so one worker starts it."""

    def _split_scope(self, nodeid: str) -> str:
        return unit(nodeid)


def unit(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    return next((m for m in OWN_STACK_MODULES if path.startswith(m)), path)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: without xdist (-p no:xdist) there is none
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Units | None:
    if config.getvalue("dist") != "loadscope":
        return None
    config.option.loadscopereorder = False  # the workers order the units (below): the longest first
    return Units(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if OWN_STACK in getattr(item, "fixturenames", ()) and unit(item.nodeid) not in OWN_STACK_MODULES:
            raise pytest.UsageError(f"{item.nodeid} uses {OWN_STACK}: add its module to OWN_STACK_MODULES "
                                    "(tests/conftest.py), so that one xdist worker runs all its tests")
    if hasattr(config, "workerinput"):  # the own stack's unit (minutes of outages) first, then the web stacks
        items.sort(key=lambda i: 0 if unit(i.nodeid) in OWN_STACK_MODULES else 1 if i.nodeid.startswith(WEB) else 2)


def pytest_collection_finish(session: pytest.Session) -> None:
    # An xdist worker collects every test but runs only some: the one that runs the group starts the stack.
    if hasattr(session.config, "workerinput") or session.config.option.collectonly:
        return
    if any(OWN_STACK in getattr(item, "fixturenames", ()) for item in session.items):
        _starting.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix=OWN_STACK).submit(servers.start))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A stack started for tests that then did not run (interrupted, or failed first) is removed all the same."""
    while _starting:
        started = _starting.pop()
        if started.exception() is None:  # waits for a start still under way
            servers.remove(started.result())


@pytest.fixture(scope="session")
def own_stack() -> Iterator[servers.Servers]:
    """Kafka and FerretDB of this session alone (deploy/local/stack under a state directory of its own, ports below
    the ephemeral range): tests stop and start them at will."""
    stack = _starting.pop().result() if _starting else servers.start()
    try:
        yield stack
    finally:
        servers.remove(stack)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, lines in report.user_properties:
        if name == FAULT_TABLE:
            _fault_table[:] = lines


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _fault_table:
        terminalreporter.write_sep("=", FAULT_TABLE)
        for line in _fault_table:
            terminalreporter.write_line(line)
