"""The SOP's guard rails around review, unlock and disposition (found by review, kept by these tests)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from models.calc.clock import system_clock
from models.collection.form_filling import check_fillable, form_items, record_note, record_value
from models.collection.forms import DispositionDecision, FormStatus, ReviewItem, UnitForm, UnlockRequest, UnlockStatus
from models.collection.review import (
    approve_unit_form,
    decide_unlock,
    edits_since,
    form_mark,
    request_unlock,
    submit_unit_form,
)
from models.collection.workflow import form_for
from models.demo import DEMO_PK
from models.errors import ErrorCode, WorkflowError
from models.exchange.pk_import import import_pk
from models.exchange.realisasi_import import import_realisasi
from models.messaging.outbox import OutboxMessage
from models.office.audit import Actor
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Member, Role, Unit
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodStatus
from models.reporting.report import dispose, report_to_kepala
from models.store.database import session_scope
from tests.conftest import office_moment

PEOPLE = {130: (Role.STAF, "Bidang Pelayanan Perizinan"), 103: (Role.SEKRETARIS, "Sekretariat"),
          102: (Role.KEPALA, None)}
VALUES = {"P.1": 100, "P.2": 95, "P.3": 7}


@pytest.fixture
def office(engine):
    """The demo PK with only Pelayanan Perizinan's indicators active (a one-unit month), its staf, the Sekretaris
    and the Kepala Dinas, and January 2026 open."""
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
        units = {u.name: u for u in session.exec(select(Unit))}
        office_unit = next(u for u in units.values() if u.parent_id is None)
        for telegram_id, (role, unit) in PEOPLE.items():
            _, token = create_invite(session, role, units[unit] if unit else office_unit, Actor.cli(),
                                     now=system_clock())
            accept_invite(session, token, telegram_id, f"member {telegram_id}", "id", now=system_clock())
        for indicator in session.exec(select(Indicator)):
            indicator.active = indicator.code in VALUES
            session.add(indicator)
        session.add(Period(kind=PeriodKind.MONTH, year=2026, number=1, status=PeriodStatus.OPEN))
    return engine


def people(session) -> tuple[Member, Member, Member]:
    def get(telegram_id: int) -> Member:
        return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()
    return get(130), get(103), get(102)


def approved_month(session) -> tuple[Period, UnitForm]:
    staf, sekretaris, _ = people(session)
    period = session.exec(select(Period)).one()
    for code, value in VALUES.items():
        record_value(session, staf, session.exec(select(Indicator).where(Indicator.code == code)).one(), period,
                     Decimal(value), now=system_clock())
    form = form_for(session, staf.unit_id, period.id)
    submit_unit_form(session, staf, form.id, form.version, now=system_clock())
    approve_unit_form(session, sekretaris, form.id, form.version, now=system_clock())
    return period, form


def indicator_id(session, code: str) -> int:
    return session.exec(select(Indicator).where(Indicator.code == code)).one().id


def test_after_the_report_no_value_can_be_unlocked_and_the_disposition_covers_approved_data(office):
    """Given the month approved and reported to the Kepala Dinas, when staf ask to unlock P.2, then refused;
    and the disposition archives the period."""
    with session_scope(office) as session:
        staf, sekretaris, kepala = people(session)
        period, form = approved_month(session)
        report_to_kepala(session, sekretaris, period.id, now=system_clock())
        with pytest.raises(WorkflowError) as refused:
            request_unlock(session, staf, form.id, indicator_id(session, "P.2"), now=system_clock())
        assert refused.value.code == "already_reported_locked"
        dispose(session, kepala, period.id, DispositionDecision.AGREE, now=system_clock())
        assert PeriodStatus(period.status) is PeriodStatus.ARCHIVED


def test_an_unlock_granted_before_the_disposition_blocks_it_until_approved_again(office):
    """Given an unlock granted after approval (before the report), then reporting is refused until the form is
    approved again."""
    with session_scope(office) as session:
        staf, sekretaris, _ = people(session)
        period, form = approved_month(session)
        request = request_unlock(session, staf, form.id, indicator_id(session, "P.2"), now=system_clock())
        decide_unlock(session, sekretaris, request.id, grant=True, now=system_clock())
        with pytest.raises(WorkflowError) as refused:
            report_to_kepala(session, sekretaris, period.id, now=system_clock())
        assert refused.value.code == "not_all_approved"


def test_a_second_unlock_granted_while_the_form_is_back_with_the_unit_joins_the_first(office):
    """Given unlocks asked for P.1 and P.2, when both are granted, then the returned form carries both items,
    only those two may change, and no request stays pending."""
    with session_scope(office) as session:
        staf, sekretaris, _ = people(session)
        period, form = approved_month(session)
        first = request_unlock(session, staf, form.id, indicator_id(session, "P.1"), now=system_clock())
        second = request_unlock(session, staf, form.id, indicator_id(session, "P.2"), now=system_clock())
        decide_unlock(session, sekretaris, first.id, grant=True, now=system_clock())
        decide_unlock(session, sekretaris, second.id, grant=True, now=system_clock())
        assert {r.status for r in session.exec(select(UnlockRequest))} == {UnlockStatus.GRANTED}
        items = {item.indicator_id for item in session.exec(select(ReviewItem))}
        assert items == {indicator_id(session, "P.1"), indicator_id(session, "P.2")}
        assert FormStatus(form.status) is FormStatus.RETURNED
        check_fillable(session, period, form, indicator_id(session, "P.2"))
        with pytest.raises(WorkflowError) as refused:
            check_fillable(session, period, form, indicator_id(session, "P.3"))
        assert refused.value.code == "not_returned_item"


def test_a_closed_period_refuses_values_from_old_buttons(office):
    with session_scope(office) as session:
        staf, _, _ = people(session)
        period = session.exec(select(Period)).one()
        period.status = PeriodStatus.CLOSED
        session.add(period)
        with pytest.raises(WorkflowError) as refused:
            record_value(session, staf, session.exec(select(Indicator).where(Indicator.code == "P.1")).one(),
                         period, Decimal(100), now=system_clock())
        assert refused.value.code == "period_closed"


def test_an_excel_import_sends_only_complete_forms_and_tells_the_sekretaris(office, tmp_path):
    """Given a file with P.1 below target and no kendala, then the form stays a draft with P.1 listed; with
    kendala and tindak lanjut for P.1 and the other two values, it is sent and the Sekretaris is told once."""
    path = tmp_path / "r.csv"
    path.write_text("kode;periode;realisasi;kendala;tindak_lanjut\nP.1;2026-01;80;;\n", encoding="utf-8")
    with session_scope(office) as session:
        summary = import_realisasi(session, path, Actor.cli(), office_moment(date(2026, 11, 24)))
        assert summary.forms_submitted == []
        assert summary.forms_incomplete == [("Bidang Pelayanan Perizinan", "2026-01", ["P.1", "P.2", "P.3"])]
    path.write_text("kode;periode;realisasi;kendala;tindak_lanjut\nP.1;2026-01;80;Server OSS;Eskalasi\n"
                    "P.2;2026-01;95;;\nP.3;2026-01;7;;\n", encoding="utf-8")
    with session_scope(office) as session:
        summary = import_realisasi(session, path, Actor.cli(), office_moment(date(2026, 11, 24)))
        assert summary.forms_submitted == [("Bidang Pelayanan Perizinan", "2026-01")]
        sekretaris = people(session)[1]
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "review_request")).all()
        assert [row.member_id for row in rows] == [sekretaris.id]


def test_a_kendala_is_not_attached_to_a_value_a_colleague_changed_meanwhile(office):
    """The domain keeps revisions apart: a note is always a new revision of the current value; the chat asks
    the item again when the value changed under the member (see handlers/fill/flow.answer_note)."""
    with session_scope(office) as session:
        staf, _, _ = people(session)
        period = session.exec(select(Period)).one()
        p1 = session.exec(select(Indicator).where(Indicator.code == "P.1")).one()
        record_value(session, staf, p1, period, Decimal(80), now=system_clock())
        record_note(session, staf, p1, period, "kendala", "Server", now=system_clock())
        form = form_for(session, staf.unit_id, period.id)
        [item] = [i for i in form_items(session, form) if i.indicator.code == "P.1"]
        assert (item.current.value, item.current.kendala, item.current.revision) == (Decimal(80), "Server", 2)


def test_a_form_is_sent_only_as_its_sender_saw_it(office):
    """Given the form complete and its mark taken (what the staf was shown), when a value changes after it, then
    the submission with that mark is refused (FORM_CHANGED) and the change is named; with the new mark it goes;
    the same mark again, once sent, is refused as stale."""
    with session_scope(office) as session:
        staf, _, _ = people(session)
        period = session.exec(select(Period)).one()
        for code, value in VALUES.items():
            record_value(session, staf, session.exec(select(Indicator).where(Indicator.code == code)).one(),
                         period, Decimal(value), now=system_clock())
        form = form_for(session, staf.unit_id, period.id)
        seen = form_mark(session, form)
        p2 = session.get(Indicator, indicator_id(session, "P.2"))
        record_value(session, staf, p2, period, Decimal(90), now=system_clock())
        with pytest.raises(WorkflowError) as refused:
            submit_unit_form(session, staf, form.id, seen=seen, now=system_clock())
        assert refused.value.code is ErrorCode.FORM_CHANGED
        [edit] = edits_since(session, form, seen)
        assert (edit.indicator.code, edit.old.value, edit.new.value, edit.by) == ("P.2", 95, 90, [staf.name])
        assert FormStatus(form.status) is FormStatus.DRAFT

        seen = form_mark(session, form)
        submit_unit_form(session, staf, form.id, seen=seen, now=system_clock())
        assert FormStatus(form.status) is FormStatus.SUBMITTED
        with pytest.raises(WorkflowError) as again:
            submit_unit_form(session, staf, form.id, seen=seen, now=system_clock())
        assert again.value.code is ErrorCode.STALE
