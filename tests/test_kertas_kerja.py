"""The Kertas Kerja Pengukuran Kinerja as an office hands it in, read back with openpyxl.

Given the demo PK of a DPMPTSP and its Triwulan I realisasi approved, when the Kertas Kerja is exported, then it
has the title, the instansi and the period on top; a two-tier header frozen and repeated on every printed page;
the indicators grouped tujuan → sasaran → program → kegiatan, each under its parent, with group rows in that
order; target, realisasi, capaian and category for the period and cumulatively (January to the period's end) in
the Rekapitulasi's number formats; the unit responsible, kendala, tindak lanjut and the evidence listed; A4
landscape fitted to the width; and below it the signatures of the Tim SAKIP, the Sekretaris and the Kepala Dinas
with the names and days of what each did (the settings' name, title and NIP for the same person), under the date
line "Painan, <day>"; with a kop configured, its lines on top.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.calc.clock import OFFICE_TZ
from models.collection.forms import DispositionDecision, FormStatus, UnitForm
from models.collection.realisasi import Evidence
from models.collection.recap import compute_recap
from models.collection.workflow import approve_form
from models.demo import DEMO_PK, DEMO_REALISASI
from models.exchange.pk_import import import_pk
from models.exchange.realisasi_import import import_realisasi
from models.office.acting import acting_member
from models.office.acting_officials import ActingKind, appoint
from models.office.audit import Actor
from models.office.organisation import Member, MemberRole, Role, ensure_office
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, parse_scope
from models.reporting.report import dispose, report_to_kepala
from models.store.database import session_scope
from reports.export_kinds import ExportKind
from reports.letterhead import Letterhead, Signatory
from reports.workbooks import export_files
from tests.conftest import office_moment

OFFICE = "DPMPTSP Kabupaten Pesisir Selatan"
TODAY = date(2026, 4, 20)
HIERARCHY = ["T.1", "S.1", "P.1", "K.1", "K.2", "K.3", "S.2", "P.2", "P.3", "P.4", "K.4", "P.5", "SEK.1", "SEK.2"]
GROUPS = ["Tujuan", "Sasaran · induk T.1", "Program · induk S.1", "Kegiatan · induk S.1", "Sasaran · induk T.1",
          "Program · induk S.2", "Kegiatan · induk P.4", "Program · induk S.2", "Program"]
PEOPLE = {  # telegram id: name, NIP, role
    201: ("Rahmat Tim SAKIP", "19850505 201001 1 002", Role.TIM_SAKIP),
    202: ("Drs. Syahrial", "19700101 199503 1 001", Role.SEKRETARIS),
    203: ("Ir. Hendri Kepala", "19650202 199003 1 003", Role.KEPALA),
}


@pytest.fixture
def approved(engine: Engine) -> Engine:
    """The demo PK, its TW I realisasi, the three who sign, and every form approved by the Sekretaris."""
    with session_scope(engine) as session:
        office = ensure_office(session, Actor.cli(), OFFICE)
        import_pk(session, DEMO_PK, Actor.cli())
        for telegram_id, (name, nip, role) in PEOPLE.items():
            member = Member(telegram_user_id=telegram_id, name=name, nip=nip, unit_id=office.id)
            session.add(member)
            session.flush()
            session.add(MemberRole(member_id=member.id, role=role))
    with session_scope(engine) as session:
        import_realisasi(session, DEMO_REALISASI, Actor.cli(), office_moment(date(2026, 4, 15)))
    with session_scope(engine) as session:
        sekretaris = person(session, Role.SEKRETARIS)
        for form in session.exec(select(UnitForm).where(UnitForm.status == FormStatus.SUBMITTED)).all():
            approve_form(session, form, Actor.member(sekretaris.id), now=office_moment(date(2026, 4, 15), 14))
    return engine


def person(session: Session, role: Role) -> Member:
    return session.exec(select(Member).join(MemberRole, MemberRole.member_id == Member.id)
                        .where(MemberRole.role == role)).one()


def kertas_kerja(engine: Engine, scope: str, letterhead: Letterhead | None = None) -> Worksheet:
    with session_scope(engine) as session:
        (file,) = export_files(session, parse_scope(scope), ExportKind.KERTAS_KERJA, "id", today=TODAY,
                               letterhead=letterhead)
    assert file.filename == f"kertas-kerja-{scope}.xlsx"
    return load_workbook(io.BytesIO(file.data))["Kertas Kerja"]


def body(sheet: Worksheet) -> list[tuple]:
    """The rows under the header up to the first empty one: group rows and indicator rows."""
    rows = []
    for row in sheet.iter_rows(min_row=7, values_only=True):
        if all(value is None for value in row):
            break
        rows.append(row)
    return rows


def indicator_rows(sheet: Worksheet) -> dict[str, dict[str, object]]:
    """Each indicator row's cells by kode, under names for the period's and the cumulative columns."""
    names = ["no", "kode", "indikator", "satuan", "unit", "target", "realisasi", "capaian", "kategori", "target_sd",
             "realisasi_sd", "capaian_sd", "kategori_sd", "kendala", "tindak_lanjut", "bukti"]
    found = {}
    for cells in sheet.iter_rows(min_row=7):
        if isinstance(cells[1].value, str) and cells[0].value is not None and isinstance(cells[0].value, int):
            found[cells[1].value] = dict(zip(names, cells, strict=False))
    return found


def signature_block(sheet: Worksheet) -> dict[str, list[str]]:
    """The three signature blocks, each its lines from the role down, by the role's first line."""
    top = next(row[0].row for row in sheet.iter_rows() if row[0].value == "Disiapkan oleh,")
    blocks = {}
    for cell in sheet[top]:
        if cell.value:
            blocks[cell.value] = [sheet.cell(row=top + offset, column=cell.column).value for offset in range(8)]
    return blocks


def date_line(sheet: Worksheet) -> tuple[str, str]:
    """The one text in the row above the signature blocks, and the first line of the block under it."""
    top = next(row[0].row for row in sheet.iter_rows() if row[0].value == "Disiapkan oleh,")
    (cell,) = [cell for cell in sheet[top - 1] if cell.value]
    return cell.value, sheet.cell(row=top, column=cell.column).value


def test_the_kertas_kerja_has_title_groups_formats_and_print_setup(approved):
    with session_scope(approved) as session:
        k2 = session.exec(select(Indicator).where(Indicator.code == "K.2")).one()
        tw1 = session.exec(select(Period).where(Period.kind == PeriodKind.QUARTER)).one()
        session.add(Evidence(indicator_id=k2.id, period_id=tw1.id, kind="document", file_name="lkpm-tw1.pdf",
                             uploaded_at=office_moment(date(2026, 4, 14))))

    sheet = kertas_kerja(approved, "2026-TW1")

    assert [sheet[f"A{row}"].value for row in (1, 2, 3)] == [
        "KERTAS KERJA PENGUKURAN KINERJA", OFFICE, "Periode: Triwulan I 2026"]
    assert [cell.value for cell in sheet[5]] == [
        "No", "Kode", "Indikator", "Satuan", "Unit penanggung jawab", "Triwulan I 2026", None, None, None,
        "Kumulatif s.d. Triwulan I 2026", None, None, None, "Kendala", "Tindak lanjut", "Bukti dukung"]
    assert [cell.value for cell in sheet[6]][5:13] == ["Target", "Realisasi", "Capaian (%)", "Kategori"] * 2
    assert {"F5:I5", "J5:M5", "A5:A6", "P5:P6"} <= {str(cells) for cells in sheet.merged_cells.ranges}

    rows = body(sheet)
    assert [row[0] for row in rows if row[1] is None] == GROUPS  # the group rows, in the hierarchy's order
    assert [row[1] for row in rows if row[1] is not None] == HIERARCHY
    assert [row[0] for row in rows if row[1] is not None] == list(range(1, 15))

    cells = indicator_rows(sheet)
    s1, p3, k1 = cells["S.1"], cells["P.3"], cells["K.1"]
    assert (s1["target"].value, s1["target"].number_format) == (120000000000, "#,##0")  # Rupiah: 0 decimals
    assert (s1["capaian"].value, s1["capaian"].number_format) == (95.63, "0.00")
    assert (p3["realisasi"].value, p3["realisasi"].number_format) == (6.67, "#,##0.00")
    assert (s1["unit"].value, s1["kategori"].value) == ("Bidang Penanaman Modal", "Sangat Tinggi")
    assert (k1["kendala"].value, k1["tindak_lanjut"].value) == (
        "Anggaran promosi baru cair Maret", "Promosi digeser ke TW II")
    assert cells["K.2"]["bukti"].value == "1 berkas: lkpm-tw1.pdf"
    assert [cells[code]["indikator"].alignment.indent for code in ("T.1", "S.1", "P.1", "K.1", "SEK.1")] == [
        0, 1, 2, 2, 0]
    # TW I is the year so far: its cumulative columns are the period's
    assert (s1["realisasi_sd"].value, s1["capaian_sd"].value, s1["capaian_sd"].number_format) == (
        114750000000, 95.63, "0.00")

    assert sheet.freeze_panes == "D7"  # below the two header rows, right of No, Kode and Indikator
    assert sheet.print_title_rows == "$5:$6"  # the header on every printed page
    assert (sheet.page_setup.orientation, int(sheet.page_setup.paperSize)) == ("landscape", 9)  # 9: A4
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_a_month_shows_the_year_to_date_beside_the_month(approved):
    """February's cumulative columns: January and February together, against the target to date."""
    sheet = kertas_kerja(approved, "2026-02")
    with session_scope(approved) as session:
        months = [{row.indicator.code: row for row in compute_recap(session, parse_scope(code),
                                                                     approved_only=True).rows}
                  for code in ("2026-01", "2026-02")]
    s1 = indicator_rows(sheet)["S.1"]  # cumulative (kumulatif): a sum
    january, february = months[0]["S.1"], months[1]["S.1"]
    assert s1["realisasi"].value == int(february.realisasi)
    assert s1["realisasi_sd"].value == int(january.realisasi + february.realisasi)
    assert s1["target_sd"].value == int(january.target.value + february.target.value)
    to_date = (january.realisasi + february.realisasi) * 100 / (january.target.value + february.target.value)
    assert s1["capaian_sd"].value == pytest.approx(float(to_date), abs=0.005)
    assert "T.1" not in indicator_rows(sheet)  # quarterly: not in a month; its sasaran start the tree
    assert body(sheet)[0][0] == "Sasaran · induk T.1"


def test_the_signatures_are_of_those_who_acted_with_their_days_or_as_named(approved):
    with session_scope(approved) as session:
        tw1 = session.exec(select(Period).where(Period.kind == PeriodKind.QUARTER)).one()
        report_to_kepala(session, person(session, Role.SEKRETARIS), tw1.id, now=office_moment(date(2026, 4, 16)))
    with session_scope(approved) as session:
        dispose(session, person(session, Role.KEPALA), tw1.id, DispositionDecision.AGREE,
                now=office_moment(date(2026, 4, 17)))

    blocks = signature_block(kertas_kerja(approved, "2026-TW1"))

    assert blocks == {
        "Disiapkan oleh,": ["Disiapkan oleh,", "Tim SAKIP", None, None, None, "Rahmat Tim SAKIP",
                            "NIP. 19850505 201001 1 002", "Tanggal 17 April 2026"],  # archived
        "Diperiksa oleh,": ["Diperiksa oleh,", "Sekretaris", None, None, None, "Drs. Syahrial",
                            "NIP. 19700101 199503 1 001", "Tanggal 16 April 2026"],  # reported to the Kepala
        "Mengetahui,": ["Mengetahui,", "Kepala Dinas", None, None, None, "Ir. Hendri Kepala",
                        "NIP. 19650202 199003 1 003", "Tanggal 17 April 2026"],  # disposed
    }

    # the settings name the same Sekretaris (by NIP) and Kepala Dinas (by name, without NIP): the settings' name
    # and title, the NIP from the settings or else the database, on the days recorded; dated on the last of them
    settings = Letterhead(city="Painan",
                          sekretaris=Signatory("Sekretaris", "Drs. H. Syahrial, M.Si", "19700101 199503 1 001"),
                          kepala=Signatory(f"Kepala {OFFICE}", "Ir. Hendri Kepala, M.T."))
    sheet = kertas_kerja(approved, "2026-TW1", settings)
    blocks = signature_block(sheet)
    assert blocks["Diperiksa oleh,"][1:] == ["Sekretaris", None, None, None, "Drs. H. Syahrial, M.Si",
                                             "NIP. 19700101 199503 1 001", "Tanggal 16 April 2026"]
    assert blocks["Mengetahui,"][1:] == [f"Kepala {OFFICE}", None, None, None, "Ir. Hendri Kepala, M.T.",
                                         "NIP. 19650202 199003 1 003", "Tanggal 17 April 2026"]
    assert date_line(sheet) == ("Painan, 17 April 2026", "Mengetahui,")

    # a month nobody has reported yet: the Sekretaris who approved its forms, and no day for the Kepala Dinas
    blocks = signature_block(kertas_kerja(approved, "2026-01"))
    assert blocks["Diperiksa oleh,"][5:] == ["Drs. Syahrial", "NIP. 19700101 199503 1 001", "Tanggal 15 April 2026"]
    assert blocks["Mengetahui,"][5:] == ["Ir. Hendri Kepala", "NIP. 19650202 199003 1 003", "Tanggal ………………"]


def test_a_plh_sekretaris_who_reported_signs_as_plh(approved):
    """Given Rahmat (Tim SAKIP) named Plh. Sekretaris for 16–17 April and reporting Triwulan I on the 16th, then
    the Kertas Kerja's "Diperiksa oleh" is "Plh. Sekretaris" Rahmat on that day."""
    moment = office_moment(date(2026, 4, 16))
    with session_scope(approved) as session:
        rahmat = person(session, Role.TIM_SAKIP)
        appoint(session, Actor.cli(), Role.SEKRETARIS, rahmat.id, ActingKind.PLH, date(2026, 4, 16),
                date(2026, 4, 17), tz=OFFICE_TZ, now=office_moment(date(2026, 4, 15)))
    with session_scope(approved) as session:
        tw1 = session.exec(select(Period).where(Period.kind == PeriodKind.QUARTER)).one()
        report_to_kepala(session, acting_member(session, 201, moment), tw1.id, now=moment)

    settings = Letterhead(sekretaris=Signatory("Sekretaris", "Drs. Syahrial", "19700101 199503 1 001"))
    checked = signature_block(kertas_kerja(approved, "2026-TW1", settings))["Diperiksa oleh,"]

    assert checked[1:] == ["Plh. Sekretaris", None, None, None, "Rahmat Tim SAKIP", "NIP. 19850505 201001 1 002",
                           "Tanggal 16 April 2026"]


def test_nobody_signed_yet_the_settings_sign_under_the_kop_dated_today(approved):
    """Given a kop configured (parent line, office, address, city) and a Sekretaris named in the settings, when the
    year's Kertas Kerja is made (nobody reported or disposed a year), then the kop's lines are the top rows, the
    header and the body move down below them, the configured Sekretaris signs with the configured NIP, the Kepala
    Dinas is the office's member, and the date line is the day it is made."""
    settings = Letterhead(parent="PEMERINTAH KABUPATEN PESISIR SELATAN", office="DINAS PENANAMAN MODAL DAN PTSP",
                          address="Jl. Dr. Moh. Hatta No. 1, Painan", city="Painan",
                          sekretaris=Signatory("Sekretaris", "Dra. Lina Marlina", "19750303 200003 2 004"))

    sheet = kertas_kerja(approved, "2026", settings)

    assert [sheet[f"A{row}"].value for row in range(1, 7)] == [
        "PEMERINTAH KABUPATEN PESISIR SELATAN", "DINAS PENANAMAN MODAL DAN PTSP", "Jl. Dr. Moh. Hatta No. 1, Painan",
        None, "KERTAS KERJA PENGUKURAN KINERJA", "Periode: Tahun 2026"]
    assert (sheet["A8"].value, sheet.freeze_panes, sheet.print_title_rows) == ("No", "D10", "$8:$9")
    assert sheet["A10"].value == "Tujuan" and sheet["B11"].value == "T.1"
    blocks = signature_block(sheet)
    assert blocks["Diperiksa oleh,"][1:] == ["Sekretaris", None, None, None, "Dra. Lina Marlina",
                                             "NIP. 19750303 200003 2 004", "Tanggal ………………"]
    assert blocks["Mengetahui,"][5:7] == ["Ir. Hendri Kepala", "NIP. 19650202 199003 1 003"]
    assert date_line(sheet) == ("Painan, 20 April 2026", "Mengetahui,")
