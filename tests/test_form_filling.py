"""Form filling in the domain: what is pending, what staff see before typing, and the soft check."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from models.calc.clock import system_clock
from models.collection.form_filling import (
    context_for,
    far_off_reasons,
    fillable_periods,
    first_pending,
    form_items,
    is_far_off,
    record_note,
    record_value,
)
from models.collection.forms import FormStatus
from models.collection.review import approve_unit_form, return_unit_form, submit_unit_form
from models.collection.workflow import form_for
from models.demo import DEMO_PK
from models.errors import WorkflowError
from models.exchange.pk_import import import_pk
from models.office.audit import Actor
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Member, Role, Unit
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.store.database import session_scope

PERIZINAN = "Bidang Pelayanan Perizinan"


@pytest.fixture
def office(engine):
    """The demo PK, a staf of Pelayanan Perizinan and a Sekretaris, and January and February 2026."""
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
        units = {u.name: u for u in session.exec(select(Unit))}
        for telegram_id, role, unit in ((130, Role.STAF, PERIZINAN), (103, Role.SEKRETARIS, "Sekretariat")):
            _, token = create_invite(session, role, units[unit], Actor.cli(), now=system_clock())
            accept_invite(session, token, telegram_id, f"member {telegram_id}", "id", now=system_clock())
        for number in (1, 2):
            session.add(Period(kind=PeriodKind.MONTH, year=2026, number=number, status=PeriodStatus.OPEN))
    return engine


def member(session, telegram_id: int) -> Member:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()


def month(session, number: int) -> Period:
    return session.exec(select(Period).where(Period.kind == PeriodKind.MONTH, Period.number == number)).one()


def indicator(session, code: str) -> Indicator:
    return session.exec(select(Indicator).where(Indicator.code == code)).one()


def filled_and_sent(session, staf: Member, period: Period):
    """Every item of the unit on target, and the form sent to the Sekretaris."""
    for code, value in (("P.1", 100), ("P.2", 95), ("P.3", 7)):
        record_value(session, staf, indicator(session, code), period, Decimal(value), now=system_clock())
    form = form_for(session, staf.unit_id, period.id)
    submit_unit_form(session, staf, form.id, form.version, now=system_clock())
    return form


def test_the_walk_asks_values_then_kendala_and_tindak_lanjut_below_target(office):
    """Given the unit's January form, the first pending item is P.1 without a value; a value below target makes
    the item pending again until kendala and tindak lanjut are given."""
    with session_scope(office) as session:
        staf, january = member(session, 130), month(session, 1)
        form = form_for(session, staf.unit_id, january.id)
        assert [item.indicator.code for item in form_items(session, form)] == ["P.1", "P.2", "P.3"]
        assert first_pending(form_items(session, form)).indicator.code == "P.1"

        record_value(session, staf, indicator(session, "P.1"), january, Decimal(80),
                     now=system_clock())  # target 100 → below
        item = first_pending(form_items(session, form))
        assert (item.indicator.code, item.needs_kendala, item.needs_tindak_lanjut) == ("P.1", True, True)
        record_note(session, staf, indicator(session, "P.1"), january, "kendala", "Server OSS gangguan",
                    now=system_clock())
        record_note(session, staf, indicator(session, "P.1"), january, "tindak_lanjut", "Lapor ke pusat",
                    now=system_clock())
        assert first_pending(form_items(session, form)).indicator.code == "P.2"


def test_what_staff_see_before_typing(office):
    """Given January's P.1 is 105, when February is asked, then last period is 105 and the year so far too."""
    with session_scope(office) as session:
        staf = member(session, 130)
        p1 = indicator(session, "P.1")
        record_value(session, staf, p1, month(session, 1), Decimal(105), now=system_clock())
        context = context_for(session, p1, month(session, 2))
        assert context.target.value == Decimal(100)  # TW I 300 ÷ 3, cumulative
        assert context.annual.value == Decimal(1200)
        assert (context.previous, context.previous_ref) == (Decimal(105), PeriodRef(PeriodKind.MONTH, 2026, 1))
        assert context.year_to_date == Decimal(105)


@pytest.mark.parametrize(("value", "reference", "far"), [
    (Decimal(301), Decimal(100), True), (Decimal(300), Decimal(100), False), (Decimal(34), Decimal(100), False),
    (Decimal(33), Decimal(100), True), (Decimal(0), Decimal(100), True), (Decimal(5), None, False),
    (Decimal(5), Decimal(0), False),
])
def test_the_soft_check_flags_values_over_three_times_or_under_a_third(value, reference, far):
    assert is_far_off(value, reference) is far


def test_a_far_off_value_names_what_it_is_far_from(office):
    with session_scope(office) as session:
        staf, p1 = member(session, 130), indicator(session, "P.1")
        record_value(session, staf, p1, month(session, 1), Decimal(100), now=system_clock())
        assert far_off_reasons(Decimal(400), context_for(session, p1, month(session, 2))) == ["previous", "target"]
        assert far_off_reasons(Decimal(110), context_for(session, p1, month(session, 2))) == []


def test_staff_of_another_unit_cannot_enter_values(office):
    """Given a staf of Pelayanan Perizinan, when they enter a value for Penanaman Modal's S.1, then refused."""
    with session_scope(office) as session:
        with pytest.raises(WorkflowError) as refused:
            record_value(session, member(session, 130), indicator(session, "S.1"), month(session, 1), Decimal(5),
                         now=system_clock())
        assert refused.value.code == "forbidden"


def test_a_returned_form_of_a_closed_period_can_still_be_completed(office):
    """Given January's form was returned and January then closed, /isi still offers January (and February)."""
    with session_scope(office) as session:
        staf, sekretaris, january = member(session, 130), member(session, 103), month(session, 1)
        form = filled_and_sent(session, staf, january)
        return_unit_form(session, sekretaris, form.id, form.version, [indicator(session, "P.2").id], "Cek lagi",
                         now=system_clock())
        january.status = PeriodStatus.CLOSED
        session.add(january)
        session.flush()
        assert [p.number for p in fillable_periods(session, staf.unit_id)] == [1, 2]
        items = form_items(session, form)
        assert [item.indicator.code for item in items if item.pending] == ["P.2"]


def test_an_approved_form_refuses_changes(office):
    with session_scope(office) as session:
        staf, sekretaris, january = member(session, 130), member(session, 103), month(session, 1)
        form = filled_and_sent(session, staf, january)
        approve_unit_form(session, sekretaris, form.id, form.version, now=system_clock())
        assert FormStatus(form.status) is FormStatus.APPROVED
        with pytest.raises(WorkflowError) as refused:
            record_value(session, staf, indicator(session, "P.1"), january, Decimal(101), now=system_clock())
        assert refused.value.code == "form_approved"
