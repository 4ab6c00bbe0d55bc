"""SAKIP Bot's own command line with every SQL statement counted: how `bench.updates` runs the bot.

    SAKIP_BENCH_SQL_COUNT=/tmp/count python -m bench.counted_bot run

It is `python -m bot.cli ...` with one SQLAlchemy listener (`before_cursor_execute`) on the `Engine` class,
installed before any engine exists, so every statement of every engine of the process is counted and no code path
of the bot changes. A daemon thread writes the count to the file named by SAKIP_BENCH_SQL_COUNT (replaced
atomically) whenever it changed, checked every `WRITE_EVERY` seconds; the benchmark reads it before and after the
members' run. A file kept current rather than a figure printed at exit: the bot's stop may end in `os._exit`
(bot/runner.py: the stop's hard bound), which runs no exit handler.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from bot.cli import main as bot_main

COUNT_FILE = "SAKIP_BENCH_SQL_COUNT"
WRITE_EVERY = 0.05  # seconds


class StatementCounter:
    """Counts the statements sent by any engine of the process (worker threads included)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    def count(self, *_args: object) -> None:
        with self._lock:
            self._count += 1

    @property
    def value(self) -> int:
        with self._lock:
            return self._count

    def install(self) -> None:
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", self.count)


def write_count(path: Path, value: int) -> None:
    """The count in `path`, replaced at once: a reader sees the old number or the new one, never half a file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(f"{value}\n", encoding="ascii")
    os.replace(partial, path)


def keep_writing(counter: StatementCounter, path: Path) -> None:
    """For the life of the process (a daemon thread)."""
    written = None
    while True:
        value = counter.value
        if value != written:
            write_count(path, value)
            written = value
        time.sleep(WRITE_EVERY)


def main(argv: list[str]) -> int:
    counter = StatementCounter()
    counter.install()
    path = Path(os.environ[COUNT_FILE])
    write_count(path, 0)
    threading.Thread(target=keep_writing, args=(counter, path), name="sql-count",
                     daemon=True).start()
    return bot_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
