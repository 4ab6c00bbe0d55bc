"""Reminders of procedure B: whoever holds a triwulan's measurement is reminded once its step has taken longer
than the step's mutu baku (B7 40 min, B8 100 min, B9 40 min, disposition 1 working day), then every working day;
the reminder closes when the step is done, and opens again when the measurement comes back (a return).

Times are simulated as in `tests/test_reminders.py`: domain calls stamp the wall clock, so the moments they
record are set back to the simulated ones.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from handlers.callbacks import Button, pack
from handlers.notifications import render
from models.calc.clock import system_clock
from models.collection.forms import DispositionDecision
from models.measurement.cycle import (
    MeasurementCycle,
    approve_measurement,
    dispose_measurement,
    report_measurement,
    return_measurement,
    start_measurement,
    submit_measurement,
    write_analysis,
    write_rencana_aksi,
)
from models.messaging.outbox import OutboxMessage
from models.office.audit import Actor
from models.plan.periods import PeriodKind, PeriodRef
from models.timing.reminders import Reminder, Task, needs, remember_message
from tests import test_reminders
from tests.test_reminders import KEPALA, RULES, SEKRETARIS, TIM, at, member, run, tid_of, wib

office = test_reminders.office  # the demo PK and people for every role

TW3 = PeriodRef(PeriodKind.QUARTER, 2026, 3)
MEASURE_TASKS = (Task.MEASURE_PREPARE, Task.MEASURE_REVIEW, Task.MEASURE_REPORT, Task.MEASURE_DISPOSE)


def mon(hour: int, minute: int = 0) -> datetime:
    return wib(2026, 11, 30, hour, minute)  # a Monday


def tue(hour: int, minute: int = 0) -> datetime:
    return wib(2026, 12, 1, hour, minute)


def measurement_rows(session: Session, rows: list[OutboxMessage]) -> list[tuple[int, Task, bool]]:
    """(telegram id, task, is the 'done' edit) of the measurement reminders among these outbox rows."""
    found = []
    for row in rows:
        if row.kind != "reminder":
            continue
        reminder = session.get(Reminder, row.data["reminder_id"])
        if reminder.measurement_id is not None:
            found.append((tid_of(session, row.member_id), Task(reminder.task), ":closed:" in row.dedupe_key))
    return found


def reminded(session: Session, now: datetime) -> list[tuple[int, Task, bool]]:
    _, rows = run(session, now)
    return measurement_rows(session, rows)


def started(session: Session, moment: datetime) -> MeasurementCycle:
    cycle = start_measurement(session, TW3, Actor.cli(), now=moment)
    session.commit()
    return cycle


def submitted(session: Session, cycle: MeasurementCycle, moment: datetime) -> None:
    write_analysis(session, member(session, TIM), cycle.id, "Capaian turun karena OSS terlambat.", now=moment)
    write_rencana_aksi(session, member(session, TIM), cycle.id, "Pendampingan OSS per bidang.", now=moment)
    submit_measurement(session, member(session, TIM), cycle.id, cycle.version, now=moment)
    at(session, "measurement", cycle.id, "measurement.submitted", moment)
    if cycle.submitted_at and cycle.submitted_at > moment:
        cycle.submitted_at = moment
    session.add(cycle)
    session.commit()


def decided(session: Session, cycle: MeasurementCycle, moment: datetime, *, approve: bool) -> None:
    sekretaris = member(session, SEKRETARIS)
    if approve:
        approve_measurement(session, sekretaris, cycle.id, cycle.version, now=moment)
        cycle.approved_at = moment
    else:
        return_measurement(session, sekretaris, cycle.id, cycle.version, "Lengkapi rencana aksi per sasaran.",
                           now=moment)
    cycle.decided_at = moment
    session.add(cycle)
    session.commit()


def test_each_holder_of_the_measurement_is_reminded_after_the_mutu_baku_of_their_step(office):
    with Session(office, expire_on_commit=False) as session:
        cycle = started(session, mon(9))
        assert reminded(session, mon(9, 30)) == []  # B7's standard is 40 minutes
        assert reminded(session, mon(9, 41)) == [(TIM, Task.MEASURE_PREPARE, False)]
        assert reminded(session, mon(9, 50)) == []  # one reminder per moment, not per run

        submitted(session, cycle, mon(10))
        assert reminded(session, mon(10, 1)) == [(TIM, Task.MEASURE_PREPARE, True)]  # the Tim's message says done
        assert reminded(session, mon(11, 30)) == []  # B8's standard is 100 minutes
        assert reminded(session, mon(11, 41)) == [(SEKRETARIS, Task.MEASURE_REVIEW, False)]

        decided(session, cycle, mon(12), approve=False)  # returned: back with the Tim
        assert reminded(session, mon(12, 1)) == [(SEKRETARIS, Task.MEASURE_REVIEW, True)]
        assert reminded(session, mon(12, 41)) == [(TIM, Task.MEASURE_PREPARE, False)]  # the same message again
        tim_reminder = session.exec(select(Reminder).where(Reminder.measurement_id == cycle.id,
                                                           Reminder.task == Task.MEASURE_PREPARE)).one()
        assert tim_reminder.sent_count == 2 and tim_reminder.closed_at is None

        submitted(session, cycle, mon(13))  # sent again: the review clock starts at this sending
        assert reminded(session, mon(13, 1)) == [(TIM, Task.MEASURE_PREPARE, True)]
        assert reminded(session, mon(14, 30)) == []
        assert reminded(session, mon(14, 41)) == [(SEKRETARIS, Task.MEASURE_REVIEW, False)]

        decided(session, cycle, mon(15), approve=True)
        assert reminded(session, mon(15, 1)) == [(SEKRETARIS, Task.MEASURE_REVIEW, True)]
        assert reminded(session, mon(15, 41)) == [(SEKRETARIS, Task.MEASURE_REPORT, False)]

        report_measurement(session, member(session, SEKRETARIS), cycle.id, now=system_clock())
        cycle.reported_at = mon(16)
        session.add(cycle)
        session.commit()
        assert reminded(session, mon(16, 1)) == [(SEKRETARIS, Task.MEASURE_REPORT, True)]
        assert reminded(session, tue(15)) == []  # the disposition's standard is one working day
        assert reminded(session, tue(16, 1)) == [(KEPALA, Task.MEASURE_DISPOSE, False)]

        dispose_measurement(session, member(session, KEPALA), cycle.id, DispositionDecision.AGREE, now=system_clock())
        session.commit()
        assert reminded(session, tue(16, 2)) == [(KEPALA, Task.MEASURE_DISPOSE, True)]
        assert reminded(session, wib(2026, 12, 2, 16, 2)) == []
        assert [need for need in needs(session, tue(17)) if need.task in MEASURE_TASKS] == []


def test_a_measurement_reminder_carries_the_buttons_of_the_step_it_waits_for(office):
    with Session(office, expire_on_commit=False) as session:
        cycle = started(session, mon(9))
        submitted(session, cycle, mon(9, 10))
        _, rows = run(session, mon(11))
        (row,) = [row for row in rows if row.kind == "reminder"
                  and session.get(Reminder, row.data["reminder_id"]).measurement_id == cycle.id]
        sekretaris = member(session, SEKRETARIS)
        (screen,) = render(session, sekretaris, row.notice, mon(11), RULES)
        assert "Pengukuran Kinerja Triwulan III 2026" in screen.blocks[0]
        assert "verifikasi" in screen.blocks[0]
        data = [callback for line in screen.buttons for _, callback in line]
        reminder = session.get(Reminder, row.data["reminder_id"])
        assert data == [pack(Button.MEASUREMENT_APPROVE, cycle.id, cycle.version),
                        pack(Button.MEASUREMENT_RETURN, cycle.id, cycle.version),
                        pack(Button.REMINDER_SNOOZE, reminder.id)]
        remember_message(session, reminder.id, 555)  # as delivery does once Telegram answers

        approve_measurement(session, sekretaris, cycle.id, cycle.version, now=system_clock())
        session.commit()
        run(session, mon(11, 1))
        (done,) = [row for row in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
                   if ":closed:" in row.dedupe_key
                   and session.get(Reminder, row.data["reminder_id"]).measurement_id == cycle.id]
        (screen,) = render(session, sekretaris, done.notice, mon(11, 1), RULES)
        assert screen.buttons == [] and "Pengukuran Kinerja Triwulan III 2026" in screen.blocks[0]
        assert screen.edit_only and screen.edit_message_id == 555
