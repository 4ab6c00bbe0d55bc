"""The plain data export (`--jenis data`, `/ekspor … data`) for systems that import it.

Given the demo PK and its Triwulan I realisasi approved, when the data are exported, then the XLSX and the CSV
hold the same rows under the same fixed snake_case columns: numbers as numbers (`.` as the decimal separator in
the CSV, no grouping), codes rather than words, UTF-8 with the header row first, no styling. The column names are
pinned here: a system that imports them breaks when they change, so they never change silently.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.collection.forms import FormStatus, UnitForm
from models.collection.realisasi import Evidence
from models.collection.workflow import approve_form
from models.demo import DEMO_PK, DEMO_REALISASI
from models.exchange.pk_import import import_pk
from models.exchange.realisasi_import import import_realisasi
from models.office.audit import Actor
from models.office.organisation import ensure_office
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, parse_scope
from models.store.database import session_scope
from reports.data_export import DATA_COLUMNS
from reports.export_kinds import ExportKind
from reports.workbooks import ExportFile, export_files
from tests.conftest import office_moment

# never edited to make a test pass: a new column goes at the end, and importing systems are told
PINNED_COLUMNS = ("kode", "indikator", "tingkat", "induk", "unit", "satuan", "periode", "target", "realisasi",
                  "capaian_persen", "kategori", "kendala", "tindak_lanjut", "jumlah_bukti", "status")


@pytest.fixture
def approved(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        ensure_office(session, Actor.cli(), "DPMPTSP Kabupaten Pesisir Selatan")
        import_pk(session, DEMO_PK, Actor.cli())
    with session_scope(engine) as session:
        import_realisasi(session, DEMO_REALISASI, Actor.cli(), office_moment(date(2026, 4, 15)))
    with session_scope(engine) as session:
        k2 = session.exec(select(Indicator).where(Indicator.code == "K.2")).one()
        tw1 = session.exec(select(Period).where(Period.kind == PeriodKind.QUARTER)).one()
        session.add_all([Evidence(indicator_id=k2.id, period_id=tw1.id, kind="document", file_name="lkpm.pdf",
                                  uploaded_at=office_moment(date(2026, 4, 14))),
                         Evidence(indicator_id=k2.id, period_id=tw1.id, kind="link", text="https://oss.go.id",
                                  uploaded_at=office_moment(date(2026, 4, 14)))])
        for form in session.exec(select(UnitForm).where(UnitForm.status == FormStatus.SUBMITTED)).all():
            approve_form(session, form, Actor.cli(), now=office_moment(date(2026, 4, 15), 14))
    return engine


def data_files(engine: Engine, scope: str) -> dict[str, ExportFile]:
    with session_scope(engine) as session:
        files = export_files(session, parse_scope(scope), ExportKind.DATA, "id", today=date(2026, 4, 20))
    return {file.filename.rpartition(".")[2]: file for file in files}


def test_the_columns_never_change_silently():
    assert DATA_COLUMNS == PINNED_COLUMNS


def test_the_xlsx_and_the_csv_hold_the_same_plain_rows(approved):
    files = data_files(approved, "2026-TW1")
    assert [file.filename for file in files.values()] == ["data-2026-TW1.xlsx", "data-2026-TW1.csv"]
    assert {file.title for file in files.values()} == {"Data Capaian Kinerja Triwulan I 2026"}

    sheet = load_workbook(io.BytesIO(files["xlsx"].data)).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == PINNED_COLUMNS
    assert sheet.freeze_panes is None and not sheet["A1"].font.bold  # no styling
    xlsx = {row[0]: dict(zip(PINNED_COLUMNS, row, strict=True)) for row in table[1:]}

    text = files["csv"].data.decode("utf-8")  # UTF-8, no byte order mark
    assert text.startswith(",".join(PINNED_COLUMNS) + "\r\n")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(xlsx) == 14
    by_code = {row["kode"]: row for row in rows}

    s1, p3, k2, sek1 = by_code["S.1"], by_code["P.3"], by_code["K.2"], by_code["SEK.1"]
    assert (s1["tingkat"], s1["induk"], s1["unit"], s1["satuan"], s1["periode"]) == (
        "sasaran", "T.1", "Bidang Penanaman Modal", "Rp", "2026-TW1")
    assert (s1["target"], s1["realisasi"], s1["capaian_persen"], s1["kategori"], s1["status"]) == (
        "120000000000", "114750000000", "95.63", "sangat_tinggi", "disetujui")
    assert (p3["realisasi"], p3["capaian_persen"]) == ("6.67", "104.76")  # '.' decimals, as shown
    assert (k2["jumlah_bukti"], by_code["K.1"]["jumlah_bukti"]) == ("2", "0")
    assert (sek1["target"], sek1["induk"]) == ("85-95", "")  # a range as text; no parent: empty
    assert by_code["K.1"]["kendala"] == "Anggaran promosi baru cair Maret"
    assert "Pengaduan, Kebijakan" in by_code["P.4"]["unit"]  # a comma inside a value, quoted

    for code, row in by_code.items():  # the round trip: the CSV's text reads back as the XLSX's values
        for name in PINNED_COLUMNS:
            value = xlsx[code][name]
            if isinstance(value, int | float):
                assert Decimal(row[name]) == Decimal(str(value)), (code, name)
            else:
                assert row[name] == (value or ""), (code, name)


def test_the_year_and_what_is_not_there(approved):
    rows = list(csv.DictReader(io.StringIO(data_files(approved, "2026")["csv"].data.decode(), newline="")))
    assert {row["periode"] for row in rows} == {"2026"}
    rows = list(csv.DictReader(io.StringIO(data_files(approved, "2026-05")["csv"].data.decode(), newline="")))
    assert {(row["realisasi"], row["capaian_persen"], row["kategori"], row["status"]) for row in rows} == {
        ("", "", "", "kosong")}  # a month with nothing entered
