"""Exports say what the data is: approved values only, drafts on request and marked.

Given Bidang Penanaman Modal's January form approved (S.1 = 10 milyar) and its December form a draft (S.1 = 999
milyar with a junk kendala), when the year, the month or the unit's Formulir is exported, then only approved
values are in it; asked for the drafts too (`include_drafts`), every row they touch says "belum disetujui".
A form unlocked and returned after approval keeps the values it was approved with until approved again. The
Laporan's DRAF marks the same rows; the filed one holds approved values only.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.collection.forms import FormStatus
from models.collection.recap import compute_recap
from models.collection.workflow import approve_form, enter_realisasi, form_for, move_form, submit_form
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.office.audit import Actor
from models.office.organisation import Unit, ensure_office
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus, parse_scope
from models.reporting.archive import Procedure
from models.store.database import session_scope
from models.timing.schedule import ScheduleRules
from reports.data_export import DATA_COLUMNS
from reports.export_kinds import ExportKind, includes_drafts
from reports.laporan_data import laporan_file, period_laporan
from reports.letterhead import Letterhead
from reports.workbooks import export_files
from tests.conftest import office_moment

BILLION = Decimal(1_000_000_000)
JUNK = "asdf kendala uji"
UNIT = "Bidang Penanaman Modal"
MARK = "belum disetujui"
UNAPPROVED = "belum_disetujui"  # the data export's `status`


def at(day: int, month: int = 2, hour: int = 9) -> datetime:
    return office_moment(date(2026, month, day), hour)


def indicator(session: Session, code: str) -> Indicator:
    return session.exec(select(Indicator).where(Indicator.code == code)).one()


def month(session: Session, number: int) -> Period:
    period = Period(kind=PeriodKind.MONTH, year=2026, number=number, status=PeriodStatus.OPEN)
    session.add(period)
    session.flush()
    return period


@pytest.fixture
def office(engine: Engine) -> Engine:
    """January approved (S.1 = 10 milyar), December a draft (S.1 = 999 milyar and a junk kendala)."""
    with session_scope(engine) as session:
        ensure_office(session, Actor.cli(), "DPMPTSP Kabupaten Pesisir Selatan")
        import_pk(session, DEMO_PK, Actor.cli())
        s1 = indicator(session, "S.1")
        january, december = month(session, 1), month(session, 12)
        enter_realisasi(session, s1, january, 10 * BILLION, Actor.cli(), now=at(3))
        form = form_for(session, s1.unit_id, january.id)
        submit_form(session, form, Actor.cli(), now=at(4))
        session.flush()  # the approval re-reads the form under its lock
        approve_form(session, form, Actor.cli(), now=at(5))
        enter_realisasi(session, s1, december, 999 * BILLION, Actor.cli(), kendala=JUNK, now=at(3, 12))
    return engine


def export(engine: Engine, scope: str, kind: ExportKind, include_drafts: bool = False, unit: str | None = None):
    with session_scope(engine) as session:
        unit_id = session.exec(select(Unit.id).where(Unit.name == unit)).one() if unit else None
        files = export_files(session, parse_scope(scope), kind, "id", unit_id, today=date(2026, 12, 20),
                             include_drafts=include_drafts)
    return {file.filename: load_workbook(io.BytesIO(file.data)) for file in files if file.filename.endswith(".xlsx")}


def kertas_kerja(engine: Engine, scope: str, include_drafts: bool = False) -> tuple[tuple, dict[str, dict]]:
    """The rows of the data export (the Kertas Kerja's values under fixed columns), by code."""
    workbook = export(engine, scope, ExportKind.DATA, include_drafts)[f"data-{scope}.xlsx"]
    rows = list(workbook.active.iter_rows(values_only=True))
    header = rows[0]
    return header, {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:] if row[1] is not None}


def unlock_and_change(engine: Engine, value: Decimal) -> None:
    """The Sekretaris grants January's unlock (the form is returned) and the unit enters a new value."""
    with session_scope(engine) as session:
        s1 = indicator(session, "S.1")
        january = session.exec(select(Period).where(Period.kind == PeriodKind.MONTH, Period.number == 1)).one()
        form = form_for(session, s1.unit_id, january.id)
        move_form(session, form, FormStatus.RETURNED, Actor.cli(), None, now=at(10), unlock=True)
        enter_realisasi(session, s1, january, value, Actor.cli(), now=at(11))


def test_the_year_holds_approved_values_only_and_drafts_on_request_marked(office):
    header, rows = kertas_kerja(office, "2026")
    assert header == DATA_COLUMNS
    assert rows["S.1"]["realisasi"] == 10 * BILLION  # January only: December was never approved
    assert rows["S.1"]["kendala"] is None  # nor its kendala
    assert {row["status"] for row in rows.values()} == {"disetujui", "kosong"}

    header, rows = kertas_kerja(office, "2026", include_drafts=True)
    assert header == DATA_COLUMNS  # the same columns: `status` says what is not approved
    assert rows["S.1"]["realisasi"] == 1009 * BILLION
    assert JUNK in rows["S.1"]["kendala"]
    assert rows["S.1"]["status"] == UNAPPROVED  # the row (its total and capaian) touched by December
    assert {code for code, row in rows.items() if row["status"] == UNAPPROVED} == {"S.1"}

    (workbook,) = export(office, "2026", ExportKind.KERTAS_KERJA, include_drafts=True).values()
    sheet = workbook.active
    assert sheet.cell(row=5, column=sheet.max_column).value == "Persetujuan"  # the Kertas Kerja marks its rows
    s1 = next(row for row in sheet.iter_rows(values_only=True) if row[1] == "S.1")
    assert s1[-1] == MARK


def test_the_month_of_the_draft_is_empty_by_default(office):
    _, rows = kertas_kerja(office, "2026-12")
    assert (rows["S.1"]["realisasi"], rows["S.1"]["capaian_persen"], rows["S.1"]["kendala"]) == (None, None, None)
    _, rows = kertas_kerja(office, "2026-01")
    assert rows["S.1"]["realisasi"] == 10 * BILLION


def test_the_rekapitulasi_marks_the_rows_and_says_what_the_mark_means(office):
    (workbook,) = export(office, "2026", ExportKind.REKAPITULASI).values()
    texts = {cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row}
    assert JUNK not in " ".join(str(text) for text in texts) and MARK not in texts

    (workbook,) = export(office, "2026", ExportKind.REKAPITULASI, include_drafts=True).values()
    indicators = workbook["Capaian Indikator"]
    s1 = next(row for row in indicators.iter_rows(values_only=True) if row[0] == "S.1")
    assert s1[-1] == MARK
    for sheet in workbook:
        assert any(str(cell.value).startswith("Belum disetujui: ") for row in sheet.iter_rows() for cell in row)


def test_a_form_returned_after_approval_keeps_its_approved_values(office):
    unlock_and_change(office, 20 * BILLION)

    _, rows = kertas_kerja(office, "2026-01")
    assert rows["S.1"]["realisasi"] == 10 * BILLION  # as approved, not the change under review
    _, rows = kertas_kerja(office, "2026-01", include_drafts=True)
    assert (rows["S.1"]["realisasi"], rows["S.1"]["status"]) == (20 * BILLION, UNAPPROVED)

    with session_scope(office) as session:  # approved again: the new value is the approved one
        form = form_for(session, indicator(session, "S.1").unit_id,
                        session.exec(select(Period).where(Period.number == 1)).one().id)
        submit_form(session, form, Actor.cli(), now=at(12))
        session.flush()
        approve_form(session, form, Actor.cli(), now=at(13))
    _, rows = kertas_kerja(office, "2026-01")
    assert rows["S.1"]["realisasi"] == 20 * BILLION


def formulir_rows(workbook) -> tuple[list, dict[str, dict]]:
    sheet = workbook["Formulir"]
    header = [cell.value for cell in sheet[8]]
    rows = {row[1]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=9, values_only=True)
            if row[1] is not None}
    return header, rows


def test_the_formulir_of_a_unit_with_a_draft(office):
    (workbook,) = export(office, "2026-12", ExportKind.FORMULIR, unit=UNIT).values()
    header, rows = formulir_rows(workbook)
    assert "Persetujuan" not in header
    assert (rows["S.1"]["Realisasi"], rows["S.1"]["Kendala"]) == (None, None)  # as the blank form

    (workbook,) = export(office, "2026-12", ExportKind.FORMULIR, include_drafts=True, unit=UNIT).values()
    header, rows = formulir_rows(workbook)
    assert header[-1] == "Persetujuan"
    assert (rows["S.1"]["Realisasi"], rows["S.1"]["Kendala"], rows["S.1"]["Persetujuan"]) == (
        999 * BILLION, JUNK, MARK)
    legend = [cell.value for row in workbook["Formulir"].iter_rows() for cell in row
              if str(cell.value).startswith("Belum disetujui: ")]
    assert len(legend) == 1

    (workbook,) = export(office, "2026-01", ExportKind.FORMULIR, include_drafts=True, unit=UNIT).values()
    _, rows = formulir_rows(workbook)  # approved: nothing marked
    assert rows["S.1"]["Realisasi"] == 10 * BILLION and rows["S.1"]["Persetujuan"] is None


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_the_draft_laporan_marks_the_rows_and_the_filed_one_holds_approved_values(office):
    rules = ScheduleRules()
    with session_scope(office) as session:
        draft = laporan_file(session, PeriodRef(PeriodKind.MONTH, 2026, 12), Procedure.COLLECTION, at(20, 12),
                             rules, "id", Letterhead())
        december = session.exec(select(Period).where(Period.number == 12)).one()
        filed = period_laporan(session, december, at(20, 12), rules, "id", Letterhead(office="Dinas"), draft=False)
        approved = compute_recap(session, december.ref, approved_only=True)
    assert draft.draft
    text = pdf_text(draft.data)
    assert MARK in text and "999.000.000.000" in text.replace(" ", "")
    assert "Baris bertanda belum disetujui" in text

    s1 = next(row for row in filed.rows if row.code == "S.1")
    assert not s1.unapproved and "999" not in s1.realisasi
    assert not any(row.unapproved for row in approved.rows)


def test_the_chat_spelling_of_drafts():
    assert includes_drafts("semua-data") and includes_drafts("Termasuk-Draf")
    assert not includes_drafts("semua") and not includes_drafts("2026")
