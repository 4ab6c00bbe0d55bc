"""What running processes spent: CPU time from /proc/PID/stat and SQL statements from `bench.counted_bot`'s file.

A `CostSample` is taken before and after the members' run; their difference, divided by the updates, is the
cost per update of all the bot's (or the echo bot's) processes together. Linux only (/proc).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of the process so far, all its threads (utime and stime of /proc/PID/stat)."""
    text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) ": the state is field 3 of the man page
    return (int(fields[14 - 3]) + int(fields[15 - 3])) / TICKS


def statements(path: Path) -> int:
    """The count `bench.counted_bot` last wrote."""
    return int(path.read_text(encoding="ascii").strip())


@dataclasses.dataclass(frozen=True)
class CostSample:
    at: float  # time.perf_counter()
    cpu: float  # seconds, summed over the processes
    statements: int | None  # summed over the count files; None when nothing counts them (the echo bot)

    def __sub__(self, earlier: CostSample) -> CostSample:
        counted = None if self.statements is None else self.statements - earlier.statements
        return CostSample(self.at - earlier.at, self.cpu - earlier.cpu, counted)


def sample(pids: list[int], count_files: list[Path], at: float) -> CostSample:
    counted = sum(statements(path) for path in count_files) if count_files else None
    return CostSample(at, sum(cpu_seconds(pid) for pid in pids), counted)
