"""What a resubmitted form shows the Sekretaris (SOP step 10 again): only what changed since the return, values
compared as numbers, notes and evidence named, and a returned indicator left as it was said so."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from handlers.review.views import change_line
from models.collection.form_filling import attach_evidence, attach_evidence_text, keep_value, record_note, record_value
from models.collection.realisasi import EvidenceKind
from models.collection.review import changes_since_return, return_unit_form, submit_unit_form
from models.collection.workflow import form_for
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.office.audit import Actor
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Member, Role, Unit
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodStatus
from models.store.database import session_scope
from tests.conftest import office_moment

START = office_moment(date(2026, 2, 3))
VALUES = {"P.1": 100, "P.2": 95, "P.3": 7}


class Ticking:
    """A clock that moves a second at each reading (every step happens after the one before)."""

    def __init__(self) -> None:
        self.moment = START

    def __call__(self):
        self.moment += timedelta(seconds=1)
        return self.moment


@pytest.fixture
def returned(engine):
    """Pelayanan Perizinan's January 2026 form (P.1 100, P.2 95, P.3 7) sent, then returned with every indicator."""
    clock = Ticking()
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
        units = {u.name: u for u in session.exec(select(Unit))}
        for telegram_id, role, unit in ((130, Role.STAF, "Bidang Pelayanan Perizinan"),
                                        (103, Role.SEKRETARIS, "Sekretariat")):
            _, token = create_invite(session, role, units[unit], Actor.cli(), now=clock())
            accept_invite(session, token, telegram_id, f"member {telegram_id}", "id", now=clock())
        for row in session.exec(select(Indicator)):
            row.active = row.code in VALUES
            session.add(row)
        session.add(Period(kind=PeriodKind.MONTH, year=2026, number=1, status=PeriodStatus.OPEN))
    with session_scope(engine) as session:
        staf, sekretaris = member(session, 130), member(session, 103)
        period = session.exec(select(Period)).one()
        for code, value in VALUES.items():
            record_value(session, staf, indicator(session, code), period, Decimal(value), now=clock())
        form = form_for(session, staf.unit_id, period.id)
        submit_unit_form(session, staf, form.id, form.version, now=clock())
        return_unit_form(session, sekretaris, form.id, form.version,
                         [indicator(session, code).id for code in VALUES], "Periksa lagi", now=clock())
    return engine, clock


def member(session, telegram_id: int) -> Member:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()


def indicator(session, code: str) -> Indicator:
    return session.exec(select(Indicator).where(Indicator.code == code)).one()


def resubmit(session, clock):
    staf = member(session, 130)
    form = form_for(session, staf.unit_id, session.exec(select(Period)).one().id)
    submit_unit_form(session, staf, form.id, form.version, now=clock())
    return {change.indicator.code: change for change in changes_since_return(session, form)}


def test_only_what_changed_is_shown_value_notes_and_evidence(returned):
    engine, clock = returned
    with session_scope(engine) as session:
        staf, period = member(session, 130), session.exec(select(Period)).one()
        record_value(session, staf, indicator(session, "P.1"), period, Decimal(105), now=clock())
        keep_value(session, staf, indicator(session, "P.2"), period, now=clock())
        record_note(session, staf, indicator(session, "P.2"), period, "kendala", "Server OSS gangguan", now=clock())
        keep_value(session, staf, indicator(session, "P.3"), period, now=clock())
        attach_evidence(session, staf, indicator(session, "P.3"), period, kind="photo", telegram_file_id="f1",
                        file_name=None, mime_type="image/jpeg", stored_path=None, now=clock())
        changes = resubmit(session, clock)

        assert list(changes) == ["P.1", "P.2", "P.3"]
        assert changes["P.1"].value_changed and not changes["P.1"].kendala_changed and not changes["P.1"].evidence
        assert (changes["P.1"].old.value, changes["P.1"].new.value) == (Decimal(100), Decimal(105))
        assert changes["P.2"].kendala_changed and not changes["P.2"].value_changed
        assert changes["P.3"].evidence == [EvidenceKind.PHOTO] and not changes["P.3"].value_changed

        lines = {code: change_line(change, "id") for code, change in changes.items()}
        p1 = indicator(session, "P.1")
        assert lines["P.1"] == f"• <b>P.1</b>: 100 → 105 {p1.satuan}"
        assert lines["P.2"] == "• <b>P.2</b>: kendala diubah"
        assert lines["P.3"] == "• <b>P.3</b>: +1 bukti (foto)"


def test_a_returned_indicator_left_as_it_was_says_no_change(returned):
    """92 typed again as 100,0 is the same value; a note typed again word for word is the same note."""
    engine, clock = returned
    with session_scope(engine) as session:
        staf, period = member(session, 130), session.exec(select(Period)).one()
        record_value(session, staf, indicator(session, "P.1"), period, Decimal("100.0"), now=clock())
        keep_value(session, staf, indicator(session, "P.2"), period, now=clock())
        record_value(session, staf, indicator(session, "P.3"), period, Decimal(6), now=clock())
        attach_evidence(session, staf, indicator(session, "P.3"), period, kind="photo", telegram_file_id="f1",
                        file_name=None, mime_type="image/jpeg", stored_path=None, now=clock())
        attach_evidence(session, staf, indicator(session, "P.3"), period, kind="photo", telegram_file_id="f2",
                        file_name=None, mime_type="image/jpeg", stored_path=None, now=clock())
        attach_evidence_text(session, staf, indicator(session, "P.3"), period, "https://drive.example/x",
                             now=clock())
        changes = resubmit(session, clock)

        assert not changes["P.1"].changed and not changes["P.2"].changed
        assert change_line(changes["P.1"], "id") == "• <b>P.1</b>: tidak ada perubahan"
        assert change_line(changes["P.2"], "id") == "• <b>P.2</b>: tidak ada perubahan"
        p3 = indicator(session, "P.3")
        assert change_line(changes["P.3"], "id") == (f"• <b>P.3</b>: 7 → 6 {p3.satuan}; "
                                                     "+3 bukti (2 foto, tautan)")
