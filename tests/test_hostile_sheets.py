"""Spreadsheets read honestly: every row, within limits, and every problem worded, never a traceback.

Given a file an office (or anyone) might send — a sheet whose size tag lies, a small file claiming a huge sheet,
a damaged zip, cells Excel could not compute, text pasted by the page, a CSV that is not text — when the IT
officer runs `sakip-bot import-pk` or `import-realisasi`, then every row is imported, or the command exits 1 with
a file-level line or `baris N, kolom X: …` lines, at once, and nothing is written.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.cli import main
from models.demo import DEMO_PK, DEMO_REALISASI
from models.exchange import spreadsheets
from tests.test_cli import count_indicators, run, use_settings

SHEET = "xl/worksheets/sheet1.xml"
NOTHING_WRITTEN = "Tidak ada data yang diubah. Perbaiki berkas lalu jalankan lagi."


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, backend_url: str) -> str:
    """An initialised, empty database as DATABASE_URL, the test's folder as the working folder."""
    use_settings(monkeypatch, tmp_path, backend_url)
    assert main(["init"]) == 0
    return backend_url


def demo_rows(source: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(source.read_text(encoding="utf-8")), delimiter=";"))


def write_xlsx(path: Path, rows: list[list[object]], title: str = "PK") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def pk_xlsx(path: Path, **changes: object) -> Path:
    """The demo PK as an XLSX; `changes` set cells of its last row (15, SEK.2, no indicator's parent) by name."""
    rows = demo_rows(DEMO_PK)
    for name, value in changes.items():
        rows[-1][rows[0].index(name)] = value
    return write_xlsx(path, rows)


def rewrite_part(path: Path, part: str, change) -> Path:
    """Rewrite one part of the zip (`change(text) -> text`), keeping the others as they are."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[part] = change(parts[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def refused(capsys, *argv: str) -> list[str]:
    """Run a command that must exit 1 with nothing on stdout; its stderr lines."""
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, []), err
    assert not any("Traceback" in line for line in err)
    return err


# --------------------------------------------------------------------------------------------- every row, in time

def test_a_sheet_whose_size_tag_under_reports_imports_every_row(cli, capsys, tmp_path):
    """Given the demo PK (14 rows) whose `<dimension>` says A1:U3, then all 14 indicators are imported."""
    path = rewrite_part(pk_xlsx(tmp_path / "pk.xlsx"), SHEET,
                        lambda xml: re.sub(r'<dimension ref="[^"]+"', '<dimension ref="A1:U3"', xml))

    code, out, err = run(capsys, "import-pk", str(path))

    assert (code, err) == (0, [])
    assert out[0].startswith("Perjanjian Kinerja diimpor: 14 indikator baru")
    assert count_indicators(cli) == 14


def test_a_small_file_claiming_a_huge_sheet_is_refused_at_once(cli, capsys, tmp_path):
    """Given a few-KB XLSX whose size tag claims A1:XFD1048576 and whose last cell sits there, then it is
    refused in well under two seconds (a functional bound: it used to take minutes), naming the limit."""
    far_cell = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    path = rewrite_part(write_xlsx(tmp_path / "bom.xlsx", [["kode", "indikator"]]), SHEET, lambda xml: re.sub(
        r'<dimension ref="[^"]+"', '<dimension ref="A1:XFD1048576"', xml).replace("</sheetData>", far_cell))
    assert path.stat().st_size < 10_000

    started = time.monotonic()
    err = refused(capsys, "import-pk", str(path))

    assert time.monotonic() - started < 2
    assert err == [f"Berkas {path} memiliki lebih dari 5000 baris data (batasnya 5000 baris). Hapus baris kosong "
                   "berformat di bawah tabel, atau bagi menjadi beberapa berkas."]
    assert count_indicators(cli) == 0


def test_a_cell_far_to_the_right_is_refused_naming_its_column(cli, capsys, tmp_path):
    path = rewrite_part(pk_xlsx(tmp_path / "pk.xlsx"), SHEET, lambda xml: xml.replace(
        "</row>", '<c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>', 1))

    err = refused(capsys, "import-pk", str(path))

    assert err == [f"Berkas {path} terisi sampai kolom XFD di baris 1; batasnya 100 kolom. "
                   "Hapus kolom yang tidak perlu."]
    assert count_indicators(cli) == 0


def test_too_many_filled_cells_are_refused(cli, capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_CELLS", 50)

    err = refused(capsys, "import-pk", str(pk_xlsx(tmp_path / "pk.xlsx")))

    assert err[0].endswith("memiliki lebih dari 50 sel terisi (batasnya 50 sel). Bagi menjadi beberapa berkas.")
    assert count_indicators(cli) == 0


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused_before_it_is_parsed(cli, capsys, tmp_path):
    """Given a small XLSX whose sheet unpacks to 21 MB of XML, then it is refused from the zip's directory."""
    path = rewrite_part(pk_xlsx(tmp_path / "pk.xlsx"), SHEET,
                        lambda xml: xml.replace("</sheetData>", "</sheetData>" + " " * (21 * 1024 * 1024)))
    assert path.stat().st_size < 1024 * 1024

    started = time.monotonic()
    err = refused(capsys, "import-pk", str(path))

    assert time.monotonic() - started < 2
    assert err == [f"Berkas {path} terlalu besar: isinya 22 MB setelah dibuka, batasnya 20 MB. Hapus lembar atau "
                   "baris yang tidak perlu, atau bagi menjadi beberapa berkas."]


# --------------------------------------------------------------------------------------------- damaged files

@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 broken", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old .xls"],
                         ids=["empty", "broken-zip", "old-xls"])
def test_a_damaged_or_old_excel_file_is_one_line(cli, capsys, tmp_path, content):
    path = tmp_path / "pk.xlsx"
    path.write_bytes(content)

    err = refused(capsys, "import-pk", str(path))

    assert err == [f"Berkas {path} rusak atau bukan berkas Excel .xlsx (berkas .xls lama? buka di Excel lalu "
                   "simpan sebagai .xlsx)."]


def test_a_truncated_xlsx_is_one_line(cli, capsys, tmp_path):
    path = pk_xlsx(tmp_path / "pk.xlsx")
    path.write_bytes(path.read_bytes()[:-200])

    err = refused(capsys, "import-pk", str(path))

    assert len(err) == 1 and err[0].startswith(f"Berkas {path} rusak")


def test_a_zip_that_is_not_a_workbook_is_one_line(cli, capsys, tmp_path):
    path = tmp_path / "pk.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("catatan.txt", "bukan Excel")

    err = refused(capsys, "import-pk", str(path))

    assert err == [f"Berkas {path} bukan buku kerja Excel .xlsx; simpan dari Excel sebagai .xlsx atau .csv."]


def test_a_workbook_without_sheets_is_one_line(cli, capsys, tmp_path):
    path = rewrite_part(pk_xlsx(tmp_path / "pk.xlsx"), "xl/workbook.xml",
                        lambda xml: re.sub(r"<sheets>.*</sheets>", "<sheets/>", xml))

    err = refused(capsys, "import-pk", str(path))

    assert err == [f"Berkas {path} tidak memiliki lembar kerja berisi tabel."]


def test_a_sheet_with_broken_xml_is_one_line(cli, capsys, tmp_path):
    path = rewrite_part(pk_xlsx(tmp_path / "pk.xlsx"), SHEET, lambda xml: xml.replace("</sheetData>", "<row>"))

    err = refused(capsys, "import-pk", str(path))

    assert len(err) == 1 and err[0].startswith(f"Berkas {path} tidak dapat dibaca sebagai Excel")


# --------------------------------------------------------------------------------------------- odd cells

def test_merged_unit_cells_are_problems_of_their_rows(cli, capsys, tmp_path):
    """Given S.2 (row 4) sharing its unit cell merged with S.1's (row 3), then row 4's unit is named."""
    path = tmp_path / "pk.xlsx"
    rows = demo_rows(DEMO_PK)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "PK"
    for row in rows:
        sheet.append(row)
    column = rows[0].index("unit") + 1
    sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
    workbook.save(path)

    err = refused(capsys, "import-pk", str(path))

    assert "  baris 4, kolom unit: wajib diisi" in err
    assert err[-1] == NOTHING_WRITTEN
    assert count_indicators(cli) == 0


@pytest.mark.parametrize(("column", "value", "line"), [
    ("indikator", "#N/A", "baris 15, kolom indikator: sel berisi galat Excel #N/A; perbaiki rumusnya atau tulis "
                          "nilainya"),
    ("target_tahunan", "#DIV/0!", "baris 15, kolom target_tahunan: sel berisi galat Excel #DIV/0!; perbaiki "
                                  "rumusnya atau tulis nilainya"),
    ("target_tahunan", "=A1*2", "baris 15, kolom target_tahunan: sel berisi rumus =A1*2 tanpa hasil tersimpan; "
                                "buka berkas di Excel lalu simpan ulang, atau tulis nilainya"),
    ("target_tahunan", datetime(2026, 8, 1), "baris 15, kolom target_tahunan: berisi tanggal 2026-08-01, bukan "
                                             "angka; ubah format sel menjadi Angka (Number) lalu tulis nilainya"),
    ("indikator", "x" * 2500, "baris 15, kolom indikator: isi sel 2500 karakter, maksimal 2000 karakter; "
                              "persingkat isinya"),
], ids=["na", "div0", "formula-without-value", "date", "long-text"])
def test_a_cell_that_holds_no_usable_value_is_named_by_row_and_column(cli, capsys, tmp_path, column, value, line):
    err = refused(capsys, "import-pk", str(pk_xlsx(tmp_path / "pk.xlsx", **{column: value})))

    assert err == ["Berkas tidak diimpor: ada 1 masalah.", "  " + line, NOTHING_WRITTEN]
    assert count_indicators(cli) == 0


def test_a_row_of_formulas_never_computed_is_not_skipped_as_blank(cli, capsys, tmp_path):
    """Given a row 16 whose only cell is the formula =A15 saved without a result (as libraries write them),
    then it is named, not skipped as an empty row."""
    rows = [*demo_rows(DEMO_PK), ["=A15"]]

    err = refused(capsys, "import-pk", str(write_xlsx(tmp_path / "pk.xlsx", rows)))

    assert err[1] == ("  baris 16, kolom kode: sel berisi rumus =A15 tanpa hasil tersimpan; buka berkas di Excel lalu "
                      "simpan ulang, atau tulis nilainya")
    assert count_indicators(cli) == 0


def test_a_formula_with_its_saved_result_imports_the_result(cli, capsys, tmp_path):
    """Given target_tahunan of SEK.2 typed as =4*2 and saved by Excel with its result 8, then 8 is imported."""
    path = pk_xlsx(tmp_path / "pk.xlsx", target_tahunan="=4*2")
    path = rewrite_part(path, SHEET, lambda xml: xml.replace("<f>4*2</f><v />", "<f>4*2</f><v>8</v>"))
    assert "<v>8</v>" in zipfile.ZipFile(path).read(SHEET).decode()

    code, out, err = run(capsys, "import-pk", str(path))

    assert (code, err) == (0, [])
    assert count_indicators(cli) == 14


def test_a_formula_whose_saved_result_is_empty_text_reads_as_empty(cli, capsys, tmp_path):
    """Given SEK.2's sumber_data typed as =IF(1=1;"";"x") and saved by Excel (an empty text result), then it
    imports as an empty cell, not as a formula without a result."""
    path = pk_xlsx(tmp_path / "pk.xlsx", sumber_data='=IF(1=1,"","x")')
    path = rewrite_part(path, SHEET, lambda xml: re.sub(r'<c r="(\w+)"><f>(IF[^<]*)</f><v />',
                                                        r'<c r="\1" t="str"><f>\2</f><v></v>', xml))
    assert 't="str"' in zipfile.ZipFile(path).read(SHEET).decode()

    code, out, err = run(capsys, "import-pk", str(path))

    assert (code, err) == (0, [])
    assert count_indicators(cli) == 14


def test_a_realisasi_cell_formatted_as_a_date_is_named(cli, capsys, tmp_path):
    assert main(["init", "--demo"]) == 0
    capsys.readouterr()
    rows = demo_rows(DEMO_REALISASI)
    rows[1][rows[0].index("realisasi")] = datetime(2026, 3, 5)
    path = write_xlsx(tmp_path / "realisasi.xlsx", rows, title="Realisasi")

    err = refused(capsys, "import-realisasi", str(path))

    assert err[1] == ("  baris 2, kolom realisasi: berisi tanggal 2026-03-05, bukan angka; ubah format sel menjadi "
                      "Angka (Number) lalu tulis nilainya")


# --------------------------------------------------------------------------------------------- CSV

def test_a_csv_with_nul_bytes_is_one_line(cli, capsys, tmp_path):
    path = tmp_path / "pk.csv"
    path.write_bytes(DEMO_PK.read_bytes().replace(b"Sekretariat", b"Sekre\x00tariat", 1))

    err = refused(capsys, "import-pk", str(path))

    assert err == [f'Berkas {path} berisi karakter NUL, jadi bukan CSV teks; di Excel simpan sebagai "CSV UTF-8".']


def test_a_csv_in_an_unknown_encoding_is_one_line_not_replaced_characters(cli, capsys, tmp_path):
    path = tmp_path / "pk.csv"
    path.write_bytes(DEMO_PK.read_bytes().replace(b"Sekretariat", b"Sekretariat \x81\x8d", 1))

    err = refused(capsys, "import-pk", str(path))

    assert err == [f'Berkas {path} bukan teks UTF-8 atau Windows-1252; di Excel simpan sebagai "CSV UTF-8".']
    assert count_indicators(cli) == 0


def test_a_csv_saved_as_unicode_text_imports(cli, capsys, tmp_path):
    """Given the demo PK saved by Excel as "Unicode text" (UTF-16 with its BOM), then it imports."""
    path = tmp_path / "pk.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + DEMO_PK.read_text(encoding="utf-8").encode("utf-16-le"))

    code, out, err = run(capsys, "import-pk", str(path))

    assert (code, err) == (0, [])
    assert count_indicators(cli) == 14


def test_a_csv_over_the_limits_is_refused(cli, capsys, tmp_path, monkeypatch):
    path = tmp_path / "pk.csv"
    path.write_text(DEMO_PK.read_text(encoding="utf-8") + "\n" * 6000, encoding="utf-8")
    err = refused(capsys, "import-pk", str(path))
    assert err[0].startswith(f"Berkas {path} memiliki lebih dari 5000 baris data")

    monkeypatch.setattr(spreadsheets, "MAX_CSV_MB", 0)
    err = refused(capsys, "import-pk", str(path))
    assert err == [f"Berkas {path} terlalu besar (1 MB), batasnya 0 MB. Bagi menjadi beberapa berkas."]


def test_a_csv_with_a_field_beyond_the_csv_module_limit_names_its_line(cli, capsys, tmp_path):
    path = tmp_path / "pk.csv"
    lines = DEMO_PK.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4] + ';"' + "y" * 200_000 + '"'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    err = refused(capsys, "import-pk", str(path))

    assert err == [f"Berkas {path} tidak dapat dibaca sebagai CSV di baris 5 (tanda kutip tidak ditutup atau "
                   "isian terlalu panjang)."]
    assert count_indicators(cli) == 0


def test_a_unit_name_longer_than_the_database_holds_is_named(cli, capsys, tmp_path):
    """Given a 230-character unit name (within the cell limit, beyond the 200 the database column holds), then it
    is a problem of its cell on every backend (PostgreSQL would refuse it with an error of its own)."""
    path = tmp_path / "pk.csv"
    lines = DEMO_PK.read_text(encoding="utf-8").splitlines()
    lines[-1] = lines[-1].replace("Sekretariat", "S" * 230)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    err = refused(capsys, "import-pk", str(path))

    assert err == ["Berkas tidak diimpor: ada 1 masalah.",
                   "  baris 15, kolom unit: isi sel 230 karakter, maksimal 200 karakter; persingkat isinya",
                   NOTHING_WRITTEN]
    assert count_indicators(cli) == 0


def test_a_csv_cell_with_overlong_text_is_named(cli, capsys, tmp_path):
    path = tmp_path / "pk.csv"
    lines = DEMO_PK.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("Sekretariat", "x" * 2500)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    err = refused(capsys, "import-pk", str(path))

    assert err == ["Berkas tidak diimpor: ada 1 masalah.",
                   "  baris 2, kolom unit: isi sel 2500 karakter, maksimal 2000 karakter; persingkat isinya",
                   NOTHING_WRITTEN]
    assert count_indicators(cli) == 0
