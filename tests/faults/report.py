"""The one table the fault suite prints at the end of the session: a row per experiment, filled as each one ends."""
from __future__ import annotations

from dataclasses import dataclass, field

HEADER = ("experiment", "sent", "acknowledged", "counted", "after rebuild", "lost", "doubled", "recovery")


@dataclass
class Row:
    experiment: str
    sent: int
    acknowledged: int
    counted: int
    rebuilt: int
    lost: int
    doubled: int
    recovery_s: float | None
    notes: list[str] = field(default_factory=list)

    def cells(self) -> tuple[str, ...]:
        recovery = "—" if self.recovery_s is None else f"{self.recovery_s:.1f} s"
        return (self.experiment, *(f"{n:,}" for n in (self.sent, self.acknowledged, self.counted, self.rebuilt,
                                                       self.lost, self.doubled)), recovery)


@dataclass
class Report:
    seed: int | None = None
    rows: list[Row] = field(default_factory=list)

    def lines(self) -> list[str]:
        table = [HEADER, *(r.cells() for r in self.rows)]
        widths = [max(len(line[i]) for line in table) for i in range(len(HEADER))]
        out = [f"fault suite, seed {self.seed} (WEGWIJS_FAULTS_SEED={self.seed} repeats its commands and moments)"]
        for i, line in enumerate(table):
            out.append("  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(line, widths))))
            if i == 0:
                out.append("  ".join("-" * w for w in widths))
        out += [f"  {r.experiment}: {note}" for r in self.rows for note in r.notes]
        return out


REPORT = Report()
FAULT_TABLE = "fault suite"  # the user property of a test's report carrying REPORT.lines()
