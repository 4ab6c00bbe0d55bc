"""The LKjIP's measurement tables and the data they need: the Renstra's end target and the pagu in the PK file,
the realisasi anggaran as the Sekretariat's budget lines (issue 18).

Given a small office whose figures are checked by hand (two sasaran, their programs and a kegiatan with a pagu,
2025 and 2026), when the Tim SAKIP exports the LKjIP of 2026, then the workbook reads like chapter III: per
sasaran the years side by side, the progress towards the Renstra's end target, and per sasaran the budget with
its serapan and tingkat efisiensi.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.engine import Engine
from sqlmodel import select

from i18n.problems import render_problem
from models.calc.clock import OFFICE_TZ, system_clock
from models.collection.forms import FormStatus, UnitForm
from models.collection.workflow import approve_form
from models.exchange.pk_import import PK_COLUMNS, import_pk
from models.exchange.problems import ImportFailed
from models.exchange.realisasi_import import import_realisasi
from models.office.acting_officials import ActingKind, appoint
from models.office.audit import Actor
from models.office.organisation import Member, Role, Unit, ensure_office
from models.plan.indicators import Indicator, IndicatorTarget
from models.plan.periods import parse_scope
from models.store.database import session_scope
from reports.export_kinds import COMMAND_LINE_SPELLINGS, ExportError, ExportKind, export_kind
from reports.letterhead import Letterhead, Signatory
from reports.workbooks import export_files
from tests.conftest import office_moment
from tests.test_cli import run, use_settings

OFFICE = "Dinas Contoh"
COLUMNS = (*PK_COLUMNS, "target_renstra", "tahun_renstra", "pagu")
BASE = {"jenis": "IKU", "polaritas": "positif", "agregasi": "nilai_akhir", "frekuensi": "triwulanan",
        "unit": "Bidang A", "tahun": "2026"}
PK = [
    {"kode": "S.1", "indikator": "Indeks kepuasan", "tingkat": "sasaran", "satuan": "%", "target_tahunan": "80",
     "target_renstra": "90", "tahun_renstra": "2026"},
    {"kode": "S.1", "indikator": "Indeks kepuasan", "tingkat": "sasaran", "satuan": "%", "target_tahunan": "75",
     "target_renstra": "90", "tahun_renstra": "2026", "tahun": "2025"},
    {"kode": "S.2", "indikator": "Jumlah izin terbit", "tingkat": "sasaran", "satuan": "izin", "agregasi": "kumulatif",
     "target_tahunan": "10", "unit": "Bidang B"},
    {"kode": "P.1", "indikator": "Persentase layanan tepat waktu", "tingkat": "program", "induk": "S.1",
     "satuan": "%", "target_tahunan": "100", "pagu": "1.000.000.000"},
    {"kode": "K.1", "indikator": "Jumlah sosialisasi", "tingkat": "kegiatan", "induk": "P.1", "satuan": "kegiatan",
     "agregasi": "kumulatif", "target_tahunan": "4", "pagu": "200.000.000"},
    {"kode": "P.2", "indikator": "Persentase izin sesuai SOP", "tingkat": "program", "induk": "S.2", "satuan": "%",
     "target_tahunan": "100", "pagu": "500.000.000", "unit": "Bidang B"},
]
NOTES = "kendala;tindak lanjut"
REALISASI = [
    "kode;periode;realisasi;catatan;kendala;tindak_lanjut",
    f"S.1;2025-TW4;70;;{NOTES}",
    f"S.1;2026-TW1;72;;{NOTES}",
    f"P.1;2026-TW1;90;;{NOTES}",
    f"K.1;2026-TW1;1;;{NOTES}",
    f"S.2;2026-TW1;5;;{NOTES}",
    "P.2;2026-TW1;100;;;",
    "ANG.P.1;2026-01;500.000.000;SP2D Januari;;",
    "ANG.K.1;2026-01;150.000.000;;;",
    "ANG.P.2;2026-01;0;;;",
]


def pk_file(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> Path:
    lines = [";".join(columns)]
    for row in rows:
        values = {**BASE, **row}
        lines.append(";".join(values.get(column, "") for column in columns))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def imported(engine: Engine, path: Path):
    with session_scope(engine) as session:
        ensure_office(session, Actor.cli(), OFFICE)
        return import_pk(session, path, Actor.cli())


def indicator(session, code: str) -> Indicator:
    return session.exec(select(Indicator).where(Indicator.code == code)).one()


@pytest.fixture
def office(engine: Engine, tmp_path: Path) -> Engine:
    """The PK of 2025 and 2026, the year's realisasi and realisasi anggaran imported, every form approved."""
    imported(engine, pk_file(tmp_path / "pk.csv", PK))
    realisasi = tmp_path / "realisasi.csv"
    realisasi.write_text("\n".join(REALISASI) + "\n", encoding="utf-8")
    with session_scope(engine) as session:
        import_realisasi(session, realisasi, Actor.cli(), office_moment(date(2026, 4, 15)))
    with session_scope(engine) as session:
        forms = session.exec(select(UnitForm)).all()
        assert {FormStatus(form.status) for form in forms} == {FormStatus.SUBMITTED}  # every form complete
        for form in forms:
            approve_form(session, form, Actor.cli(), now=system_clock())
    return engine


def lkjip_sheets(engine: Engine, scope: int = 2026, language: str = "id",
                 letterhead: Letterhead | None = None) -> dict[str, Worksheet]:
    with session_scope(engine) as session:
        (file,) = export_files(session, scope, ExportKind.LKJIP, language, today=date(2027, 1, 10),
                               letterhead=letterhead)
    assert file.filename == f"lkjip-{scope}.xlsx"
    return {sheet.title: sheet for sheet in load_workbook(io.BytesIO(file.data)).worksheets}


def table(sheet: Worksheet) -> tuple[list[str], list[list[object]]]:
    """The header (the row that starts with "No") and the rows below it."""
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    top = next(index for index, row in enumerate(rows) if row[0] == "No")
    return rows[top], rows[top + 1:]


def by_code(header: list[str], rows: list[list[object]]) -> dict[str, dict[str, object]]:
    return {row[1]: dict(zip(header, row, strict=True)) for row in rows if isinstance(row[1], str)}


# --------------------------------------------------------------------------------------------- the PK file


def test_the_renstra_target_and_the_pagu_are_stored_and_the_pagu_makes_a_budget_line(office):
    """Given pagu on P.1, K.1 and P.2, then each has its budget line of the Sekretariat in Rupiah, monthly, its
    annual target the pagu; the Renstra's end target is the indicator's."""
    with session_scope(office) as session:
        s1 = indicator(session, "S.1")
        assert (s1.target_renstra, s1.tahun_renstra) == (Decimal(90), 2026)
        line = indicator(session, "ANG.P.1")
        assert line.budget_of_id == indicator(session, "P.1").id
        assert (line.satuan, line.frequency, line.decimals, line.level) == ("Rp", "bulanan", 0, "program")
        assert session.get(Unit, line.unit_id).name == "Sekretariat"
        assert line.parent_id == s1.id  # beside its program, under the same sasaran
        pagu = session.exec(select(IndicatorTarget.annual).where(IndicatorTarget.indicator_id == line.id)).one()
        assert pagu == Decimal(1_000_000_000)
        assert session.exec(select(Indicator).where(Indicator.code == "ANG.S.1")).first() is None


def test_an_older_file_without_the_new_columns_imports_as_before_and_keeps_what_is_stored(engine, tmp_path):
    """Given a file with the fixed columns only, then no budget line and no Renstra target; given the Renstra
    target later, the old file again changes nothing."""
    old = [{key: value for key, value in row.items() if key not in ("target_renstra", "tahun_renstra", "pagu")}
           for row in PK]
    summary = imported(engine, pk_file(tmp_path / "old.csv", old, PK_COLUMNS))
    assert summary.indicators_created == 5
    with session_scope(engine) as session:
        assert indicator(session, "S.1").target_renstra is None
        assert not session.exec(select(Indicator).where(Indicator.budget_of_id != None)).all()  # noqa: E711
    assert imported(engine, pk_file(tmp_path / "new.csv", PK)).indicators_created == 3  # the budget lines
    assert not imported(engine, pk_file(tmp_path / "new.csv", PK)).changed
    with session_scope(engine) as session:
        assert indicator(session, "S.1").target_renstra == Decimal(90)


@pytest.mark.parametrize(("pagu", "level", "line"), [
    ("-5.000.000", "program", "baris 2, kolom pagu: '-5.000.000' ditolak: nilai tidak boleh negatif untuk satuan Rp"),
    ("banyak", "program", "baris 2, kolom pagu: 'banyak' bukan angka"),
    ("1.000.000,50", "program",
     "baris 2, kolom pagu: '1.000.000,50' memiliki terlalu banyak angka di belakang koma (maksimal 0); bulatkan "
     "dulu, misalnya dengan ROUND di Excel"),
    ("1.000.000", "sasaran",
     "baris 2, kolom pagu: pagu hanya untuk baris bertingkat program atau kegiatan, bukan sasaran"),
])
def test_a_hostile_pagu_is_a_clear_line_and_nothing_is_imported(engine, tmp_path, pagu, level, line):
    path = pk_file(tmp_path / "pk.csv", [{"kode": "P.9", "indikator": "Program", "tingkat": level, "satuan": "%",
                                          "target_tahunan": "100", "pagu": pagu}])
    with pytest.raises(ImportFailed) as failed:
        imported(engine, path)
    assert [render_problem(problem) for problem in failed.value.problems] == [line]
    with session_scope(engine) as session:
        assert session.exec(select(Indicator)).all() == []


# --------------------------------------------------------------------------------------------- the workbook


def test_the_performance_sheet_has_each_sasaran_in_order_with_last_year_and_the_renstra_progress(office):
    """S.1: 2025 target 75, realisasi 70 (93,33%); 2026 target 80, realisasi 72 (90%); Renstra end target 90 in
    2026, so 72 of 90 = 80%. S.2 was not in the PK of 2025."""
    sheets = lkjip_sheets(office)
    assert list(sheets) == ["Capaian Kinerja", "Anggaran"]
    sheet = sheets["Capaian Kinerja"]
    assert sheet["A1"].value == "Pengukuran Kinerja LKjIP Tahun 2026"
    assert (sheet["A2"].value, sheet["C2"].value) == ("Instansi", OFFICE)
    header, rows = table(sheet)
    assert header[:4] == ["No", "Kode", "Sasaran / Indikator Kinerja", "Satuan"]
    assert header[4:13] == ["Target 2025", "Realisasi 2025", "Capaian 2025 (%)",
                            "Target 2026", "Realisasi 2026", "Capaian 2026 (%)",
                            "Target Akhir Renstra", "Tahun Akhir Renstra", "Kemajuan thd. Target Renstra (%)"]
    assert [row[0] for row in rows if row[0] is not None] == ["Sasaran Strategis", 1, 2]  # the level, its sasaran
    found = by_code(header, rows)
    assert list(found) == ["S.1", "S.2"]
    s1 = found["S.1"]
    assert (s1["Target 2025"], s1["Realisasi 2025"], s1["Capaian 2025 (%)"]) == (75, 70, 93.33)
    assert (s1["Target 2026"], s1["Realisasi 2026"], s1["Capaian 2026 (%)"]) == (80, 72, 90)
    assert (s1["Target Akhir Renstra"], s1["Tahun Akhir Renstra"], s1["Kemajuan thd. Target Renstra (%)"]) == (
        90, 2026, 80)
    s2 = found["S.2"]
    assert (s2["Target 2025"], s2["Realisasi 2025"], s2["Target 2026"], s2["Capaian 2026 (%)"]) == (None, None, 10, 50)
    assert s2["Kemajuan thd. Target Renstra (%)"] is None
    top = header_row(sheet)
    assert sheet.freeze_panes == f"D{top + 1}"
    assert (sheet.page_setup.orientation, str(sheet.page_setup.paperSize)) == ("landscape", sheet.PAPERSIZE_A4)
    assert sheet.cell(row=top + 2, column=5).number_format == "#,##0.00"


def header_row(sheet: Worksheet) -> int:
    return next(row for row in range(1, 20) if sheet.cell(row=row, column=1).value == "No")


def test_the_budget_sheet_gives_serapan_and_efficiency_per_sasaran(office):
    """S.1: P.1 spent 500 of 1.000 million (50%) for 90% capaian: efficiency 180%; K.1 150 of 200 million (75%)
    for 1 of 4 (25%): 33,33%. Together 650 of 1.200 million = 54,17%, and S.1's own 90%: 90 ÷ 54,1666… × 100 =
    166,15%. S.2: P.2 spent nothing: serapan 0%, no efficiency."""
    sheet = lkjip_sheets(office)["Anggaran"]
    assert sheet["A1"].value == "Realisasi Anggaran dan Efisiensi per Sasaran LKjIP Tahun 2026"
    header, rows = table(sheet)
    assert header == ["No", "Kode", "Program / Kegiatan", "Pagu (Rp)", "Realisasi Anggaran (Rp)",
                      "Serapan Anggaran (%)", "Capaian Kinerja (%)", "Tingkat Efisiensi (%)"]
    shown = [row for row in rows if any(value is not None for value in row)]
    assert [row[0] if row[1] is None and row[0] else row[1] or row[2] for row in shown[:8]] == [
        "S.1 Indeks kepuasan", "P.1", "K.1", "Jumlah S.1", "S.2 Jumlah izin terbit", "P.2", "Jumlah S.2",
        shown[7][0]]
    assert shown[1][3:] == [1_000_000_000, 500_000_000, 50, 90, 180]
    assert shown[2][3:] == [200_000_000, 150_000_000, 75, 25, 33.33]
    assert shown[3][3:] == [1_200_000_000, 650_000_000, 54.17, 90, 166.15]
    assert shown[5][3:] == [500_000_000, 0, 0, 100, None]
    assert shown[6][3:] == [500_000_000, 0, 0, 50, None]
    assert shown[7][0].startswith("Serapan anggaran = realisasi anggaran ÷ pagu")
    top = header_row(sheet)
    assert sheet.cell(row=top + 2, column=4).number_format == "#,##0"
    assert sheet.freeze_panes == f"D{top + 1}"


def test_without_last_years_data_there_is_no_previous_year_column_and_a_period_is_refused(engine, tmp_path):
    imported(engine, pk_file(tmp_path / "pk.csv", [row for row in PK if row.get("tahun") != "2025"]))
    header, _ = table(lkjip_sheets(engine, language="en")["Performance"])
    assert header[4:7] == ["Target 2026", "Realisasi 2026", "Achievement 2026 (%)"]
    with session_scope(engine) as session, pytest.raises(ExportError) as refused:
        export_files(session, parse_scope("2026-TW1"), ExportKind.LKJIP, "id", today=date(2026, 4, 1))
    assert refused.value.details == {"year": "2026"}


def test_the_kind_is_spelled_lkjip_and_the_command_line_writes_it(office, backend_url, monkeypatch, tmp_path,
                                                                   capsys):
    assert export_kind("LKjIP") is ExportKind.LKJIP and "lkjip" in COMMAND_LINE_SPELLINGS
    use_settings(monkeypatch, tmp_path, backend_url)
    code, out, err = run(capsys, "export", "--periode", "2026", "--jenis", "lkjip", "lkjip.xlsx")
    assert (code, out, err) == (0, ["Tabel Pengukuran Kinerja LKjIP Tahun 2026 ditulis ke lkjip.xlsx."], [])
    assert load_workbook(tmp_path / "lkjip.xlsx").sheetnames == ["Capaian Kinerja", "Anggaran"]


def test_a_problem_of_a_program_with_a_pagu_is_one_line_not_one_more_for_its_budget(engine, tmp_path):
    path = pk_file(tmp_path / "pk.csv", [{"kode": "P.9", "indikator": "Program", "tingkat": "program", "induk": "S.9",
                                          "satuan": "%", "target_tahunan": "100", "pagu": "1.000.000"}])
    with pytest.raises(ImportFailed) as failed:
        imported(engine, path)
    assert [render_problem(problem) for problem in failed.value.problems] == [
        "baris 2, kolom induk: induk 'S.9' tidak ditemukan di berkas maupun di basis data"]


# --------------------------------------------------------------------------------------------- kop and signature

KOP = ["PEMERINTAH KABUPATEN PESISIR SELATAN", "DINAS CONTOH", "Jl. Contoh No. 1, Painan"]


def signature(sheet: Worksheet) -> list[object]:
    """The signature block's lines, from the date line above "Mengetahui," down to the NIP."""
    (known,) = [cell for row in sheet.iter_rows() for cell in row if cell.value == "Mengetahui,"]
    return [sheet.cell(row=row, column=known.column).value for row in range(known.row - 1, known.row + 7)]


def test_the_tables_are_on_the_kop_and_signed_by_the_kepala_dinas_or_the_plt_named_that_day(office):
    """Given the settings' kop (parent line, office, address, Painan) and Kepala Dinas, then both sheets have the
    kop's lines on top, the office as the instansi, and below the table "Painan, 10 Januari 2027", "Mengetahui,"
    and the Kepala Dinas's title, name and NIP; with a Plt. Kepala Dinas named for that day, the Plt signs with
    their own name and NIP."""
    letterhead = Letterhead(parent=KOP[0], office=KOP[1], address=KOP[2], city="Painan",
                            kepala=Signatory("Kepala Dinas Contoh", "Drs. Budi Santoso, M.Si",
                                             "19700101 199503 1 001"))
    sheets = lkjip_sheets(office, letterhead=letterhead)
    titles = {"Capaian Kinerja": "Pengukuran Kinerja LKjIP Tahun 2026",
              "Anggaran": "Realisasi Anggaran dan Efisiensi per Sasaran LKjIP Tahun 2026"}
    for name, sheet in sheets.items():
        assert [sheet[f"A{row}"].value for row in range(1, 6)] == [*KOP, None, titles[name]]
        assert (sheet["A6"].value, sheet["C6"].value) == ("Instansi", KOP[1])
        assert signature(sheet) == ["Painan, 10 Januari 2027", "Mengetahui,", "Kepala Dinas Contoh", None, None, None,
                                    "Drs. Budi Santoso, M.Si", "NIP. 19700101 199503 1 001"]
    header, rows = table(sheets["Capaian Kinerja"])
    assert list(by_code(header, rows)) == ["S.1", "S.2"]

    with session_scope(office) as session:
        unit = session.exec(select(Unit)).first()
        rina = Member(telegram_user_id=301, name="Rina Marlina, S.E.", nip="19800202 200501 2 002", unit_id=unit.id)
        session.add(rina)
        session.flush()
        appoint(session, Actor.cli(), Role.KEPALA, rina.id, ActingKind.PLT, date(2027, 1, 5), date(2027, 1, 20),
                tz=OFFICE_TZ, now=office_moment(date(2027, 1, 4)))
    for sheet in lkjip_sheets(office, letterhead=letterhead).values():
        assert signature(sheet) == ["Painan, 10 Januari 2027", "Mengetahui,", "Plt. Kepala Dinas", None, None, None,
                                    "Rina Marlina, S.E.", "NIP. 19800202 200501 2 002"]


def test_without_a_kop_the_tables_keep_their_top_rows_and_a_line_to_sign_by_hand(office):
    """Nothing configured and no Kepala Dinas in the database: the title in A1, the office's name as the instansi,
    and a signature block with the role and a line to write the name by hand, dated without a city."""
    sheet = lkjip_sheets(office)["Capaian Kinerja"]
    assert (sheet["A1"].value, sheet["C2"].value) == ("Pengukuran Kinerja LKjIP Tahun 2026", OFFICE)
    assert signature(sheet) == ["10 Januari 2027", "Mengetahui,", "Kepala Dinas", None, None, None,
                                "(………………………………)", None]
