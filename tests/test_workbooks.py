"""The workbooks of a period, read like the SOP (Procedure A steps 6 and 8, Procedure B steps 5 and 6).

Given the demo PK of a DPMPTSP and its Triwulan I realisasi, when the Tim SAKIP exports the Formulir Pengumpulan
Data and the Rekapitulasi (the Kertas Kerja: `tests/test_kertas_kerja.py`), then Excel gets numbers as numbers
with Indonesian-ready formats, the period's targets, blank cells where nothing is entered yet (a form to
distribute), frozen headers, words in the member's language, and text typed by staff that never becomes a formula.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.cli import main
from models.calc.clock import system_clock
from models.calc.dates import format_date
from models.collection.forms import FormStatus, UnitForm
from models.collection.realisasi import Evidence
from models.collection.workflow import approve_form, enter_realisasi
from models.demo import DEMO_PK, DEMO_REALISASI
from models.exchange.pk_import import import_pk
from models.exchange.realisasi_import import import_realisasi
from models.office.audit import Actor
from models.office.organisation import Unit, UnitKind, ensure_office
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodStatus, parse_scope
from models.store.database import session_scope
from reports.export_kinds import ExportKind
from reports.letterhead import Letterhead
from reports.workbooks import ExportError, ExportFile, export_files
from tests.conftest import office_moment
from tests.test_cli import run, use_settings

OFFICE = "DPMPTSP Kabupaten Pesisir Selatan"
TODAY = date(2026, 4, 20)
FORMULA = '=HYPERLINK("http://contoh.test","klik")'
FORMULIR_HEADER = ["No", "Kode", "Indikator", "Satuan", "Target", "Realisasi", "Capaian (%)", "Kategori", "Kendala",
                   "Tindak lanjut", "Bukti dukung", "Catatan"]


@pytest.fixture
def demo_pk(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        ensure_office(session, Actor.cli(), OFFICE)
        import_pk(session, DEMO_PK, Actor.cli())
    return engine


@pytest.fixture
def recorded(demo_pk: Engine) -> Engine:
    """The demo PK and the demo Triwulan I realisasi; every complete form is sent to the Sekretaris."""
    with session_scope(demo_pk) as session:
        import_realisasi(session, DEMO_REALISASI, Actor.cli(), office_moment(date(2026, 4, 15)))
    return demo_pk


def export(engine: Engine, scope: str, kind: str, language: str = "id", unit: str | None = None,
           today: date = TODAY, include_drafts: bool = False,
           letterhead: Letterhead | None = None) -> dict[str, ExportFile]:
    with session_scope(engine) as session:
        unit_id = session.exec(select(Unit.id).where(Unit.name == unit)).one() if unit else None
        files = export_files(session, parse_scope(scope), ExportKind(kind), language, unit_id, today=today,
                             include_drafts=include_drafts, letterhead=letterhead)
    return {file.filename: file for file in files}


def approve_submitted(engine: Engine) -> None:
    """The Sekretaris approves every form waiting for review."""
    with session_scope(engine) as session:
        for form in session.exec(select(UnitForm).where(UnitForm.status == FormStatus.SUBMITTED)).all():
            approve_form(session, form, Actor.cli(), now=system_clock())


def only(files: dict[str, ExportFile]) -> ExportFile:
    (file,) = files.values()
    return file


def sheets(file: ExportFile) -> dict[str, Worksheet]:
    workbook = load_workbook(io.BytesIO(file.data))
    return {sheet.title: sheet for sheet in workbook.worksheets}


def values(sheet: Worksheet, row: int) -> list[object]:
    return [cell.value for cell in sheet[row]]


def rows_by_code(sheet: Worksheet, header_row: int, code_column: int) -> dict[str, dict[str, object]]:
    """Data rows under the header, as {code: {heading: cell}}."""
    header = values(sheet, header_row)
    found = {}
    for cells in sheet.iter_rows(min_row=header_row + 1):
        code = cells[code_column].value
        if isinstance(code, str) and "." in code:
            found[code] = dict(zip(header, cells, strict=True))
    return found


def column_width(sheet: Worksheet, letter: str) -> float:
    return sheet.column_dimensions[letter].width


def indicator_id(session, code: str) -> int:
    return session.exec(select(Indicator.id).where(Indicator.code == code)).one()


# --------------------------------------------------------------------------------------------- Formulir


def test_formulir_of_a_unit_holds_its_values_kendala_and_evidence(recorded):
    """Given Bidang Penanaman Modal sent its TW I form with K.2's evidence, when its formulir is exported, then
    the title block names the office, unit, period and status, and each indicator shows what was entered."""
    with session_scope(recorded) as session:
        tw1 = session.exec(select(Period).where(Period.kind == PeriodKind.QUARTER, Period.number == 1)).one()
        k2 = indicator_id(session, "K.2")
        session.add_all([Evidence(indicator_id=k2, period_id=tw1.id, kind="document", file_name="lkpm-tw1.pdf"),
                         Evidence(indicator_id=k2, period_id=tw1.id, kind="photo")])

    # the form is sent, not approved: its values only on request, marked (they appeared unasked before)
    file = only(export(recorded, "2026-TW1", "formulir", unit="Bidang Penanaman Modal", include_drafts=True))

    assert file.filename == "formulir-2026-TW1-bidang-penanaman-modal.xlsx"
    assert file.title == "Formulir Pengumpulan Data Bidang Penanaman Modal Triwulan I 2026"
    sheet = sheets(file)["Formulir"]
    assert sheet["A1"].value == "Formulir Pengumpulan Data Kinerja"
    block = {sheet.cell(row=row, column=1).value: sheet.cell(row=row, column=3).value for row in range(2, 7)}
    assert block == {"Instansi": OFFICE, "Unit kerja": "Bidang Penanaman Modal", "Periode": "Triwulan I 2026",
                     "Batas waktu": "-", "Status formulir": "dikirim"}
    assert values(sheet, 8) == [*FORMULIR_HEADER, "Persetujuan"]
    assert sheet.freeze_panes == "C9"  # below the header, right of No and Kode
    rows = rows_by_code(sheet, 8, 1)
    assert list(rows) == ["K.1", "K.2"]  # the unit's quarterly indicators
    k1 = rows["K.1"]
    assert [k1[name].value for name in ("No", "Target", "Realisasi", "Capaian (%)", "Kategori", "Kendala",
                                        "Tindak lanjut")] == [
        1, 2, 1, 50, "Sangat Rendah", "Anggaran promosi baru cair Maret", "Promosi digeser ke TW II"]
    assert k1["Capaian (%)"].number_format == "0.00"
    assert rows["K.2"]["Bukti dukung"].value == "2 berkas: lkpm-tw1.pdf, foto"
    assert rows["K.2"]["Realisasi"].number_format == "#,##0"
    assert column_width(sheet, "C") >= 36 and rows["K.2"]["Indikator"].alignment.wrap_text


def test_a_blank_formulir_serves_for_distribution(demo_pk):
    """Given TW II is open with its deadline and nothing is entered, then the Sekretariat's formulir has the TW II
    targets and blank realisasi cells already formatted for hand entry; a month not opened yet works too."""
    with session_scope(demo_pk) as session:
        session.add(Period(kind=PeriodKind.QUARTER, year=2026, number=2, status=PeriodStatus.OPEN,
                           deadline=date(2026, 7, 10)))

    sheet = sheets(only(export(demo_pk, "2026-TW2", "formulir", unit="Sekretariat")))["Formulir"]

    assert (sheet["C5"].value, sheet["C6"].value) == ("10 Juli 2026", "belum mulai")
    rows = rows_by_code(sheet, 8, 1)
    assert list(rows) == ["T.1", "SEK.2"]
    t1 = rows["T.1"]
    assert t1["Target"].value == 4  # TW II target of T.1
    for name in ("Realisasi", "Capaian (%)", "Kategori", "Kendala", "Tindak lanjut", "Bukti dukung", "Catatan"):
        assert t1[name].value is None, name
    assert t1["Realisasi"].number_format == "#,##0.00"

    may = sheets(only(export(demo_pk, "2026-05", "formulir", unit="Sekretariat")))["Formulir"]
    sek1 = rows_by_code(may, 8, 1)["SEK.1"]
    assert (sek1["Target"].value, sek1["Realisasi"].value) == ("85 – 95", None)


def test_formulir_for_every_unit_and_what_cannot_be_exported(recorded):
    """Given TW I, then there is one formulir per unit; a year has none, and a unit without indicators none."""
    files = export(recorded, "2026-TW1", "formulir")
    assert sorted(files) == [
        "formulir-2026-TW1-bidang-pelayanan-perizinan.xlsx", "formulir-2026-TW1-bidang-penanaman-modal.xlsx",
        "formulir-2026-TW1-bidang-pengaduan-kebijakan-dan-pelaporan-layanan.xlsx", "formulir-2026-TW1-sekretariat.xlsx"]

    assert sorted(export(recorded, "2026", "semua")) == [
        "data-2026.csv", "data-2026.xlsx", "kertas-kerja-2026.xlsx", "lkjip-2026.xlsx", "rekapitulasi-2026.xlsx"]
    with pytest.raises(ExportError) as refused:
        export(recorded, "2026", "formulir")
    assert (refused.value.code, refused.value.details) == ("formulir_needs_period", {"year": "2026"})

    with session_scope(recorded) as session:
        session.add(Unit(name="Bidang Baru", kind=UnitKind.BIDANG))
    with pytest.raises(ExportError) as refused:
        export(recorded, "2026-TW1", "formulir", unit="Bidang Baru")
    assert (refused.value.code, refused.value.details) == (
        "unit_not_in_period", {"unit": "Bidang Baru", "period": "Triwulan I 2026"})


# --------------------------------------------------------------------------------------------- Rekapitulasi


def test_rekapitulasi_shows_progress_bands_and_indicators_by_unit(recorded):
    """Given TW I with the Sekretariat's form approved, and April opened with a deadline that has passed, then
    the progress sheet lists each unit per period with its status and timeliness, counts indicators per band,
    and the indicator sheet groups them under their unit."""
    with session_scope(recorded) as session:
        tw1 = session.exec(select(Period).where(Period.kind == PeriodKind.QUARTER, Period.number == 1)).one()
        sekretariat = session.exec(select(Unit).where(Unit.name == "Sekretariat")).one()
        form = session.exec(select(UnitForm).where(UnitForm.unit_id == sekretariat.id,
                                                   UnitForm.period_id == tw1.id)).one()
        approve_form(session, form, Actor.cli(), now=system_clock())
        session.add(Period(kind=PeriodKind.MONTH, year=2026, number=4, status=PeriodStatus.OPEN,
                           deadline=date(2026, 5, 10)))

    # the other forms are sent, not approved: their values only on request, marked (they appeared unasked before)
    tw1_sheets = sheets(only(export(recorded, "2026-TW1", "rekapitulasi", include_drafts=True)))
    assert list(tw1_sheets) == ["Kemajuan Pengisian", "Capaian Indikator"]
    progress = tw1_sheets["Kemajuan Pengisian"]
    assert values(progress, 5) == ["No", "Periode", "Unit kerja", "Status", "Terisi", "Jumlah indikator", "Dikirim",
                                   "Ketepatan waktu"]
    assert progress.freeze_panes == "A6"
    lines = {(row[1].value, row[2].value): row for row in progress.iter_rows(min_row=6, max_row=21)}
    assert len(lines) == 16  # January, February, March and TW I, four units each
    sek = lines[("Triwulan I 2026", "Sekretariat")]
    assert [cell.value for cell in sek[3:6]] == ["disetujui", 2, 2]
    assert sek[6].is_date and sek[6].number_format == "dd/mm/yyyy hh:mm"
    assert lines[("Januari 2026", "Bidang Pelayanan Perizinan")][3].value == "dikirim"
    bands = {progress.cell(row=row, column=2).value: progress.cell(row=row, column=4).value
             for row in range(25, 32)}
    assert bands == {"Sangat Tinggi": 13, "Tinggi": 0, "Sedang": 0, "Rendah": 0, "Sangat Rendah": 1,
                     "Belum ada capaian": 0, "Jumlah": 14}
    assert progress["B23"].value == "Jumlah indikator per kategori capaian"
    assert [cell.value for cell in progress[24][1:4]] == ["Kategori", "Rentang capaian (%)", "Jumlah indikator"]

    indicators = tw1_sheets["Capaian Indikator"]
    assert (indicators["A4"].value, indicators["C4"].value) == ("Tercapai (≥ 100%)", "10 dari 14 indikator")
    assert values(indicators, 6)[:3] == ["Kode", "Indikator", "Satuan"]
    assert indicators.freeze_panes == "B7"
    column_a = [indicators.cell(row=row, column=1).value for row in range(7, indicators.max_row + 1)]
    assert column_a[:5] == ["Bidang Pelayanan Perizinan", "S.2", "P.1", "P.2", "P.3"]
    assert column_a[5:10] == ["Bidang Penanaman Modal", "S.1", "K.1", "K.2", "K.3"]
    assert "A7:J7" in {str(merged) for merged in indicators.merged_cells.ranges}
    s1 = rows_by_code(indicators, 6, 0)["S.1"]
    assert (s1["Capaian (%)"].value, s1["Kategori"].value) == (95.63, "Sangat Tinggi")
    assert s1["Persetujuan"].value == "belum disetujui"

    april = sheets(only(export(recorded, "2026-04", "rekapitulasi", today=date(2026, 5, 20))))["Kemajuan Pengisian"]
    rows = [[cell.value for cell in row][1:] for row in april.iter_rows(min_row=6, max_row=9)]
    assert rows == [  # nothing entered, the deadline passed; the units' monthly indicators
        ["April 2026", "Bidang Pelayanan Perizinan", "belum mulai", 0, 3, None, "terlambat"],
        ["April 2026", "Bidang Penanaman Modal", "belum mulai", 0, 2, None, "terlambat"],
        ["April 2026", "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan", "belum mulai", 0, 2, None, "terlambat"],
        ["April 2026", "Sekretariat", "belum mulai", 0, 1, None, "terlambat"]]


def test_rekapitulasi_on_the_letterhead_has_its_kop_lines_on_top(recorded):
    """Given the settings' kop (parent line, office, address), then both sheets of the Rekapitulasi start with its
    lines, a blank row, the title, and the configured office as the instansi; the table moves down below them."""
    approve_submitted(recorded)
    kop = ["PEMERINTAH KABUPATEN PESISIR SELATAN", "DINAS PENANAMAN MODAL DAN PTSP", "Jl. Imam Bonjol No. 1, Painan"]
    letterhead = Letterhead(parent=kop[0], office=kop[1], address=kop[2], city="Painan")
    workbook = sheets(only(export(recorded, "2026-TW1", "rekapitulasi", letterhead=letterhead)))
    for sheet in workbook.values():
        assert [sheet[f"A{row}"].value for row in range(1, 5)] == [*kop, None]
        assert sheet["A5"].value.startswith("Rekapitulasi")
        assert (sheet["A6"].value, sheet["C6"].value) == ("Instansi", kop[1])
    assert values(workbook["Kemajuan Pengisian"], 9)[:3] == ["No", "Periode", "Unit kerja"]
    assert workbook["Kemajuan Pengisian"].freeze_panes == "A10"


# --------------------------------------------------------------------------------------------- language, safety


def test_english_workbooks_have_english_words(recorded):
    """Given a member who reads English, then headings, sheet names, statuses and ratings are English."""
    formulir = sheets(only(export(recorded, "2026-TW1", "formulir", "en", unit="Bidang Penanaman Modal",
                                  include_drafts=True)))["Form"]
    assert values(formulir, 8)[:4] == ["No", "Code", "Indicator", "Unit of measure"]
    assert (formulir["A3"].value, formulir["C4"].value, formulir["C6"].value) == ("Unit", "Quarter I 2026", "submitted")
    assert rows_by_code(formulir, 8, 1)["K.1"]["Category"].value == "Very low"

    rekap = only(export(recorded, "2026-TW1", "rekapitulasi", "en"))
    assert rekap.title == "Recap of performance capaian Quarter I 2026"
    assert list(sheets(rekap)) == ["Progress", "Indicators"]
    assert values(sheets(rekap)["Progress"], 5)[1:4] == ["Period", "Unit", "Status"]


def test_text_typed_like_a_formula_stays_text_in_every_workbook(demo_pk):
    """Given staff typed kendala, tindak lanjut and a note starting with =, + or @, and a unit is named with a
    leading -, when every workbook of the period is exported, then each is a string cell and no formula exists."""
    with session_scope(demo_pk) as session:
        tw1 = Period(kind=PeriodKind.QUARTER, year=2026, number=1, status=PeriodStatus.OPEN)
        session.add(tw1)
        session.flush()
        k1 = session.get(Indicator, indicator_id(session, "K.1"))
        enter_realisasi(session, k1, tw1, Decimal(1), Actor.cli(), kendala=FORMULA, tindak_lanjut="+62 812 0000",
                        note="@SUM(A1:A9)", now=system_clock())
        session.get(Unit, k1.unit_id).name = "-Bidang Penanaman Modal"

    files = export(demo_pk, "2026-TW1", "semua", include_drafts=True)  # a draft: its values on request only

    formulir = files["formulir-2026-TW1-bidang-penanaman-modal.xlsx"]
    sheet = sheets(formulir)["Formulir"]
    assert (sheet["C3"].value, sheet["C3"].data_type) == ("-Bidang Penanaman Modal", "s")
    k1_row = rows_by_code(sheet, 8, 1)["K.1"]
    for name, text in (("Kendala", FORMULA), ("Tindak lanjut", "+62 812 0000"), ("Catatan", "@SUM(A1:A9)")):
        assert (k1_row[name].value, k1_row[name].data_type) == (text, "s"), name
    indicators = sheets(files["rekapitulasi-2026-TW1.xlsx"])["Capaian Indikator"]
    cells = [cell for row in indicators.iter_rows() for cell in row if cell.value == FORMULA]
    assert cells and all(cell.data_type == "s" for cell in cells)
    data = csv.DictReader(io.StringIO(files["data-2026-TW1.csv"].data.decode(), newline=""))
    assert next(row for row in data if row["kode"] == "K.1")["kendala"] == FORMULA  # plain text for systems
    for file in files.values():
        if not file.filename.endswith(".xlsx"):
            continue
        with zipfile.ZipFile(io.BytesIO(file.data)) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/"):
                    xml = archive.read(name).decode()
                    assert "<f>" not in xml and "<f " not in xml, (file.filename, name)


# --------------------------------------------------------------------------------------------- command line


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, backend_url: str) -> Path:
    """The demo PK and TW I realisasi loaded through the command line; the working folder is `tmp_path`."""
    use_settings(monkeypatch, tmp_path, backend_url)
    assert main(["init", "--demo"]) == 0
    assert main(["import-realisasi", str(DEMO_REALISASI)]) == 0
    return tmp_path


def test_cli_writes_one_workbook_to_a_file_and_several_into_a_folder(cli, capsys):
    """Given TW I, when the officer exports the recap, one unit's formulir, everything and the data, then one
    file each for the first two, the chat's ZIP in a new folder for the third, the XLSX and CSV in a folder for the
    last, each named in the output."""
    capsys.readouterr()
    code, out, err = run(capsys, "export", "--periode", "2026-TW1", "--jenis", "rekapitulasi", "rekap.xlsx")
    assert (code, out, err) == (0, ["Rekapitulasi Capaian Kinerja Triwulan I 2026 ditulis ke rekap.xlsx."], [])
    assert load_workbook(cli / "rekap.xlsx").sheetnames == ["Kemajuan Pengisian", "Capaian Indikator"]

    code, out, err = run(capsys, "export", "--periode", "2026-TW1", "--jenis", "formulir", "--unit",
                         "bidang penanaman modal", "pm.xlsx")
    assert (code, out, err) == (
        0, ["Formulir Pengumpulan Data Bidang Penanaman Modal Triwulan I 2026 ditulis ke pm.xlsx."], [])
    assert load_workbook(cli / "pm.xlsx")["Formulir"]["C3"].value == "Bidang Penanaman Modal"

    # everything: the one ZIP the chat sends, into the folder (made) under the chat's name
    code, out, err = run(capsys, "export", "--periode", "2026-TW1", "--jenis", "semua", "ekspor/tw1")
    assert (code, out, err) == (0, ["Arsip ZIP (8 berkas) ditulis ke ekspor/tw1/SAKIP-Dinas-Triwulan-I-2026.zip."], [])
    names = zipfile.ZipFile(cli / "ekspor" / "tw1" / "SAKIP-Dinas-Triwulan-I-2026.zip").namelist()
    assert names[:2] == ["01 Kertas Kerja Pengukuran Kinerja Triwulan I 2026.xlsx",
                         "02 Rekapitulasi Capaian Kinerja Triwulan I 2026.xlsx"]
    assert names[-2:] == ["07 Data Capaian Kinerja Triwulan I 2026.xlsx", "08 Data Capaian Kinerja Triwulan I 2026.csv"]

    code, out, err = run(capsys, "export", "--periode", "2026-TW1", "--jenis", "data", "data")
    assert (code, err) == (0, [])
    assert out == ["2 berkas ditulis ke folder data:", "  data-2026-TW1.xlsx: Data Capaian Kinerja Triwulan I 2026",
                   "  data-2026-TW1.csv: Data Capaian Kinerja Triwulan I 2026"]


def test_cli_refuses_an_unknown_unit_and_a_yearly_formulir(cli, capsys):
    """Given a unit name nobody has, then exit 2 naming the units there are; a year's formulir exits 1."""
    capsys.readouterr()
    code, out, err = run(capsys, "export", "--periode", "2026-TW1", "--jenis", "formulir", "--unit", "Bidang Hukum",
                         "f.xlsx")
    assert (code, out) == (2, [])
    assert err == ["Unit 'Bidang Hukum' tidak ditemukan. Unit yang ada: Bidang Pelayanan Perizinan, Bidang Penanaman "
                   "Modal, Bidang Pengaduan, Kebijakan dan Pelaporan Layanan, Sekretariat"]
    assert not (cli / "f.xlsx").exists()

    code, out, err = run(capsys, "export", "--periode", "2026", "--jenis", "formulir", "tahunan")
    assert (code, out) == (1, [])
    assert err == ["Formulir Pengumpulan Data dibuat per bulan atau triwulan, bukan per tahun; gunakan misalnya "
                   "2026-01 atau 2026-TW1."]
    assert not (cli / "tahunan").exists()


def test_formulir_on_the_letterhead_is_dated_the_day_it_is_made(recorded):
    """Given the settings' kop and city, then a unit's Formulir starts with the kop's lines and the configured
    office as the instansi, and is dated below its table as a letter is ("Painan, 20 April 2026")."""
    kop = ["PEMERINTAH KABUPATEN PESISIR SELATAN", "DINAS PENANAMAN MODAL DAN PTSP", "Jl. Imam Bonjol No. 1, Painan"]
    letterhead = Letterhead(parent=kop[0], office=kop[1], address=kop[2], city="Painan")
    sheet = sheets(only(export(recorded, "2026-TW1", "formulir", unit="Bidang Penanaman Modal",
                               letterhead=letterhead)))["Formulir"]
    assert [sheet[f"A{row}"].value for row in range(1, 5)] == [*kop, None]
    assert (sheet["A6"].value, sheet["C6"].value) == ("Instansi", kop[1])
    last = [cell.value for cell in sheet[sheet.max_row] if cell.value is not None]
    assert last == [f"Painan, {format_date(TODAY, 'id')}"]
