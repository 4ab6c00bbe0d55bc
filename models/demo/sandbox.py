"""The sandbox's office: the demo Perjanjian Kinerja, a person for every role, a finished triwulan and a month
in progress, all made through the same domain calls the chat uses, and dated from today (`story_at`).

The story a visitor walks into: last month is open, due on the 10th of this one (as the SOP has it); the last
triwulan that ended before it is done (entered, approved, reported, disposed and archived, so the Tim SAKIP's
Pengukuran Kinerja of it is ready to prepare), and so is every month between, so the open month's form shows
last period and year-to-date figures; three units have sent the open month's form to the Sekretaris, and the
Bidang Pelayanan Perizinan has not started yet: its staff member fills it in the browser, the Sekretaris approves
the four forms and reports to the Kepala Dinas, who receives the charts and gives a disposition.

The demo files hold one year's PK and one triwulan's realisasi (2026, Triwulan I); the story's years and months
are made from them: the PK for every year the story touches, each month's values from the same month of the
file's triwulan (its first, second or third), a triwulan's values from the file's triwulan.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from models.collection.form_filling import form_items, missing_items, record_note, record_value
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
UNFILLED_UNIT = "Bidang Pelayanan Perizinan"  # left for the visitor
DUE_DAY = 10  # the open month's form is due on this day of the month after it (SOP step 7)
DEMO_YEAR, DEMO_QUARTER = 2026, 1  # what the demo files hold


@dataclass(frozen=True)
class SandboxStory:
    """The story's dates, from the day the sandbox starts."""

    open_month: PeriodRef  # last month, being collected
    due: date  # the 10th of this month
    archived: PeriodRef  # the last triwulan ended before the open month: done, its measurement ready
    done_months: tuple[PeriodRef, ...]  # the archived triwulan's months and every month after it, before the open one

    @property
    def years(self) -> list[int]:
        """The years whose PK the story needs."""
        return sorted({self.archived.year, self.open_month.year})


def _month_before(year: int, month: int) -> PeriodRef:
    return PeriodRef(PeriodKind.MONTH, year - 1, 12) if month == 1 else PeriodRef(PeriodKind.MONTH, year, month - 1)


def story_at(today: date) -> SandboxStory:
    """E.g. 15 March 2027: Februari 2027 open, due 10 March 2027; Triwulan IV 2026 archived, January 2027 too."""
    open_month = _month_before(today.year, today.month)
    quarter = open_month.quarter - 1
    archived = (PeriodRef(PeriodKind.QUARTER, open_month.year, quarter) if quarter else
                PeriodRef(PeriodKind.QUARTER, open_month.year - 1, 4))
    done, month = [], PeriodRef(PeriodKind.MONTH, archived.year, archived.months[0])
    while month != open_month:
        done.append(month)
        month = (PeriodRef(PeriodKind.MONTH, month.year + 1, 1) if month.number == 12 else
                 PeriodRef(PeriodKind.MONTH, month.year, month.number + 1))
    return SandboxStory(open_month, date(today.year, today.month, DUE_DAY), archived, tuple(done))


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    return rows[0], rows[1:]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _pk_of_year(folder: Path, year: int) -> Path:
    """The demo PK as the PK of `year` (the same indicators and targets)."""
    header, rows = _read_csv(DEMO_PK)
    column = header.index("tahun")
    for row in rows:
        row[column] = str(year)
    return _write_csv(folder / f"pk_{year}.csv", header, rows)


def _realisasi_of(folder: Path, story: SandboxStory) -> Path:
    """The demo realisasi moved to the story's done months and archived triwulan."""
    header, rows = _read_csv(DEMO_REALISASI)
    column = header.index("periode")
    demo_triwulan = f"{DEMO_YEAR}-TW{DEMO_QUARTER}"
    first_month = (DEMO_QUARTER - 1) * 3 + 1
    moved = []
    for row in rows:
        if row[column] == demo_triwulan:
            moved.append([*row[:column], story.archived.code, *row[column + 1:]])
            continue
        position = int(row[column].split("-")[1]) - first_month  # 0, 1 or 2: which month of the triwulan
        moved += [[*row[:column], month.code, *row[column + 1:]] for month in story.done_months
                  if (month.number - 1) % 3 == position]
    return _write_csv(folder / "realisasi.csv", header, moved)


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

# The open month as sent by three units: (indicator code, realisasi, kendala, tindak lanjut); K.3 is below target.
OPEN_MONTH_SENT: dict[str, list[tuple[str, Decimal, str | None, str | None]]] = {
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


# What a unit says of a value below its target that the demo file gives no words for (a month of the file's
# Triwulan I moved to later in the year can fall short of the year's path).
BELOW_TARGET = {"kendala": "Capaian belum mengikuti target tahun berjalan",
                "tindak_lanjut": "Percepatan kegiatan pada bulan berikutnya"}


def _with_notes_where_needed(session: Session, realisasi: Path, now: datetime) -> Path:
    """The file with kendala and tindak lanjut written where the import would leave a form a draft without them
    (tried in a savepoint, rolled back)."""
    savepoint = session.begin_nested()
    try:
        incomplete = {(period, code) for _, period, codes in
                      import_realisasi(session, realisasi, Actor.cli(), now).forms_incomplete for code in codes}
    finally:
        savepoint.rollback()
    header, rows = _read_csv(realisasi)
    code, period = header.index("kode"), header.index("periode")
    for row in rows:
        if (row[period], row[code]) in incomplete:
            for field, text in BELOW_TARGET.items():
                row[header.index(field)] = row[header.index(field)] or text
    return _write_csv(realisasi, header, rows)


def _finish_done_periods(session: Session, realisasi: Path, now: datetime) -> None:
    """The done months' and the archived triwulan's values, each form approved, each period reported and
    disposed."""
    import_realisasi(session, _with_notes_where_needed(session, realisasi, now), Actor.cli(), now)
    sekretaris, kepala = member_by_telegram_id(session, 1002), member_by_telegram_id(session, 1001)
    periods = session.exec(select(Period)).all()
    for period in sorted(periods, key=lambda p: p.sort_key):
        for form in session.exec(select(UnitForm).where(UnitForm.period_id == period.id,
                                                        UnitForm.status == FormStatus.SUBMITTED)).all():
            approve_unit_form(session, sekretaris, form.id, form.version, now=now)
        report_to_kepala(session, sekretaris, period.id, now=now)
        dispose(session, kepala, period.id, DispositionDecision.AGREE, now=now)
    # That happened before the bot came: nobody is notified of it, except that the Tim SAKIP's Pengukuran
    # Kinerja of the archived triwulan is ready.
    session.exec(sa.delete(OutboxMessage).where(OutboxMessage.kind != "measurement_ready"))


def _send_open_month(session: Session, period: Period, now: datetime) -> None:
    units = {unit.name: unit for unit in session.exec(select(Unit))}
    staff = {person.unit: person.telegram_id for person in DEMO_PEOPLE if person.role is Role.STAF}
    for unit_name, values in OPEN_MONTH_SENT.items():
        member = member_by_telegram_id(session, staff[unit_name])
        for code, value, kendala, tindak_lanjut in values:
            indicator = session.exec(select(Indicator).where(Indicator.code == code)).one()
            record_value(session, member, indicator, period, value, now=now)
            if kendala:
                record_note(session, member, indicator, period, "kendala", kendala, now=now)
            if tindak_lanjut:
                record_note(session, member, indicator, period, "tindak_lanjut", tindak_lanjut, now=now)
        form = form_for(session, units[unit_name].id, period.id)
        for item in missing_items(form_items(session, form)):  # below the year's path at this time of year
            for field, needed in (("kendala", item.needs_kendala), ("tindak_lanjut", item.needs_tindak_lanjut)):
                if needed:
                    record_note(session, member, item.indicator, period, field, BELOW_TARGET[field], now=now)
        submit_unit_form(session, member, form.id, now=now)


def seed_sandbox(session: Session, now: datetime) -> Period:
    """Fill an empty database with the sandbox's office at `now` (the office's time), its story dated from that
    day (`story_at`); returns the open period."""
    story = story_at(now.date())
    office = ensure_office(session, Actor.cli(), SANDBOX_OFFICE)
    with tempfile.TemporaryDirectory(prefix="sakip-demo-") as folder:
        for year in story.years:
            import_pk(session, _pk_of_year(Path(folder), year), Actor.cli())
        _add_people(session, office, now)
        _finish_done_periods(session, _realisasi_of(Path(folder), story), now)
    period = open_period(session, member_by_telegram_id(session, 1003), story.open_month, story.due, now=now)
    _send_open_month(session, period, now)
    return period
