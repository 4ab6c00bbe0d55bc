"""Chaos: members fill their forms while Telegram fails, processes die, the leader loses its lock session, members
type faster than the bot asks, and processes are stopped in the middle of sending.

Given the demo office with 12 staff (40 with SAKIP_CHAOS_LONG=1) over its four units and November 2026 open, and
real `sakip-bot run` processes (webhook mode behind a round-robin forwarder on PostgreSQL; one polling process on
SQLite), when every member fills the unit's form at once while the scenario breaks things, then afterwards no
member's update is lost, handled twice or out of order, no answer is filed under another question, indicator or
unit, every form is sent, every notification is sent or explicitly failed and none reached its chat twice beyond
what the scenario allows, and identical messages to a chat stay within the window a correct bot may send
(`Chaos.duplicate_window`). Each run prints its numbers (`chaos[a] updates=… lost=…`; `pytest -s` shows them).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import pytest

from tests.chaos.fleet import STOP_TIMEOUT, Bot
from tests.chaos.harness import LONG, Chaos, chaos_run
from tests.chaos.invariants import Report

pytestmark = pytest.mark.chaos

FILLING = 240.0 if LONG else 75.0  # at most, for all members to fill their forms
SHAKING = 60.0 if LONG else 20.0  # how long faults, kills or cuts go on
MUST_BE_ZERO = ("lost", "failed", "gave_up", "misfiled", "doubled", "out_of_order", "forms_not_sent", "members_stuck",
                "incomplete", "outbox_unfinished")


def assert_held(report: Report, chaos: Chaos, scenario: str, repeated_notifications: int = 0,
                may_fail: bool = False) -> None:
    """Every invariant; `may_fail`: an update whose handling failed because Telegram did (answering a button or
    closing its keyboard failed; the member is told "terjadi kesalahan" unless that message fails too) is
    allowed there, and only counted."""
    broken = {name: getattr(report, name) for name in MUST_BE_ZERO if getattr(report, name)}
    if may_fail:
        broken.pop("failed", None)
    assert not broken, f"{broken}\n{report.line(scenario)}\n{dict(report.examples)}"
    assert report.notifications_repeated <= repeated_notifications, report.line(scenario)
    assert report.duplicates <= chaos.duplicate_window(), (
        f"{report.duplicates} identical messages beyond the window of {chaos.duplicate_window()}\n"
        f"{report.line(scenario)}\n" + "\n".join(report.examples["duplicates"]))


async def while_filling(chaos: Chaos, shaking: Callable[[], Awaitable[None]]) -> None:
    """Members fill their forms while `shaking` runs (for at most SHAKING seconds, or until they are done)."""
    filling = asyncio.create_task(chaos.fill_forms(FILLING))
    shaker = asyncio.create_task(shaking())
    await asyncio.wait({filling, shaker}, return_when=asyncio.FIRST_COMPLETED, timeout=SHAKING)
    shaker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await shaker
    await filling
    await chaos.settle()


async def test_calm_one_polling_process_on_sqlite_holds_every_invariant(sqlite_url, sqlite_template, tmp_path):
    """The control: nothing breaks, so everything must hold (else the harness, not the chaos, is wrong)."""
    async with chaos_run(sqlite_url, sqlite_template, tmp_path, webhook=False, seed=7) as chaos:
        await chaos.fleet.start()
        await chaos.fill_forms(FILLING)
        await chaos.settle()
        report = chaos.report("calm")
    assert_held(report, chaos, "calm")


@pytest.mark.postgresql
async def test_a_fifth_of_telegram_calls_failing_loses_nothing(postgresql_url, sqlite_template, tmp_path):
    async with chaos_run(postgresql_url, sqlite_template, tmp_path, webhook=True, seed=101) as chaos:
        await chaos.fleet.start(3)
        chaos.inject_faults(0.2)

        async def faults_for_a_while() -> None:
            await asyncio.sleep(SHAKING)

        try:
            await while_filling(chaos, faults_for_a_while)
        finally:
            chaos.clear_faults()
        await chaos.settle()
        report = chaos.report("a")
    assert chaos.fault_hits > 0
    # a notification Telegram took while the bot saw a timeout is sent again: the one window no outbox closes
    assert_held(report, chaos, "a", repeated_notifications=chaos.processed_timeouts, may_fail=True)


@pytest.mark.postgresql
async def test_b_processes_killed_and_restarted_leader_included_lose_nothing(postgresql_url, sqlite_template,
                                                                             tmp_path):
    async with chaos_run(postgresql_url, sqlite_template, tmp_path, webhook=True, seed=202) as chaos:
        await chaos.fleet.start(3)

        async def kill_and_replace() -> None:
            await chaos.strike_and_replace((2.0, 3.5), chaos.fleet.kill)

        await while_filling(chaos, kill_and_replace)
        report = chaos.report("b")
    assert chaos.fleet.kills >= 2
    assert_held(report, chaos, "b", repeated_notifications=chaos.fleet.kills)  # one in flight per kill


@pytest.mark.postgresql
async def test_c_the_leader_s_lock_session_cut_sends_no_notification_twice(postgresql_url, sqlite_template,
                                                                           tmp_path):
    async with chaos_run(postgresql_url, sqlite_template, tmp_path, webhook=True, seed=303) as chaos:
        # Telegram is slow to take a third of the messages, so the leader has sends in hand when its session goes.
        slow = chaos.emu.faults.add("sendMessage", "slow", times=None, hold=0.7,
                                    when=lambda _params: chaos.rng.random() < 0.33)
        await chaos.fleet.start(3)
        cuts = 0

        async def cut_the_leader_s_session() -> None:
            nonlocal cuts
            while True:
                await asyncio.sleep(chaos.rng.uniform(1.0, 4.0))
                pid = await asyncio.to_thread(chaos.lock_holder)
                if pid is not None and await asyncio.to_thread(chaos.cut_session, pid):
                    cuts += 1

        await while_filling(chaos, cut_the_leader_s_session)
        chaos.emu.faults.remove(slow)
        await chaos.settle()
        report = chaos.report("c")
        print(f"chaos[c] lock sessions cut: {cuts}")
    assert cuts >= 2
    assert_held(report, chaos, "c")


@pytest.mark.postgresql
async def test_d_answers_typed_50_ms_apart_across_three_processes_keep_their_order(postgresql_url,
                                                                                   sqlite_template, tmp_path):
    async with chaos_run(postgresql_url, sqlite_template, tmp_path, webhook=True, seed=404,
                         hasty_notes=True) as chaos:
        await chaos.fleet.start(3)
        await chaos.fill_forms(FILLING)
        await chaos.settle()
        report = chaos.report("d")
    assert sum(len(person.hurried) for person in chaos.people) > 0  # notes were typed ahead of their question
    assert_held(report, chaos, "d")


async def test_e_a_single_polling_process_on_sqlite_killed_repeatedly_loses_no_acknowledged_update(
        sqlite_url, sqlite_template, tmp_path):
    async with chaos_run(sqlite_url, sqlite_template, tmp_path, webhook=False, seed=505) as chaos:
        await chaos.fleet.start()

        async def kill_and_restart() -> None:
            while True:  # the process runs a second or two, then dies
                await asyncio.sleep(chaos.rng.uniform(1.0, 2.0))
                await chaos.fleet.kill(chaos.fleet.live[0])
                await chaos.fleet.start()

        await while_filling(chaos, kill_and_restart)
        report = chaos.report("e")
    print(f"chaos[e] kills: {chaos.fleet.kills}")
    # a start takes seconds on a loaded 2-core machine: the short run kills at least once, the long one often
    assert chaos.fleet.kills >= (3 if LONG else 1)
    assert_held(report, chaos, "e", repeated_notifications=chaos.fleet.kills)


@pytest.mark.postgresql
async def test_f_sigterm_while_sending_exits_0_in_time_and_sends_nothing_twice(postgresql_url, sqlite_template,
                                                                               tmp_path):
    async with chaos_run(postgresql_url, sqlite_template, tmp_path, webhook=True, seed=606) as chaos:
        # Telegram takes a while for some messages, so each stop finds sends in hand.
        slow = chaos.emu.faults.add("sendMessage", "slow", times=None, hold=0.5,
                                    when=lambda _params: chaos.rng.random() < 0.2)
        await chaos.fleet.start(2)
        stops: list[tuple[int, float]] = []

        async def stop_and_replace() -> None:
            async def stop(bot: Bot) -> None:
                stops.append(await chaos.fleet.terminate(bot))

            await chaos.strike_and_replace((1.0, 2.5), stop)

        await while_filling(chaos, stop_and_replace)
        chaos.emu.faults.remove(slow)
        await chaos.settle()
        report = chaos.report("f")
        print(f"chaos[f] stops (exit code, seconds): {stops}")
    assert len(stops) >= 2
    assert all(code == 0 for code, _ in stops), stops
    assert all(seconds <= STOP_TIMEOUT + 2 for _, seconds in stops), stops  # + the interpreter's own exit
    assert_held(report, chaos, "f")
