"""The updates benchmark runs end to end in its quick mode, and notices a form that did not end as it should.

Given two members of the demo office, when `bench.updates --quick` runs (real bot processes on SQLite with long
polling, the echo bot beside them, then a Kepala Bidang's `/rekap` while the others fill), then every member's
form is sent and every message answered (exit status 0), and it prints the configuration, the echo bot and their
ratio, the time in the bot and per kind of update, the Telegram calls per form (the echo bot's: one per message),
the CPU ms and SQL statements per update counted inside the bot's process, the busiest second's messages within
Telegram's limit, the summary row of ratios, the other members' p95 with and without the heavy member, and a typed
value's SQL statements and CPU time in-process. No timing is judged: speed
is shown by the benchmark itself, never asserted. And given an office where nobody filled anything, the check that
sets the exit status finds every member's form wrong, each of them there to fill (the demo's units and the
copies alike).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import updates
from bench.fanout import empty_database

FIGURES = r"\s+\d+\.\d\d\s+\d+\s+\d+\s+\d+\s+\d+$"  # upd/s, p50 ms, p95 ms, updates, 429s


async def test_quick_mode_fills_every_form_and_prints_each_figure_beside_the_echo_bot(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert await updates.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "2 members filling November 2026 at once (12 updates" in out
    assert re.search(r"^sqlite, 1 process, polling" + FIGURES, out, re.MULTILINE), out
    assert re.search(r"^  echo bot" + FIGURES, out, re.MULTILINE), out
    assert re.search(r"^  ratio to the echo bot\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d$", out, re.MULTILINE), out
    assert re.search(r"^  in the bot \(inbox stored -> finished\) p50 \d+ ms, p95 \d+ ms$", out, re.MULTILINE), out
    kinds = next(line for line in out.splitlines() if line.startswith("  p50 by update: "))
    assert all(kind in kinds for kind in ("/isi", "a value", "Lewati", "Kirim ke Sekretaris", "Ya, kirim")), kinds
    calls = re.search(r"^  Telegram calls per form: (\d+\.\d), echo bot (\d+\.\d) for as many messages: "
                      r"ratio \d+\.\d\d \((.*)\)$", out, re.MULTILINE)
    assert calls, out
    assert float(calls[2]) == 6.0  # the echo bot: one sendMessage per message, 12 messages for 2 members
    assert float(calls[1]) > 6.0 and "sendMessage" in calls[3] and "answerCallbackQuery" in calls[3], calls[0]
    cpu = re.search(r"^  CPU ms per update: (\d+\.\d), echo bot (\d+\.\d): ratio (\d+\.\d\d|nan) \(at rest \d+ ms "
                    r"a second, echo bot \d+\)$", out, re.MULTILINE)
    assert cpu and float(cpu[1]) > 0, out
    sql = re.search(r"^  SQL statements per update: (\d+\.\d), echo bot 0: ratio - \(at rest \d+\.\d a second\)$",
                    out, re.MULTILINE)
    assert sql and float(sql[1]) >= 5, out  # counted inside the bot's process: a step takes several statements
    busiest = re.search(r"^  busiest second: (\d+) messages sent, echo bot (\d+) \(Telegram's limit 30 a second\); "
                        r"busiest ten seconds: \d+\.\d a second, echo bot \d+\.\d$",
                        out, re.MULTILINE)
    assert busiest and 1 <= int(busiest[1]) <= 30 and 1 <= int(busiest[2]) <= 30, out
    assert re.search(r"^    2 sqlite, 1 process, polling\s+\d+\.\d\d(\s+\d+\.\d){2}\s+\d+\.\d\d\s+\d+\.\d\s+\d+\.\d"
                     r"\s+\d+/\d+$", out, re.MULTILINE), out
    assert re.search(r"^with a kabid's /rekap" + FIGURES, out, re.MULTILINE), out
    assert re.search(r"other members' p95: \d+ ms without, \d+ ms with \([1-9]\d* /rekap.*\): ratio \d+\.\d\d",
                     out), out
    assert re.search(r"^a typed value, in-process \(50 values, sqlite\): \d+\.\d SQL statements per update, "
                     r"\d+\.\d CPU ms per update$", out, re.MULTILINE), out
    assert "postgresql" not in out  # one configuration only
    assert "unanswered" not in out and "ended wrong" not in out


def test_a_form_nobody_filled_is_found_wrong(tmp_path: Path) -> None:
    members = updates.plan_members(5)  # the fifth fills a copy of the Sekretariat's indicators
    assert members[4].unit == "Bagian Umum 2"
    with empty_database("sqlite") as url:
        updates.build_office(url, members, tmp_path)
        wrong = updates.forms_ended_wrong(url, members)
    assert [line.split(":")[0] for line in wrong] == [member.unit for member in members]
    assert "Bagian Umum 2: not_started 0/1" in wrong
    # every unit's form is there to fill: the copies' import kept the demo's own indicators
    assert all(re.search(r": not_started 0/[1-3]$", line) for line in wrong), wrong
