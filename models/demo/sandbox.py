"""The sandbox's office: the demo Perjanjian Kinerja, a person for every role, a finished Triwulan I and an
April in progress, all made through the same domain calls the chat uses.

The story a visitor walks into: Triwulan I 2026 is done (entered, approved, reported, disposed and archived, so
the Tim SAKIP's Pengukuran Kinerja of Triwulan I is ready to prepare, and April's form shows last period and
year-to-date figures); April 2026 is open, three units have sent their form to the Sekretaris, and the Bidang
Pelayanan Perizinan has not started yet: its staff member fills it in the browser, the Sekretaris approves the
four forms and reports to the Kepala Dinas, who receives the charts and gives a disposition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, select

from models.collection.form_filling import record_note, record_value
from models.collection.forms import DispositionDecision, FormStatus, UnitForm
from models.collection.opening import open_period
from models.collection.review import approve_unit_form, submit_unit_form
from models.collection.workflow import form_for
from models.demo import DEMO_PK, DEMO_REALISASI
from models.exchange.pk_import import import_pk
from models.exchange.realisasi_import import import_realisasi
from models.messaging.outbox import OutboxMessage
from models.office.audit import Actor
from models.office.invites import accept_invite, create_invite, member_by_telegram_id
from models.office.organisation import Role, Unit, ensure_office
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodRef
from models.reporting.report import dispose, report_to_kepala

SANDBOX_OFFICE = "DPMPTSP Kabupaten Contoh"
OPEN_MONTH = PeriodRef(PeriodKind.MONTH, 2026, 4)
UNFILLED_UNIT = "Bidang Pelayanan Perizinan"  # left for the visitor


@dataclass(frozen=True)
class DemoPerson:
    telegram_id: int
    name: str
    role: Role
    unit: str | None  # None: the office itself


DEMO_PEOPLE = (
    DemoPerson(1001, "Ratna (Kepala Dinas)", Role.KEPALA, None),
    DemoPerson(1002, "Hendra (Sekretaris)", Role.SEKRETARIS, "Sekretariat"),
    DemoPerson(1003, "Maya (Tim SAKIP)", Role.TIM_SAKIP, "Sekretariat"),
    DemoPerson(1004, "Sari (Staf Sekretariat)", Role.STAF, "Sekretariat"),
    DemoPerson(1011, "Bambang (Kabid Penanaman Modal)", Role.KABID, "Bidang Penanaman Modal"),
    DemoPerson(1012, "Dewi (Staf Penanaman Modal)", Role.STAF, "Bidang Penanaman Modal"),
    DemoPerson(1021, "Lestari (Kabid Pelayanan Perizinan)", Role.KABID, "Bidang Pelayanan Perizinan"),
    DemoPerson(1022, "Rina (Staf Pelayanan Perizinan)", Role.STAF, "Bidang Pelayanan Perizinan"),
    DemoPerson(1031, "Agus (Kabid Pengaduan)", Role.KABID, "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan"),
    DemoPerson(1032, "Yudi (Staf Pengaduan)", Role.STAF, "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan"),
    DemoPerson(1099, "Admin TI", Role.ADMIN, None),
)

# April 2026 as sent by three units: (indicator code, realisasi, kendala, tindak lanjut); K.3 is below target.
APRIL_SENT: dict[str, list[tuple[str, Decimal, str | None, str | None]]] = {
    "Sekretariat": [("SEK.1", Decimal("88"), None, None)],
    "Bidang Penanaman Modal": [
        ("S.1", Decimal("52000000000"), None, None),
        ("K.3", Decimal("4"), "Dua proyek menunggu persetujuan lingkungan",
         "Pendampingan penyusunan dokumen lingkungan"),
    ],
    "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan": [
        ("P.4", Decimal("100"), None, None),
        ("P.5", Decimal("4"), None, None),
    ],
}


def _add_people(session: Session, office: Unit, now: datetime) -> None:
    """Every demo person joins through a real one-time invitation, as people do."""
    units = {unit.name: unit for unit in session.exec(select(Unit))}
    for person in DEMO_PEOPLE:
        _, token = create_invite(session, person.role, units[person.unit] if person.unit else office, Actor.cli(),
                                 now=now)
        accept_invite(session, token, person.telegram_id, person.name, "id", now=now)


def _finish_triwulan_one(session: Session, now: datetime) -> None:
    """Triwulan I's values from the demo file, each form approved, each period reported and disposed."""
    import_realisasi(session, DEMO_REALISASI, Actor.cli(), now)
    sekretaris, kepala = member_by_telegram_id(session, 1002), member_by_telegram_id(session, 1001)
    periods = session.exec(select(Period).where(Period.year == OPEN_MONTH.year)).all()
    for period in sorted(periods, key=lambda p: p.sort_key):
        for form in session.exec(select(UnitForm).where(UnitForm.period_id == period.id,
                                                        UnitForm.status == FormStatus.SUBMITTED)).all():
            approve_unit_form(session, sekretaris, form.id, form.version, now=now)
        report_to_kepala(session, sekretaris, period.id, now=now)
        dispose(session, kepala, period.id, DispositionDecision.AGREE, now=now)
    # That happened before the bot came: nobody is notified of it, except that the Tim SAKIP's Pengukuran
    # Kinerja of Triwulan I is ready.
    session.exec(sa.delete(OutboxMessage).where(OutboxMessage.kind != "measurement_ready"))


def _send_april(session: Session, period: Period, now: datetime) -> None:
    units = {unit.name: unit for unit in session.exec(select(Unit))}
    staff = {person.unit: person.telegram_id for person in DEMO_PEOPLE if person.role is Role.STAF}
    for unit_name, values in APRIL_SENT.items():
        member = member_by_telegram_id(session, staff[unit_name])
        for code, value, kendala, tindak_lanjut in values:
            indicator = session.exec(select(Indicator).where(Indicator.code == code)).one()
            record_value(session, member, indicator, period, value, now=now)
            if kendala:
                record_note(session, member, indicator, period, "kendala", kendala, now=now)
            if tindak_lanjut:
                record_note(session, member, indicator, period, "tindak_lanjut", tindak_lanjut, now=now)
        submit_unit_form(session, member, form_for(session, units[unit_name].id, period.id).id, now=now)


def seed_sandbox(session: Session, now: datetime) -> Period:
    """Fill an empty database with the sandbox's office at `now` (the office's time); returns the open period
    (April 2026)."""
    office = ensure_office(session, Actor.cli(), SANDBOX_OFFICE)
    import_pk(session, DEMO_PK, Actor.cli())
    _add_people(session, office, now)
    _finish_triwulan_one(session, now)
    period = open_period(session, member_by_telegram_id(session, 1003), OPEN_MONTH, now.date() + timedelta(days=7),
                         now=now)
    _send_april(session, period, now)
    return period
