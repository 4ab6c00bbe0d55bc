"""Acting officials (Plt/Plh): named for a range of days, they hold the office's rights and get its cards within
the range (inclusive, office time) and nothing after it, without anyone ending it; overlapping namings of one
office are refused, naming who they overlap with; the audit records the capacity someone acted in."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from models.calc.clock import OFFICE_TZ, system_clock
from models.collection.form_filling import record_value
from models.collection.review import approve_unit_form, submit_unit_form
from models.collection.workflow import form_for
from models.demo import DEMO_PK
from models.errors import DateWordsCode, ErrorCode, WorkflowError
from models.exchange.pk_import import import_pk
from models.messaging.notices import ReviewRequest
from models.messaging.outbox import OutboxMessage
from models.office.acting import acting_member
from models.office.acting_officials import (
    ActingKind,
    acting_at,
    appoint,
    current_and_planned,
    end_acting,
    holders_of,
    last_day,
)
from models.office.audit import Actor, AuditEntry
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Member, Role, Unit
from models.office.permissions import Action, require, roles_of_member
from models.plan.date_words import DateWordsError, parse_date_words
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodStatus
from models.store.database import session_scope
from models.timing.schedule import ScheduleRules
from reports.laporan_data import _period_reviews
from reports.letterhead import Signatory
from reports.signatories import signatory_of
from reports.wording import holder_of, office_title_of, title_of
from tests.conftest import office_moment

PEOPLE = {130: (Role.STAF, "Bidang Pelayanan Perizinan", "Sari"), 103: (Role.SEKRETARIS, "Sekretariat", "Hendra"),
          102: (Role.KEPALA, None, "Ratna"), 131: (Role.KABID, "Bidang Penanaman Modal", "Budi"),
          132: (Role.STAF, "Sekretariat", "Wati")}
VALUES = {"P.1": 100, "P.2": 95, "P.3": 7}
JAN_10, JAN_20 = date(2027, 1, 10), date(2027, 1, 20)


@pytest.fixture
def office(engine):
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
        units = {u.name: u for u in session.exec(select(Unit))}
        office_unit = next(u for u in units.values() if u.parent_id is None)
        for telegram_id, (role, unit, name) in PEOPLE.items():
            _, token = create_invite(session, role, units[unit] if unit else office_unit, Actor.cli(),
                                     now=system_clock())
            accept_invite(session, token, telegram_id, name, "id", now=system_clock())
        for indicator in session.exec(select(Indicator)):
            indicator.active = indicator.code in VALUES
            session.add(indicator)
        session.add(Period(kind=PeriodKind.MONTH, year=2026, number=12, status=PeriodStatus.OPEN))
    return engine


def person(session, telegram_id: int) -> Member:
    return session.exec(select(Member).where(Member.telegram_user_id == telegram_id)).one()


def name_budi(session, starts=JAN_10, ends=JAN_20, kind=ActingKind.PLH, office=Role.SEKRETARIS, now=None):
    return appoint(session, Actor.cli(), office, person(session, 131).id, kind, starts, ends, tz=OFFICE_TZ,
                   now=now or office_moment(date(2027, 1, 5)))


def test_the_range_is_inclusive_in_office_time_and_ends_by_itself(office):
    """Given Budi Plh Sekretaris 10–20 January, then he holds the office from the first minute of the 10th to the
    last minute of the 20th (Jakarta time), and from the 21st on without anyone ending it."""
    with session_scope(office) as session:
        name_budi(session)
        budi = person(session, 131)
        inside = [office_moment(JAN_10, 0), office_moment(JAN_20, 23).replace(minute=59, second=59)]
        outside = [office_moment(JAN_10, 0) - timedelta(seconds=1), office_moment(date(2027, 1, 21), 0)]
        for moment in inside:
            assert budi.id in [m.id for m in holders_of(session, Role.SEKRETARIS, moment)], moment
        for moment in outside:
            assert budi.id not in [m.id for m in holders_of(session, Role.SEKRETARIS, moment)], moment
        # the permanent Sekretaris still holds the office, and nobody acts as Kepala Dinas
        assert [m.name for m in holders_of(session, Role.SEKRETARIS, inside[0])] == ["Hendra", "Budi"]
        assert [m.name for m in holders_of(session, Role.KEPALA, inside[0])] == ["Ratna"]
    for moment, roles in [(inside[0], {Role.KABID, Role.SEKRETARIS}), (inside[1], {Role.KABID, Role.SEKRETARIS}),
                          (outside[0], {Role.KABID}), (outside[1], {Role.KABID})]:
        with session_scope(office) as session:  # the roles an update of his reads with him, at its moment
            assert roles_of_member(session, acting_member(session, 131, moment)) == roles, moment


def test_overlaps_are_refused_naming_the_other(office):
    """Given Budi Plh Sekretaris 10–20 January, then naming Wati Plt Sekretaris 20–25 January is refused, naming
    Budi and his days; 21–25 January is fine; and a Plt Kepala Dinas at the same time too."""
    with session_scope(office) as session:
        first = name_budi(session)
        wati = person(session, 132)
        with pytest.raises(WorkflowError) as refused:
            appoint(session, Actor.cli(), Role.SEKRETARIS, wati.id, ActingKind.PLT, JAN_20, date(2027, 1, 25),
                    tz=OFFICE_TZ, now=office_moment(date(2027, 1, 5)))
        assert refused.value.code is ErrorCode.ACTING_OVERLAP
        assert refused.value.details["name"] == "Budi" and refused.value.details["acting_id"] == first.id
        assert (refused.value.details["starts"], refused.value.details["ends"]) == (JAN_10, JAN_20)
        appoint(session, Actor.cli(), Role.SEKRETARIS, wati.id, ActingKind.PLT, date(2027, 1, 21),
                date(2027, 1, 25), tz=OFFICE_TZ, now=office_moment(date(2027, 1, 5)))
        appoint(session, Actor.cli(), Role.KEPALA, wati.id, ActingKind.PLT, JAN_10, JAN_20, tz=OFFICE_TZ,
                now=office_moment(date(2027, 1, 5)))


@pytest.mark.parametrize(("starts", "ends", "code"), [
    (JAN_20, JAN_10, ErrorCode.ACTING_DATES_REVERSED),
    (date(2027, 1, 1), date(2027, 1, 4), ErrorCode.ACTING_IN_PAST),
])
def test_days_that_cannot_be_are_refused(office, starts, ends, code):
    with session_scope(office) as session, pytest.raises(WorkflowError) as refused:
        name_budi(session, starts, ends)
    assert refused.value.code is code


def test_the_office_holder_is_not_named_acting_in_it(office):
    with session_scope(office) as session, pytest.raises(WorkflowError) as refused:
        appoint(session, Actor.cli(), Role.SEKRETARIS, person(session, 103).id, ActingKind.PLH, JAN_10, JAN_20,
                tz=OFFICE_TZ, now=office_moment(date(2027, 1, 5)))
    assert refused.value.code is ErrorCode.ACTING_HOLDS_OFFICE


def test_ending_early_keeps_the_past_and_frees_the_days(office):
    """Ended on the 15th at noon, Budi acted until then (the Laporan still names him for the 12th), not after;
    the rest of the range can be given to someone else; ending again is refused; a planned one ended before it
    begins never holds."""
    with session_scope(office) as session:
        acting = name_budi(session)
        budi = person(session, 131)
        end_acting(session, Actor.cli(), acting.id, now=office_moment(date(2027, 1, 15), 12))
        assert acting_at(session, budi.id, office_moment(date(2027, 1, 12))) is not None
        assert acting_at(session, budi.id, office_moment(date(2027, 1, 15), 13)) is None
        assert last_day(acting, OFFICE_TZ) == date(2027, 1, 15)
        with pytest.raises(WorkflowError) as refused:
            end_acting(session, Actor.cli(), acting.id, now=office_moment(date(2027, 1, 16)))
        assert refused.value.code is ErrorCode.ACTING_ENDED
        later = appoint(session, Actor.cli(), Role.SEKRETARIS, person(session, 132).id, ActingKind.PLH,
                        date(2027, 1, 16), JAN_20, tz=OFFICE_TZ, now=office_moment(date(2027, 1, 15), 13))
        assert current_and_planned(session, office_moment(date(2027, 1, 15), 13)) == [later]
        end_acting(session, Actor.cli(), later.id, now=office_moment(date(2027, 1, 15), 14))
        assert acting_at(session, later.member_id, office_moment(date(2027, 1, 17))) is None
        actions = [e.action for e in session.exec(select(AuditEntry).where(AuditEntry.entity == "acting_official"))]
        assert actions == ["acting.appoint", "acting.end", "acting.appoint", "acting.end"]


def test_the_acting_official_reviews_in_range_named_by_capacity_and_is_refused_after(office):
    """Given Budi (a Kepala Bidang) Plh Sekretaris 10–20 January: a form submitted on the 12th sends him the
    review card, he approves it, the audit records "plh.sekretaris" and the wording names "Plh. Sekretaris Budi";
    on the 21st his roles are his own again, a submission sends him nothing and his approval is refused."""
    with session_scope(office) as session:
        name_budi(session)
    on_12th, on_21st = office_moment(date(2027, 1, 12)), office_moment(date(2027, 1, 21))
    with session_scope(office) as session:
        staf = person(session, 130)
        period = session.exec(select(Period)).one()
        for code, value in VALUES.items():
            record_value(session, staf, session.exec(select(Indicator).where(Indicator.code == code)).one(), period,
                         Decimal(value), now=on_12th)
        form = form_for(session, staf.unit_id, period.id)
        submit_unit_form(session, staf, form.id, form.version, now=on_12th)
        form_id, version = form.id, form.version
        budi_id = person(session, 131).id
        assert session.exec(select(OutboxMessage).where(OutboxMessage.member_id == budi_id,
                                                        OutboxMessage.kind == ReviewRequest.kind)).first() is not None
    with session_scope(office) as session:
        budi = acting_member(session, 131, on_12th)
        assert Role.SEKRETARIS in roles_of_member(session, budi)
        approve_unit_form(session, budi, form_id, version, now=on_12th)
    with session_scope(office) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "form.approved")).one()
        assert (entry.actor_member_id, entry.acting_as) == (budi_id, "plh.sekretaris")
        assert title_of(session, budi_id, entry.at, "id", Role.SEKRETARIS) == "Plh. Sekretaris Budi"
        assert title_of(session, budi_id, entry.at, "en", Role.KEPALA) == "Budi"
        assert title_of(session, budi_id, on_21st, "id") == "Budi"
        assert office_title_of(session, budi_id, entry.at, "id", Role.SEKRETARIS) == "Plh. Sekretaris Budi"
        assert office_title_of(session, person(session, 103), entry.at, "id", Role.SEKRETARIS) == "Sekretaris Hendra"
        assert holder_of(session, budi_id, entry.at, "en", Role.SEKRETARIS) == "Plh. Secretary Budi"
        assert holder_of(session, person(session, 103).id, entry.at, "en", Role.SEKRETARIS) == "the Sekretaris"
        [line] = _period_reviews(session, session.exec(select(Period)).one(), ScheduleRules(), "id")
        assert " — Plh. Sekretaris Budi, Bidang Pelayanan Perizinan: disetujui" in line  # the Laporan's review
        own = session.exec(select(AuditEntry).where(AuditEntry.actor_member_id == person(session, 130).id)).all()
        assert own and all(e.acting_as is None for e in own)  # a member acting in no office: no capacity
    with session_scope(office) as session:
        budi = acting_member(session, 131, on_21st)
        assert roles_of_member(session, budi) == {Role.KABID}
        with pytest.raises(WorkflowError) as refused:
            require(session, budi, Action.REVIEW_FORM)
        assert refused.value.code is ErrorCode.FORBIDDEN
        assert [m.name for m in holders_of(session, Role.SEKRETARIS, on_21st)] == ["Hendra"]


@pytest.mark.parametrize(("typed", "day"), [
    ("10 Januari 2027", JAN_10), ("10 januari 2027", JAN_10), ("10 jan 2027", JAN_10), ("2027-01-10", JAN_10),
    ("10/01/2027", JAN_10), ("10-1-2027", JAN_10), ("January 10, 2027", JAN_10), ("10 January 2027", JAN_10),
    ("  10   Jan  2027 ", JAN_10), ("10 Januari", JAN_10), ("5 Desember", date(2027, 12, 5)),
    ("hari ini", date(2026, 12, 6)), ("besok", date(2026, 12, 7)), ("20 Desember", date(2026, 12, 20)),
])
def test_days_as_people_type_them(typed, day):
    assert parse_date_words(typed, date(2026, 12, 6)) == day


@pytest.mark.parametrize(("typed", "code"), [
    ("kemarin sore", DateWordsCode.UNKNOWN), ("31 Februari 2027", DateWordsCode.NO_SUCH_DAY),
    ("2027-13-01", DateWordsCode.UNKNOWN), ("", DateWordsCode.UNKNOWN),
])
def test_days_that_name_no_day_are_refused(typed, code):
    with pytest.raises(DateWordsError) as refused:
        parse_date_words(typed, date(2026, 12, 6))
    assert refused.value.code is code


def test_the_audit_names_the_appointment(office):
    with session_scope(office) as session:
        acting = name_budi(session)
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "acting.appoint")).one()
        assert entry.entity_id == acting.id and entry.actor == "cli"
        assert json.loads(entry.after) == {"office": "sekretaris", "member_id": person(session, 131).id,
                                           "kind": "plh", "starts_on": "2027-01-10", "ends_on": "2027-01-20"}


def test_documents_made_while_a_plh_acts_are_signed_by_the_plh(office):
    """Given Budi Plh Sekretaris 10–20 January and the Sekretaris configured in the settings, then a document made
    on 15 January is verified by "Plh. Sekretaris Budi", and one made on the 21st by the configured Sekretaris."""
    configured = Signatory("Sekretaris", "Hendra, S.E.", "19700101 199503 1 001")
    with session_scope(office) as session:
        name_budi(session)
        during = signatory_of(session, Role.SEKRETARIS, configured, office_moment(date(2027, 1, 15), 9), "id")
        after = signatory_of(session, Role.SEKRETARIS, configured, office_moment(date(2027, 1, 21), 9), "id")
        kepala = signatory_of(session, Role.KEPALA, Signatory("Kepala Dinas", "Ratna"),
                              office_moment(date(2027, 1, 15), 9), "id")
    assert during == Signatory("Plh. Sekretaris", "Budi")
    assert after == configured and kepala == Signatory("Kepala Dinas", "Ratna")
