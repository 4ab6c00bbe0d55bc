"""Scheduled work through the domain (`models/timing/reminders.py: run_scheduled_work`), with time injected.

Given the demo Perjanjian Kinerja 2026 and people for every role (`tests/chat/conftest.py: PEOPLE`), the
scheduler is run at chosen moments in Asia/Jakarta, committing after each run as the scheduler service does.
Periods open by themselves, unit members are reminded before the deadline, on the day and daily while overdue
(never in quiet hours, one message per person, period and task), units that ignore them are escalated to their
kabid and then the Sekretaris, and the Sekretaris and Kepala Dinas are reminded once their step has taken longer
than its mutu baku. Domain calls stamp the wall clock, so the moments they record are set back to the simulated
ones (`at(...)`), the way they would have been had the call happened then.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from models.calc.clock import system_clock
from models.calc.days_off import DaysOff
from models.calc.working_time import is_quiet
from models.collection.form_filling import form_items, record_note, record_value
from models.collection.forms import DispositionDecision, UnitForm
from models.collection.review import approve_unit_form, return_unit_form, submit_unit_form
from models.collection.workflow import form_for
from models.demo import DEMO_PK
from models.errors import WorkflowError
from models.exchange.pk_import import import_pk
from models.messaging.outbox import OutboxMessage, OutboxStatus
from models.office.audit import Actor, AuditEntry
from models.office.organisation import Member, Unit
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.reporting.report import dispose, report_to_kepala
from models.store.database import session_scope
from models.timing.mutu_baku import STEP_BOUNDS, cycle_moments, overdue_step, timeline
from models.timing.reminders import (
    Outcome,
    Reminder,
    Task,
    fill_slots,
    follow_up_slots,
    needs,
    run_scheduled_work,
    snooze_reminder,
)
from models.timing.schedule import ScheduleRules, next_opening, periods_to_open
from models.timing.steps import Step, parse_standards
from tests.chat.conftest import PEOPLE, add_people

WIB = ZoneInfo("Asia/Jakarta")
RULES = ScheduleRules(tz=WIB)
HOUR = timedelta(hours=1)

KEPALA, SEKRETARIS, TIM, SARI, DEWI, KABID_MODAL, RINA, AGUS = 102, 103, 104, 110, 120, 121, 130, 140
UNIT_OF = {tid: unit for tid, (_, _, unit) in PEOPLE.items() if unit}
UNIT_PEOPLE = sorted(UNIT_OF)  # everyone in a unit with indicators: 103, 104, 110, 120, 121, 130, 140
UNITS = ("Sekretariat", "Bidang Penanaman Modal", "Bidang Pelayanan Perizinan",
         "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan")
NOVEMBER = PeriodRef(PeriodKind.MONTH, 2026, 11)
# weekdays the office is closed in the simulated month: cuti bersama Natal, Christmas, New Year's Day, Isra Mi'raj
DAYS_OFF_2026_27 = {date(2026, 12, 24), date(2026, 12, 25), date(2027, 1, 1), date(2027, 1, 5)}


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


def dec(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return wib(2026, 12, day, hour, minute)


@pytest.fixture
def office(engine: Engine) -> Engine:
    """The demo PK, people for every role, and Triwulan III 2026 already made by hand (closed), so the only
    periods the scheduler opens in the tests are November 2026, then December 2026 and Triwulan IV."""
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
        session.add(Period(kind=PeriodKind.QUARTER, year=2026, number=3, status=PeriodStatus.CLOSED))
    add_people(engine)
    return engine


# -- helpers ------------------------------------------------------------------------------------------------
def member(session: Session, telegram_id: int) -> Member:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()


def tid_of(session: Session, member_id: int) -> int:
    return session.get(Member, member_id).telegram_user_id


def unit_id(session: Session, name: str) -> int:
    return session.exec(select(Unit.id).where(Unit.name == name)).one()


def period_of(session: Session, ref: PeriodRef) -> Period:
    return session.exec(select(Period).where(Period.kind == ref.kind, Period.year == ref.year,
                                             Period.number == ref.number)).one()


def last_outbox_id(session: Session) -> int:
    return session.exec(select(func.max(OutboxMessage.id))).one() or 0


def run(session: Session, now: datetime, rules: ScheduleRules = RULES) -> tuple[Outcome, list[OutboxMessage]]:
    """One scheduler run at `now`, committed; with the outbox rows it queued."""
    before = last_outbox_id(session)
    outcome = run_scheduled_work(session, now, rules)
    session.commit()
    rows = list(session.exec(select(OutboxMessage).where(OutboxMessage.id > before).order_by(OutboxMessage.id)))
    return outcome, rows


def reminder_of(session: Session, telegram_id: int, task: Task, ref: PeriodRef = NOVEMBER) -> Reminder | None:
    period = period_of(session, ref)
    return session.exec(select(Reminder).where(Reminder.period_id == period.id, Reminder.task == task,
                                               Reminder.member_id == member(session, telegram_id).id)).first()


def task_rows(session: Session, rows: list[OutboxMessage], task: Task) -> list[tuple[int, OutboxMessage]]:
    """(telegram id, row) of the reminder rows about this task."""
    found = []
    for row in rows:
        if row.kind == "reminder" and Task(session.get(Reminder, row.data["reminder_id"]).task) is task:
            found.append((tid_of(session, row.member_id), row))
    return found


def reminded(session: Session, rows: list[OutboxMessage], task: Task) -> list[int]:
    """Telegram ids reminded of the task by these rows (fresh reminders, not 'done' edits)."""
    return sorted(tid for tid, row in task_rows(session, rows, task) if ":closed:" not in row.dedupe_key)


def at(session: Session, entity: str, entity_id: int, action: str, moment: datetime) -> None:
    """The latest audit row of that action, set back to the simulated moment it happened."""
    entry = session.exec(select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id,
                                                  AuditEntry.action == action)
                         .order_by(AuditEntry.id.desc())).first()
    entry.at = moment
    session.add(entry)


def fill_form(session: Session, telegram_id: int, period: Period) -> UnitForm:
    """The unit's form complete: every value 100, kendala and tindak lanjut where below target."""
    person = member(session, telegram_id)
    form = form_for(session, person.unit_id, period.id)
    for item in form_items(session, form):
        record_value(session, person, item.indicator, period, Decimal(100), now=system_clock())
    for item in form_items(session, form):
        if item.needs_kendala:
            record_note(session, person, item.indicator, period, "kendala", "Data OSS terlambat", now=system_clock())
        if item.needs_tindak_lanjut:
            record_note(session, person, item.indicator, period, "tindak_lanjut", "Koordinasi ulang",
                        now=system_clock())
    return form


def submit_at(session: Session, telegram_id: int, moment: datetime, ref: PeriodRef = NOVEMBER) -> UnitForm:
    """The member's unit fills and sends its form, as if at `moment`."""
    period = period_of(session, ref)
    form = fill_form(session, telegram_id, period)
    submit_unit_form(session, member(session, telegram_id), form.id, now=moment)
    form.submitted_at = moment
    session.add(form)
    at(session, "unit_form", form.id, "form.submitted", moment)
    session.commit()
    return form


def approve_at(session: Session, form: UnitForm, moment: datetime) -> None:
    approve_unit_form(session, member(session, SEKRETARIS), form.id, form.version, now=moment)
    form.approved_at = moment
    session.add(form)
    at(session, "unit_form", form.id, "form.approved", moment)
    session.commit()


def report_at(session: Session, period: Period, moment: datetime) -> None:
    report = report_to_kepala(session, member(session, SEKRETARIS), period.id, now=moment)
    report.reported_at = moment
    session.add(report)
    at(session, "period", period.id, "period.reported", moment)
    session.commit()


def dispose_at(session: Session, period: Period, moment: datetime) -> None:
    disposition = dispose(session, member(session, KEPALA), period.id, DispositionDecision.AGREE, now=moment)
    disposition.created_at = moment
    session.add(disposition)
    at(session, "period", period.id, "period.disposed", moment)
    at(session, "period", period.id, "period.archived", moment)
    session.commit()


def submit_and_approve_all(session: Session, submitted: datetime, approved: list[datetime]) -> list[UnitForm]:
    """Every unit sends its November form at `submitted`; the Sekretaris approves them at these moments."""
    forms = [submit_at(session, tid, submitted) for tid in (SARI, DEWI, RINA, AGUS)]
    for form, moment in zip(forms, approved, strict=True):
        approve_at(session, form, moment)
    return forms


def open_november(session: Session) -> Period:
    outcome, _ = run(session, dec(1, 8))
    assert outcome.opened == ["2026-11"]
    return period_of(session, NOVEMBER)


def test_a_run_that_reminds_a_unit_does_not_crash(office, session):
    open_november(session)
    outcome, rows = run(session, dec(7, 8))
    assert outcome.reminded == len(UNIT_PEOPLE) == len(rows)


# -- a month, hour by hour ----------------------------------------------------------------------------------
def expected_fill_slots() -> list[datetime]:
    """November 2026 is due Thursday 10 December: 3 days before (Monday 7), 1 day before (Wednesday 9), on the
    day, then every working day at 08:00 (a weekend's reminders are Monday's; none on cuti bersama Natal
    Thursday 24 December, Christmas on the 25th, New Year's Day, Isra Mi'raj on Tuesday 5 January) until the
    simulation ends."""
    days = [date(2026, 12, 7)] + [date(2026, 12, 9) + timedelta(days=n) for n in range(28)]
    return [datetime.combine(day, RULES.reminder_time, tzinfo=WIB) for day in days
            if day.weekday() < 5 and day not in DAYS_OFF_2026_27]


def simulated_hours() -> list[datetime]:
    """Every hour from 1 December 2026 00:00 to 16 December 23:00 WIB (the opening, every kind of reminder slot,
    both escalations, two weekends) and around New Year's Day and the new year's openings; on the other days
    until 5 January the hours around the reminder time and the edges of quiet hours (a run every hour there
    makes the PostgreSQL run twice as long without reaching anything new)."""
    moments, now = [], dec(1, 0)
    while now < wib(2027, 1, 6):
        dense = (now < dec(17) or dec(31, 18) <= now < wib(2027, 1, 1, 12)
                 or wib(2027, 1, 3, 18) <= now < wib(2027, 1, 4, 12))
        if dense or now.hour in (0, 6, 7, 8, 9, 13, 19, 20):
            moments.append(now)
        now += HOUR
    return moments


def test_a_month_hour_by_hour(office, session):
    """From 1 December 2026 00:00 to 5 January 2027 24:00 WIB, run every hour (`simulated_hours`) and commit,
    nobody sending anything: November opens by itself on 1 December 08:00 and its members are reminded
    exactly at the expected moments (never in quiet hours), each reminder one outbox row and one Reminder row
    per person; the unit's kabid hears after 4 reminders and the Sekretaris after 6, once each; December and
    Triwulan IV open on Monday 4 January 08:00 (Friday 1 January is New Year's Day), due Monday 11 January
    (the 10th is a Sunday). Whenever a run says when it is next needed, nothing happens
    before then."""
    events: list[tuple[datetime, Outcome, list[OutboxMessage]]] = []
    promised = None
    for now in simulated_hours():
        outcome, rows = run(session, now)
        if promised is not None and now < promised:
            assert not rows and not outcome.opened, f"{now}: something happened before the promised {promised}"
        assert outcome.next_run is None or outcome.next_run > now
        promised = outcome.next_run
        events.append((now, outcome, rows))

    # nothing at all in quiet hours (nights, weekends, days off)
    for moment, outcome, rows in events:
        if is_quiet(moment, RULES.hours, WIB) or moment.date() in DAYS_OFF_2026_27:
            assert not rows and not outcome.opened and outcome.reminded == 0, moment

    # openings: November on Tuesday 1 December 08:00; December and TW4 on Monday 4 January 08:00
    opened = [(moment, outcome.opened) for moment, outcome, _ in events if outcome.opened]
    assert opened == [(dec(1, 8), ["2026-11"]), (wib(2027, 1, 4, 8), ["2026-12", "2026-TW4"])]
    november = period_of(session, NOVEMBER)
    assert november.opened_at == dec(1, 8)
    assert november.deadline == date(2026, 12, 10)
    assert PeriodStatus(november.status) is PeriodStatus.OPEN
    tw4 = period_of(session, PeriodRef(PeriodKind.QUARTER, 2026, 4))
    december = period_of(session, PeriodRef(PeriodKind.MONTH, 2026, 12))
    for period in (tw4, december):
        assert period.opened_at == wib(2027, 1, 4, 8)
        assert period.deadline == date(2027, 1, 11)
    assert session.exec(select(func.count()).select_from(Period)).one() == 4  # TW3 (by hand) + the three

    # one invitation per unit member and period, at the opening
    invitations = [(moment, tid_of(session, row.member_id), row.data["period_id"])
                   for moment, _, rows in events for row in rows if row.kind == "period_opened"]
    expected = [(dec(1, 8), tid, november.id) for tid in UNIT_PEOPLE]
    expected += [(wib(2027, 1, 4, 8), tid, period.id) for period in (december, tw4) for tid in UNIT_PEOPLE]
    assert sorted(invitations) == sorted(expected)

    # reminders: each unit member exactly at the expected slots, one outbox row each
    slots = expected_fill_slots()
    for tid in UNIT_PEOPLE:
        moments = [moment for moment, _, rows in events for row in rows
                   if row.kind == "reminder" and tid_of(session, row.member_id) == tid]
        assert moments == slots, tid
    reminder_rows = [row for _, _, rows in events for row in rows if row.kind == "reminder"]
    assert all(row.data == {"reminder_id": row.data["reminder_id"], "replace": False} for row in reminder_rows)
    assert len({row.dedupe_key for row in reminder_rows}) == len(reminder_rows) == len(UNIT_PEOPLE) * len(slots)
    assert {moment for moment, outcome, _ in events if outcome.reminded} == set(slots)
    assert all(outcome.reminded in (0, len(UNIT_PEOPLE)) for _, outcome, _ in events)

    # one Reminder per person, period and task, counting what was sent (none yet for December and TW4,
    # due Monday 11 January: the first of theirs is Friday 8 January)
    reminders = session.exec(select(Reminder)).all()
    assert len(reminders) == len(UNIT_PEOPLE)
    for reminder in reminders:
        assert reminder.period_id == november.id and Task(reminder.task) is Task.FILL
        assert reminder.sent_count == len(slots) == 17
        assert reminder.last_slot_at == slots[-1]
        assert reminder.closed_at is None and reminder.snoozed_until is None
        assert reminder.unit_id == session.get(Member, reminder.member_id).unit_id

    # escalation: Modal's kabid with the 4th reminder (Friday 11 December), the Sekretaris about every unit
    # with the 6th (Tuesday 15 December); once each
    escalations = [(moment, tid_of(session, row.member_id), row.data["unit_id"], row.data["level"],
                    row.data["missed"]) for moment, _, rows in events for row in rows if row.kind == "escalation"]
    expected_escalations = [(dec(11, 8), KABID_MODAL, unit_id(session, "Bidang Penanaman Modal"), "kabid", 4)]
    expected_escalations += [(dec(15, 8), SEKRETARIS, unit_id(session, name), "sekretaris", 6) for name in UNITS]
    assert sorted(escalations) == sorted(expected_escalations)
    assert slots.index(dec(11, 8)) == 3 and slots.index(dec(15, 8)) == 5
    assert sum(outcome.escalated for _, outcome, _ in events) == 5

    # and the last run says the next moment: Wednesday 6 January 08:00 (the next daily reminder)
    assert events[-1][1].next_run == wib(2027, 1, 6, 7)  # 23:00 is quiet: the run waits for 07:00
    assert run(session, wib(2027, 1, 6, 7))[0].next_run == wib(2027, 1, 6, 8)


# -- opening --------------------------------------------------------------------------------------------------
def test_a_bot_started_late_opens_only_the_latest_ended_periods_once(engine, session):
    """Given no period yet, when the bot first runs on Thursday 3 December 10:00, then November and Triwulan III
    open (the latest month and triwulan that ended), not the earlier ones, at that moment; a second run opens
    nothing."""
    with session_scope(engine) as setup:
        import_pk(setup, DEMO_PK, Actor.cli())
    add_people(engine)
    assert run(session, dec(3, 7, 59))[0].opened == ["2026-11", "2026-TW3"]  # the opening moment is long past
    assert run(session, dec(3, 10))[0].opened == []
    codes = sorted(period.code for period in session.exec(select(Period)))
    assert codes == ["2026-11", "2026-TW3"]
    tw3 = period_of(session, PeriodRef(PeriodKind.QUARTER, 2026, 3))
    # 10 October 2026 is a Saturday: the deadline is Monday the 12th
    assert tw3.opened_at == dec(3, 7, 59) and tw3.deadline == date(2026, 10, 12)


def test_the_opening_moment_skips_quiet_days_and_hand_made_periods_are_left_alone(office, session):
    """Saturday 1 August 2026: July opens on Monday 3 August 08:00. A period an admin made by hand (even a
    draft) is never opened by the scheduler."""
    assert RULES.opening_moment(PeriodRef(PeriodKind.MONTH, 2026, 7)) == wib(2026, 8, 3, 8)
    assert RULES.opening_moment(NOVEMBER) == dec(1, 8)
    assert RULES.deadline_for(NOVEMBER) == date(2026, 12, 10)
    assert next_opening(wib(2026, 8, 1, 9), RULES) == wib(2026, 8, 3, 8)
    assert next_opening(dec(1, 7), RULES) == dec(1, 8)
    assert next_opening(dec(1, 8), RULES) == wib(2027, 1, 4, 8)  # Friday 1 January is New Year's Day
    assert periods_to_open(session, dec(1, 7, 59), RULES) == []
    assert periods_to_open(session, dec(1, 8), RULES) == [NOVEMBER]
    session.add(Period(kind=PeriodKind.MONTH, year=2026, number=11, status=PeriodStatus.DRAFT))
    session.commit()
    assert periods_to_open(session, dec(1, 8), RULES) == []
    outcome, rows = run(session, dec(1, 8))
    assert outcome.opened == [] and rows == []
    assert PeriodStatus(period_of(session, NOVEMBER).status) is PeriodStatus.DRAFT


# -- a unit that sends its form -----------------------------------------------------------------------------
def test_a_unit_that_sends_its_form_is_reminded_no_more(office, session):
    """Pengaduan sends before any reminder: it never gets one. Perizinan sends after the first: its reminder is
    closed at the next run with one 'done' row, and nothing more comes; when the Sekretaris returns the form the
    reminder opens again (without a message at once) and comes back at the next daily slot."""
    open_november(session)
    submit_at(session, AGUS, dec(4, 10))
    _, rows = run(session, dec(4, 10))
    assert not task_rows(session, rows, Task.FILL)

    _, rows = run(session, dec(7, 8))
    assert reminded(session, rows, Task.FILL) == [tid for tid in UNIT_PEOPLE if tid != AGUS]
    assert reminder_of(session, AGUS, Task.FILL) is None

    form = submit_at(session, RINA, dec(8, 10))
    outcome, rows = run(session, dec(8, 10))
    assert outcome.closed == 1
    rina = reminder_of(session, RINA, Task.FILL)
    assert rina.closed_at == dec(8, 10) and rina.sent_count == 1
    done = task_rows(session, rows, Task.FILL)
    assert [(tid, ":closed:" in row.dedupe_key, row.data["replace"]) for tid, row in done] == [(RINA, True, False)]
    assert run(session, dec(8, 11))[1] == []  # closed once

    for day in (9, 10, 11):
        _, rows = run(session, dec(day, 8))
        assert reminded(session, rows, Task.FILL) == [tid for tid in UNIT_PEOPLE if tid not in (AGUS, RINA)]
    assert reminder_of(session, RINA, Task.FILL).sent_count == 1
    assert reminder_of(session, AGUS, Task.FILL) is None

    p1 = session.exec(select(Indicator.id).where(Indicator.code == "P.1")).one()
    session.refresh(form)
    return_unit_form(session, member(session, SEKRETARIS), form.id, form.version, [p1], "Lampirkan data OSS",
                     now=system_clock())
    session.commit()
    outcome, rows = run(session, dec(11, 10))
    rina = reminder_of(session, RINA, Task.FILL)
    assert rina.closed_at is None and not task_rows(session, rows, Task.FILL)
    assert outcome.reminded == 0
    _, rows = run(session, dec(14, 8))
    assert RINA in reminded(session, rows, Task.FILL)
    assert reminder_of(session, RINA, Task.FILL).sent_count == 2


# -- restarts -------------------------------------------------------------------------------------------------
def test_runs_repeated_or_after_downtime_never_repeat_a_reminder(office, session, engine):
    """Running twice at the same moment, in another session (another process), or an hour later queues
    nothing new; a bot down from Monday 7 December 09:00 to Friday 11 December 09:30 sends the latest missed
    reminder (Friday 08:00) once, not Wednesday's, Thursday's and Friday's."""
    open_november(session)
    outcome, rows = run(session, dec(7, 8))
    assert outcome.reminded == len(UNIT_PEOPLE) == len(rows)
    assert run(session, dec(7, 8))[1] == []
    session.commit()  # (SQLite: one writer at a time)
    with Session(engine, expire_on_commit=False) as other:
        assert run(other, dec(7, 8))[1] == []
        assert run(other, dec(7, 9))[1] == []

    outcome, rows = run(session, dec(11, 9, 30))
    assert outcome.reminded == len(UNIT_PEOPLE)
    assert reminded(session, rows, Task.FILL) == UNIT_PEOPLE
    assert all(row.dedupe_key.endswith(f":{int(dec(11, 8).timestamp())}") for row in rows if row.kind == "reminder")
    for tid in UNIT_PEOPLE:
        reminder = reminder_of(session, tid, Task.FILL)
        assert reminder.sent_count == 2 and reminder.last_slot_at == dec(11, 8)
    # two reminders so far: nobody is escalated yet
    assert [row for row in rows if row.kind == "escalation"] == []
    assert run(session, dec(11, 10, 30))[1] == []
    assert run(session, dec(11, 19, 59))[1] == []
    assert run(session, dec(12, 10))[1] == []  # Saturday: quiet
    assert run(session, dec(12, 10))[0].next_run == dec(14, 7)


# -- snooze ---------------------------------------------------------------------------------------------------
def test_a_snoozed_reminder_comes_back_once_as_a_fresh_message(office, session):
    """'Ingatkan nanti' at 09:00: nothing until 12:00, then one row that replaces the old message; a snooze
    over the next daily slot swallows it and brings one reminder after the snooze."""
    open_november(session)
    run(session, dec(7, 8))
    rina = member(session, RINA)
    reminder = reminder_of(session, RINA, Task.FILL)
    until = snooze_reminder(session, rina, reminder.id, dec(7, 9), RULES)
    session.commit()
    assert until == dec(7, 12) and reminder_of(session, RINA, Task.FILL).snoozed_until == dec(7, 12)
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "reminder.snoozed")).one().entity_id == \
        reminder.id

    outcome, rows = run(session, dec(7, 11))
    assert rows == [] and outcome.next_run == dec(7, 12)
    assert run(session, dec(7, 11, 59))[1] == []
    outcome, rows = run(session, dec(7, 12))
    assert [(tid_of(session, row.member_id), row.kind, row.data) for row in rows] == [
        (RINA, "reminder", {"reminder_id": reminder.id, "replace": True})]
    assert ":snooze:" in rows[0].dedupe_key
    reminder = reminder_of(session, RINA, Task.FILL)
    assert reminder.snoozed_until is None and reminder.sent_count == 2
    assert run(session, dec(7, 13))[1] == []

    # snoozed at 07:30 on Wednesday, before the 08:00 slot: the others are reminded at 08:00, Rina at 10:30
    snooze_reminder(session, rina, reminder.id, dec(9, 7, 30), RULES)
    session.commit()
    _, rows = run(session, dec(9, 8))
    assert reminded(session, rows, Task.FILL) == [tid for tid in UNIT_PEOPLE if tid != RINA]
    assert run(session, dec(9, 10))[1] == []
    _, rows = run(session, dec(9, 10, 30))
    assert [(tid_of(session, row.member_id), row.data["replace"]) for row in rows] == [(RINA, True)]
    assert run(session, dec(9, 11))[1] == []
    _, rows = run(session, dec(10, 8))
    assert [row.data["replace"] for row in rows if row.member_id == rina.id] == [False]


def test_a_snooze_in_the_evening_ends_in_the_morning(office, session):
    """Snoozed at 18:00 (three hours later is 21:00, quiet): back at 07:00 the next morning; on a Friday
    evening, on Monday 07:00."""
    open_november(session)
    run(session, dec(7, 8))
    rina = member(session, RINA)
    reminder = reminder_of(session, RINA, Task.FILL)
    assert snooze_reminder(session, rina, reminder.id, dec(7, 18), RULES) == dec(8, 7)
    session.commit()
    for moment in (dec(7, 19), dec(7, 21), dec(8, 6, 59)):
        assert run(session, moment)[1] == []
    _, rows = run(session, dec(8, 7))
    assert [(tid_of(session, row.member_id), row.data["replace"]) for row in rows] == [(RINA, True)]

    run(session, dec(11, 8))
    assert snooze_reminder(session, rina, reminder.id, dec(11, 17, 30), RULES) == dec(14, 7)
    session.commit()
    assert run(session, dec(11, 19))[1] == []
    _, rows = run(session, dec(14, 7))
    assert [(tid_of(session, row.member_id), row.data["replace"]) for row in rows] == [(RINA, True)]


def test_only_the_person_reminded_may_snooze_and_not_a_finished_task(office, session):
    open_november(session)
    run(session, dec(7, 8))
    reminder = reminder_of(session, RINA, Task.FILL)
    with pytest.raises(WorkflowError) as refused:
        snooze_reminder(session, member(session, DEWI), reminder.id, dec(7, 9), RULES)
    assert refused.value.code == "not_found"
    with pytest.raises(WorkflowError) as refused:
        snooze_reminder(session, member(session, SEKRETARIS), reminder.id, dec(7, 9), RULES)
    assert refused.value.code == "not_found"
    with pytest.raises(WorkflowError) as refused:
        snooze_reminder(session, member(session, RINA), 999_999, dec(7, 9), RULES)
    assert refused.value.code == "not_found"
    session.rollback()
    assert reminder_of(session, RINA, Task.FILL).snoozed_until is None

    submit_at(session, RINA, dec(7, 10))
    run(session, dec(7, 10))
    with pytest.raises(WorkflowError) as refused:
        snooze_reminder(session, member(session, RINA), reminder.id, dec(7, 11), RULES)
    assert refused.value.code == "reminder_done"


# -- the Sekretaris's review --------------------------------------------------------------------------------
def test_review_reminders_after_the_standard_then_daily_until_approved(office, session):
    """A form sent on Tuesday 8 December 10:00: the Sekretaris is reminded at 11:30 (90 working minutes), then
    daily at 08:00; approving it closes the reminder and stops them."""
    open_november(session)
    form = submit_at(session, RINA, dec(8, 10))
    outcome, rows = run(session, dec(8, 10))
    assert not task_rows(session, rows, Task.REVIEW)
    assert outcome.next_run == dec(8, 11, 30)
    assert not task_rows(session, run(session, dec(8, 11, 29))[1], Task.REVIEW)
    _, rows = run(session, dec(8, 11, 30))
    assert reminded(session, rows, Task.REVIEW) == [SEKRETARIS]
    for moment in (dec(8, 12), dec(8, 19, 59), dec(9, 7), dec(9, 7, 59)):
        assert not task_rows(session, run(session, moment)[1], Task.REVIEW), moment
    assert reminded(session, run(session, dec(9, 8))[1], Task.REVIEW) == [SEKRETARIS]
    assert reminded(session, run(session, dec(10, 8))[1], Task.REVIEW) == [SEKRETARIS]
    assert reminder_of(session, SEKRETARIS, Task.REVIEW).sent_count == 3

    session.refresh(form)
    approve_at(session, form, dec(10, 9))
    _, rows = run(session, dec(10, 9))
    done = task_rows(session, rows, Task.REVIEW)
    assert [(tid, ":closed:" in row.dedupe_key) for tid, row in done] == [(SEKRETARIS, True)]
    assert reminder_of(session, SEKRETARIS, Task.REVIEW).closed_at == dec(10, 9)
    for moment in (dec(11, 8), dec(14, 8)):
        assert not task_rows(session, run(session, moment)[1], Task.REVIEW)


def test_a_form_sent_in_the_evening_is_counted_in_working_time(office, session):
    """Sent on Tuesday 19:30: 30 working minutes that evening and 60 from 07:00, so the Sekretaris's first
    reminder is on Wednesday 08:00 (not 08:30, as counting 90 minutes from the morning would give)."""
    submitted, first = dec(8, 19, 30), dec(9, 8)
    open_november(session)
    submit_at(session, RINA, submitted)
    moment = submitted
    while moment < first:
        assert not task_rows(session, run(session, moment)[1], Task.REVIEW), moment
        moment += timedelta(minutes=30)
    assert not task_rows(session, run(session, first - timedelta(minutes=1))[1], Task.REVIEW)
    assert reminded(session, run(session, first)[1], Task.REVIEW) == [SEKRETARIS]
    assert reminder_of(session, SEKRETARIS, Task.REVIEW).last_slot_at == first
    assert not task_rows(session, run(session, dec(9, 12))[1], Task.REVIEW)
    assert reminded(session, run(session, dec(10, 8))[1], Task.REVIEW) == [SEKRETARIS]


@pytest.mark.parametrize(("since", "standard", "expected"), [
    (dec(8, 10), minutes(90), [dec(8, 11, 30), dec(9, 8), dec(10, 8), dec(11, 8), dec(14, 8)]),
    (dec(8, 19, 30), minutes(90), [dec(9, 8), dec(10, 8), dec(11, 8), dec(14, 8)]),
    (dec(11, 19, 30), minutes(90), [dec(14, 8), dec(15, 8), dec(16, 8)]),  # Friday evening
    (dec(12, 10), minutes(90), [dec(14, 8, 30), dec(15, 8), dec(16, 8)]),  # Saturday: from Monday 07:00
    (dec(8, 6), minutes(90), [dec(8, 8, 30), dec(9, 8), dec(10, 8)]),  # before office hours
    (dec(9, 10), minutes(40), [dec(9, 10, 40), dec(10, 8), dec(11, 8), dec(14, 8)]),  # laporan_kepala
    (dec(10, 9), timedelta(hours=13), [dec(11, 9), dec(14, 8), dec(15, 8)]),  # disposisi: 11 h + 2 h
    (dec(11, 19, 50), minutes(10), [dec(14, 7), dec(15, 8)]),  # ends at 20:00, quiet: Monday 07:00
], ids=["weekday", "tuesday-evening", "friday-evening", "saturday", "early", "report", "disposition", "at-20"])
def test_follow_up_slots_come_after_the_standard_working_time_then_daily(since, standard, expected):
    """The Sekretaris's and Kepala's reminder moments: once the step has taken its standard in working time
    (moved out of quiet hours), then every working day at 08:00 (a weekend's are Monday's)."""
    slots = follow_up_slots(since, standard, since.date(), RULES)  # (only the daily ones near that day)
    assert slots[:len(expected)] == expected
    assert slots[0] == expected[0] and all(not is_quiet(slot, RULES.hours, WIB) for slot in slots)
    assert slots == sorted(set(slots))


def test_fill_slots_for_a_deadline_on_a_sunday():
    """A deadline set by hand on Sunday 10 January 2027: 3 working days before is Wednesday 6 January 08:00, 1
    working day before is Friday the 8th; the day itself is Monday 11 January 08:00; then daily."""
    opened = wib(2027, 1, 1, 8)
    slots = fill_slots(date(2027, 1, 10), opened, date(2027, 1, 2), RULES)
    assert slots[:4] == [wib(2027, 1, 6, 8), wib(2027, 1, 8, 8), wib(2027, 1, 11, 8), wib(2027, 1, 12, 8)]
    later = fill_slots(date(2027, 1, 10), opened, date(2027, 1, 20), RULES)
    assert wib(2027, 1, 20, 8) in later and wib(2027, 1, 23, 8) not in later  # Saturday
    assert all(slot.time() == RULES.reminder_time and slot.weekday() < 5 for slot in later)
    # a period opened after its reminders' moments (a bot started late) only has the later ones
    assert fill_slots(date(2027, 1, 10), wib(2027, 1, 11, 9), date(2027, 1, 11), RULES)[0] == wib(2027, 1, 12, 8)


# -- report and disposition -----------------------------------------------------------------------------------
def test_report_and_disposition_reminders_follow_their_standards(office, session):
    """Every form approved by Wednesday 9 December 10:00: the Sekretaris is reminded to report at 10:40
    (laporan_kepala 40m), then daily; reported Thursday 09:00: the Kepala Dinas is reminded to dispose on Friday
    09:00 (disposisi 1 working day = 13 hours: 11 on Thursday, 2 on Friday), then on Monday 08:00; after the
    disposition nothing more comes."""
    period = open_november(session)
    submit_and_approve_all(session, dec(8, 9), [dec(9, 9), dec(9, 9, 15), dec(9, 9, 30), dec(9, 10)])
    outcome, rows = run(session, dec(9, 10))
    assert not task_rows(session, rows, Task.REPORT)
    assert outcome.next_run == dec(9, 10, 40)
    assert not task_rows(session, run(session, dec(9, 10, 39))[1], Task.REPORT)
    assert reminded(session, run(session, dec(9, 10, 40))[1], Task.REPORT) == [SEKRETARIS]
    assert not task_rows(session, run(session, dec(9, 15))[1], Task.REPORT)
    assert reminded(session, run(session, dec(10, 8))[1], Task.REPORT) == [SEKRETARIS]

    report_at(session, period, dec(10, 9))
    _, rows = run(session, dec(10, 9))
    assert [(tid, ":closed:" in row.dedupe_key) for tid, row in task_rows(session, rows, Task.REPORT)] == [
        (SEKRETARIS, True)]
    assert not task_rows(session, rows, Task.DISPOSE)
    for moment in (dec(10, 19), dec(11, 8), dec(11, 8, 59)):
        assert not task_rows(session, run(session, moment)[1], Task.DISPOSE), moment
    assert reminded(session, run(session, dec(11, 9))[1], Task.DISPOSE) == [KEPALA]
    assert not task_rows(session, run(session, dec(11, 15))[1], Task.DISPOSE)
    assert reminded(session, run(session, dec(14, 8))[1], Task.DISPOSE) == [KEPALA]

    dispose_at(session, period, dec(14, 10))
    assert needs(session, dec(14, 10)) == []
    for moment in (dec(14, 10), dec(15, 8), dec(16, 8)):
        _, rows = run(session, moment)
        assert reminded(session, rows, Task.DISPOSE) == [] and reminded(session, rows, Task.REPORT) == []


def test_the_disposition_closes_the_kepala_reminder(office, session):
    period = open_november(session)
    submit_and_approve_all(session, dec(8, 9), [dec(9, 10)] * 4)
    run(session, dec(9, 10))
    report_at(session, period, dec(10, 9))
    run(session, dec(10, 9))
    assert reminded(session, run(session, dec(11, 9))[1], Task.DISPOSE) == [KEPALA]
    dispose_at(session, period, dec(11, 10))
    outcome, rows = run(session, dec(11, 10))
    assert reminder_of(session, KEPALA, Task.DISPOSE).closed_at == dec(11, 10)
    assert [(tid, ":closed:" in row.dedupe_key) for tid, row in task_rows(session, rows, Task.DISPOSE)] == [
        (KEPALA, True)]
    assert outcome.closed == 1


# -- switches -------------------------------------------------------------------------------------------------
def test_auto_open_off_opens_nothing(office, session):
    rules = dataclasses.replace(RULES, auto_open=False)
    for moment in (dec(1, 8), dec(7, 8), dec(10, 8), wib(2027, 1, 4, 8)):  # 1 January is a day off: quiet
        outcome, rows = run(session, moment, rules)
        assert outcome.opened == [] and rows == [] and outcome.next_run is None
    assert [period.code for period in session.exec(select(Period))] == ["2026-TW3"]
    assert next_opening(dec(1, 8), rules) is None and periods_to_open(session, dec(1, 8), rules) == []


def test_reminders_off_opens_periods_but_reminds_nobody(office, session):
    rules = dataclasses.replace(RULES, remind=False)
    outcome, rows = run(session, dec(1, 8), rules)
    assert outcome.opened == ["2026-11"] and {row.kind for row in rows} == {"period_opened"}
    assert outcome.next_run == wib(2027, 1, 4, 8)  # only the next opening (1 January is New Year's Day)
    for day in (7, 9, 10, 11, 14, 15, 16, 17):
        outcome, rows = run(session, dec(day, 8), rules)
        assert rows == [] and outcome.reminded == 0 and outcome.escalated == 0
    submit_at(session, RINA, dec(16, 10))
    for moment in (dec(16, 12), dec(17, 8)):
        assert run(session, moment, rules)[1] == []
    assert session.exec(select(Reminder)).all() == []


def test_turning_reminders_off_does_not_say_unfinished_tasks_are_done(office, session):
    open_november(session)
    run(session, dec(7, 8))
    outcome, rows = run(session, dec(8, 9), dataclasses.replace(RULES, remind=False))
    assert [row.dedupe_key for row in rows if ":closed:" in (row.dedupe_key or "")] == []
    assert reminder_of(session, RINA, Task.FILL).closed_at is None


# -- mutu baku ------------------------------------------------------------------------------------------------
def test_the_timeline_of_a_period_from_recorded_moments(office, session):
    """November opened Tuesday 1 December 08:00 by the scheduler, invitations delivered by 08:05, forms sent
    Wednesday 2 to Monday 7 (last 11:00), approved by Monday 12:20, reported 13:00, disposed Tuesday 8 14:00:
    each step's working time against its standard."""
    period = open_november(session)
    invitations = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "period_opened")).all()
    assert len(invitations) == len(UNIT_PEOPLE)

    assert [timing.started_at for timing in timeline(session, period, dec(1, 8, 3), RULES)] == [
        dec(1, 8), dec(1, 8), None, None, None, None, None, None]
    distribusi = timeline(session, period, dec(1, 8, 3), RULES)[0]
    assert distribusi.running and distribusi.actual == timedelta(minutes=3) and distribusi.ended_at is None

    for row, minute in zip(invitations, (1, 2, 3, 4, 5, 5, 5), strict=True):
        row.status, row.sent_at = OutboxStatus.SENT, dec(1, 8, minute)
        session.add(row)
    session.commit()

    sari = submit_at(session, SARI, dec(2, 10))
    dewi = submit_at(session, DEWI, dec(3, 9))
    rina = submit_at(session, RINA, dec(4, 15))
    approve_at(session, sari, dec(3, 10))
    approve_at(session, dewi, dec(4, 10))
    approve_at(session, rina, dec(7, 8))
    # while Pengaduan has not sent: pengisian runs (Tuesday 08:00 to Monday 10:00 = 12 + 3 × 13 + 3 hours)
    running = {timing.step: timing for timing in timeline(session, period, dec(7, 10), RULES)}
    assert running[Step.PENGISIAN].running and running[Step.PENGISIAN].actual == timedelta(hours=54)
    assert running[Step.VERIFIKASI].started_at is None
    assert overdue_step(list(running.values())).step is Step.PENGISIAN

    agus = submit_at(session, AGUS, dec(7, 11))
    approve_at(session, agus, dec(7, 12, 20))
    # the report is 1 hour late at 14:00: 100 minutes of working time against 40
    running = timeline(session, period, dec(7, 14), RULES)
    assert overdue_step(running).step is Step.LAPORAN_KEPALA
    assert {t.step: t.actual for t in running}[Step.LAPORAN_KEPALA] == timedelta(minutes=100)

    report_at(session, period, dec(7, 13))
    dispose_at(session, period, dec(8, 14))
    session.refresh(period)
    assert PeriodStatus(period.status) is PeriodStatus.ARCHIVED

    assert cycle_moments(session, period) == {
        "opened": dec(1, 8), "distributed": dec(1, 8, 5), "all_sent": dec(7, 11), "all_submitted": dec(7, 11),
        "all_approved": dec(7, 12, 20), "reported": dec(7, 13), "disposed": dec(8, 14), "archived": dec(8, 14)}
    timings = timeline(session, period, dec(20, 9), RULES)
    # procedure A's steps, in the SOP's order (the kabid's check only with KABID_REVIEW: tests/test_kabid_review.py)
    assert [t.step for t in timings] == [step for step in STEP_BOUNDS if step is not Step.VERIFIKASI_KABID]
    got = {t.step: (t.started_at, t.ended_at, t.actual, t.standard, t.overdue, t.automatic) for t in timings}
    day = timedelta(hours=13)
    assert got == {
        Step.DISTRIBUSI: (dec(1, 8), dec(1, 8, 5), minutes(5), minutes(10), False, False),
        # Tue 08–20 (12 h), Wed–Fri (3 × 13 h), weekend 0, Mon 07–11 (4 h)
        Step.PENGISIAN: (dec(1, 8), dec(7, 11), timedelta(hours=55), day, True, False),
        Step.REKAP: (dec(7, 11), dec(7, 11), timedelta(), minutes(120), False, True),
        Step.LAPORAN_SEKRETARIS: (dec(7, 11), dec(7, 11), timedelta(), minutes(40), False, True),
        Step.VERIFIKASI: (dec(7, 11), dec(7, 12, 20), minutes(80), minutes(90), False, False),
        Step.LAPORAN_KEPALA: (dec(7, 12, 20), dec(7, 13), minutes(40), minutes(40), False, False),  # not over
        # Mon 13–20 (7 h), Tue 07–14 (7 h)
        Step.DISPOSISI: (dec(7, 13), dec(8, 14), timedelta(hours=14), day, True, False),
        Step.ARSIP: (dec(8, 14), dec(8, 14), timedelta(), minutes(10), False, True),
    }
    assert not any(t.running for t in timings) and overdue_step(timings) is None


def test_the_timeline_follows_the_configured_standards_and_waits_for_queued_invitations(office, session):
    """With MUTU_BAKU=distribusi=2m,pengisian=2d the same recorded moments give other verdicts; while an
    invitation is still queued, distribution has not ended."""
    period = open_november(session)
    rules = dataclasses.replace(RULES, standards=parse_standards("distribusi=2m,pengisian=2d", timedelta(hours=13)))
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "period_opened")).all()
    for row in rows[:-1]:
        row.status, row.sent_at = OutboxStatus.SENT, dec(1, 8, 1)
        session.add(row)
    session.commit()
    distribusi = timeline(session, period, dec(1, 8, 4), rules)[0]
    assert distribusi.running and distribusi.actual == timedelta(minutes=4) and distribusi.overdue
    rows[-1].status, rows[-1].sent_at = OutboxStatus.SENT, dec(1, 8, 1)
    session.add(rows[-1])
    session.commit()
    distribusi = timeline(session, period, dec(1, 8, 4), rules)[0]
    assert distribusi.ended_at == dec(1, 8, 1) and not distribusi.overdue

    pengisian = {t.step: t for t in timeline(session, period, dec(3, 9), rules)}[Step.PENGISIAN]
    assert pengisian.standard == timedelta(hours=26)
    assert pengisian.actual == timedelta(hours=12 + 13 + 2) and pengisian.overdue
    assert not {t.step: t for t in timeline(session, period, dec(3, 7, 59), rules)}[Step.PENGISIAN].overdue


# -- days off: Idul Fitri 2026 ----------------------------------------------------------------------------------
FEBRUARY = PeriodRef(PeriodKind.MONTH, 2026, 2)


def march(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return wib(2026, 3, day, hour, minute)


# The office is closed from Wednesday 18 to Tuesday 24 March 2026: cuti bersama Nyepi (18), Nyepi (19), cuti
# bersama Idul Fitri (20), Idul Fitri on Saturday 21 and Sunday 22, cuti bersama Idul Fitri (23, 24).
CLOSED_FOR_LEBARAN = [date(2026, 3, day) for day in range(18, 25)]


def test_a_reminder_due_on_idul_fitri_moves_past_it_and_its_cuti_bersama(office, session):
    """With forms due on the 20th (DEADLINE_DAY=20), February 2026 is due on Friday 20 March, cuti bersama before
    Idul Fitri: the deadline moves to Wednesday 25 March, the first working day after the holiday and its cuti
    bersama. Run around the clock from 12 to 26 March, the unit members are reminded 3 and 1 working days before
    it, on Friday 13 and Tuesday 17 March, before the office closes; then not once while it is closed; then on
    the 25th and on the 26th, overdue."""
    rules = dataclasses.replace(RULES, deadline_day=20)
    assert run(session, march(2, 8), rules)[0].opened == ["2026-02"]  # Monday 2 March (the 1st is a Sunday)
    february = period_of(session, FEBRUARY)
    assert february.deadline == date(2026, 3, 25)
    moments = [march(day, hour) for day in range(12, 27) for hour in (0, 6, 7, 8, 9, 13, 19, 20)]
    sent = {moment: rows for moment in moments if (rows := run(session, moment, rules)[1])}
    assert not [moment for moment in sent if moment.date() in CLOSED_FOR_LEBARAN]
    assert list(sent) == [march(13, 8), march(17, 8), march(25, 8), march(26, 8)]
    for rows in sent.values():
        assert sorted(tid_of(session, row.member_id) for row in rows if row.kind == "reminder") == UNIT_PEOPLE
    # nothing at all is due while the office is closed: a run there waits for Wednesday 07:00
    assert run(session, march(21, 10), rules)[0].next_run == march(25, 7)


def test_the_mutu_baku_clock_and_its_reminder_stop_over_idul_fitri(office, session):
    """Every unit sends its February form on Tuesday 17 March 2026 at 19:00; verification (90 minutes) has had
    one hour that evening when the office closes for Nyepi and Idul Fitri. The Sekretaris is reminded when the
    other 30 minutes have passed, on Wednesday 25 March 07:30, not on the morning of cuti bersama; approved
    then, the step took 90 minutes of working time, not a week."""
    assert run(session, march(2, 8))[0].opened == ["2026-02"]
    forms = [submit_at(session, tid, march(17, 19), FEBRUARY) for tid in (SARI, DEWI, RINA, AGUS)]
    assert follow_up_slots(march(17, 19), minutes(90), date(2026, 3, 17), RULES)[:2] == [march(25, 7, 30),
                                                                                     march(26, 8)]
    for moment in (march(18, 7, 30), march(18, 8), march(20, 8), march(23, 8), march(24, 8)):
        assert not task_rows(session, run(session, moment)[1], Task.REVIEW), moment
    assert reminded(session, run(session, march(25, 7, 30))[1], Task.REVIEW) == [SEKRETARIS]
    for form in forms:
        approve_at(session, form, march(25, 7, 30))
    february = period_of(session, FEBRUARY)
    review = next(timing for timing in timeline(session, february, march(25, 9), RULES)
                  if timing.step is Step.VERIFIKASI)
    assert (review.started_at, review.ended_at) == (march(17, 19), march(25, 7, 30))
    assert review.actual == minutes(90) and not review.overdue
    # without days off the same step would have run through the week of the holiday
    no_days_off = dataclasses.replace(RULES, days_off=DaysOff(national=False))
    review_without = next(timing for timing in timeline(session, february, march(25, 9), no_days_off)
                          if timing.step is Step.VERIFIKASI)
    assert review_without.actual == minutes(60) + 5 * timedelta(hours=13) + minutes(30) and review_without.overdue
