"""The scheduler: runs the domain's scheduled work (`models.timing.reminders.run_scheduled_work`) at the right moments.

APScheduler holds the jobs, and they are derived from the database: after every run the domain says when it is
next needed (the next reminder moment, the end of a snooze or of quiet hours, the next period opening) and
that becomes the one "scheduled-work" job. A start, and every relevant change (each change the schedule depends
on queues a notification; a snooze says so itself), runs the work again and re-derives the job, so a restart
neither loses nor repeats a reminder. A slow safety job re-derives it every few minutes in case a change went unnoticed.

Only the leader (`scheduler/leadership.py`) runs scheduled work and the delivery worker; other processes
stand by and take over when the leader goes away. A leader that loses its lock (its lock session cut: the
delivery's lease renewal fails, or the stand-by round finds the connection dead) steps down at once: delivery
stops sending and leaves its claims to run out, and the next round may lead again under a new term. Time
comes from an injectable `clock`, so tests can run a whole month of reminders without waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from models.calc.clock import Clock, system_clock
from models.store.database import session_scope
from models.timing.reminders import Outcome, run_scheduled_work
from models.timing.schedule import ScheduleRules
from scheduler.leadership import Leadership, Term

log = logging.getLogger(__name__)
STANDBY_SECONDS = 2.0  # how often a standing-by process tries to take over
SAFETY_MINUTES = 5  # re-derive the next run this often even without any change
DEBOUNCE_SECONDS = 2.0  # a burst of changes makes one run
WORK_JOB = "scheduled-work"


class Worker(Protocol):
    """What the leader runs beside the scheduled work: the outbox delivery (`bot/delivery.py`). It works under a
    leader's term and calls `on_lost` when a lease renewal shows the term is over."""

    def start(self, term: Term, on_lost: Callable[[Term], None]) -> None: ...
    async def stop(self, grace: float = 0.0) -> None: ...
    async def step_down(self) -> None: ...
    def wake(self) -> None: ...


class SchedulerService:
    def __init__(self, engine: Engine, rules: ScheduleRules, delivery: Worker,
                 clock: Clock = system_clock, *, standby_seconds: float = STANDBY_SECONDS) -> None:
        self.engine = engine
        self.rules = rules
        self.delivery = delivery
        self.clock = clock
        self.standby_seconds = standby_seconds
        self.leadership = Leadership(engine)
        self.scheduler: AsyncIOScheduler | None = None
        self.leading = False
        self.term: Term | None = None  # the term delivery runs under while this process leads
        self._lock = asyncio.Lock()
        self._leadership_lock = asyncio.Lock()  # the stand-by round and a step-down never interleave
        self._listener: asyncio.Task | None = None
        self._giving_up: asyncio.Task | None = None  # held, so the task is not collected before it ends
        self._stopped = False

    async def start(self) -> None:
        if self.scheduler is not None:
            return
        self.scheduler = AsyncIOScheduler(timezone=self.rules.tz, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": None})
        self.scheduler.start()
        self.scheduler.add_job(self._keep_leadership, IntervalTrigger(seconds=self.standby_seconds),
                               id="leadership", next_run_time=datetime.now(self.rules.tz))
        self.scheduler.add_job(self.run_now, IntervalTrigger(minutes=SAFETY_MINUTES), id="safety")

    async def stop(self, grace: float = 0.0) -> None:
        """Stop for good: no more scheduled work; the delivery finishes its sends in flight (for up to `grace`
        seconds) and releases what it claimed; then leadership is given up, so another process takes over."""
        self._stopped = True  # a leadership check still running must not start delivery after this
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        async with self._leadership_lock:
            if self.leading:
                await self.delivery.stop(grace)
                self.leading, self.term = False, None
            await self._stop_listening()
            await asyncio.to_thread(self.leadership.release)

    async def _stop_listening(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None

    async def _keep_leadership(self) -> None:
        if self._stopped:
            return
        async with self._leadership_lock:
            term = await asyncio.to_thread(self.leadership.acquire)
            if self._stopped:
                await asyncio.to_thread(self.leadership.release)
                return
            if self.leading and term is not self.term:  # the lock was lost (maybe taken again: a new term)
                log.warning("lost the scheduler lock; standing by")
                await self._step_down()
            if term is not None and not self.leading:
                self.leading, self.term = True, term
                self.delivery.start(term, self._lost)
                if self.leadership.shared:  # a notification queued by any process wakes delivery and scheduler
                    self._listener = asyncio.create_task(self.leadership.listen(self.wake), name="outbox-listener")
                started = True
            else:
                started = False
        if started:
            await self.run_now()

    def _lost(self, term: Term) -> None:
        """Delivery found `term` over (a lease renewal failed): step down now, not at the next stand-by round."""
        if term is self.term and not self._stopped:
            self._giving_up = asyncio.get_running_loop().create_task(self._give_up(term), name="leadership-lost")

    async def _give_up(self, term: Term) -> None:
        async with self._leadership_lock:
            if term is not self.term:
                return
            log.warning("the outbox leases could not be renewed: no longer leading; standing by")
            await self._step_down()
            await asyncio.to_thread(self.leadership.release, term)

    async def _step_down(self) -> None:
        """Stop leading: no more scheduled work or sending; the rows delivery claimed stay claimed until their
        lease runs out (another leader may be sending by then), so nothing is released here."""
        self.leading, self.term = False, None
        await self._stop_listening()
        await self.delivery.step_down()

    def wake(self) -> None:
        """A notification was queued (by any process): deliver at once, and run the scheduled work shortly."""
        if not self.leading:
            return
        self.delivery.wake()
        self.changed()

    def changed(self) -> None:
        """Something the schedule depends on changed: run the scheduled work again shortly (debounced)."""
        if self.leading and self.scheduler is not None:
            soon = datetime.now(self.rules.tz) + timedelta(seconds=DEBOUNCE_SECONDS)
            job = self.scheduler.get_job(WORK_JOB)
            if job is None or job.next_run_time is None or job.next_run_time > soon:
                self._plan(soon)

    def _plan(self, moment: datetime) -> None:
        if self.scheduler is not None:
            self.scheduler.add_job(self.run_now, DateTrigger(moment), id=WORK_JOB, replace_existing=True)

    async def run_now(self) -> Outcome | None:
        """Run the scheduled work as of the clock's now, then plan the next run. Leader only."""
        if not self.leading or self._stopped:
            return None
        async with self._lock:
            now = self.clock()
            outcome = await asyncio.to_thread(self._run, now)
            if outcome.opened or outcome.reminded or outcome.escalated or outcome.closed or outcome.archived:
                log.info("scheduled work at %s: opened %s, %d reminders, %d escalations, %d closed, archived %s",
                         now, outcome.opened, outcome.reminded, outcome.escalated, outcome.closed, outcome.archived)
                self.delivery.wake()
            if outcome.next_run is not None:
                # the clock may be a test's; APScheduler waits in real time for the same distance
                real = datetime.now(self.rules.tz) + max(timedelta(), outcome.next_run - now)
                with suppress(Exception):
                    self._plan(real)
            return outcome

    def _run(self, now: datetime) -> Outcome:
        with session_scope(self.engine) as session:
            return run_scheduled_work(session, now, self.rules)
