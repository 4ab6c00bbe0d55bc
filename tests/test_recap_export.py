"""Recap and Kertas Kerja, read like the SOP (Procedure A step 8, Procedure B steps 5 and 6).

Given the demo PK and the demo Triwulan I realisasi, when the Tim SAKIP recaps a month, a triwulan or the year,
then capaian follows each indicator's polarity, formula and aggregation; and the Kertas Kerja written to Excel
holds one row per indicator in Renstra order, with capaian as a number rounded to 2 decimals.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.calc.capaian import Polarity, Rating, RuleKey
from models.calc.clock import system_clock
from models.collection.recap import Recap, RecapRow, compute_recap
from models.collection.workflow import enter_realisasi
from models.demo import DEMO_PK, DEMO_REALISASI
from models.exchange.pk_import import import_pk
from models.exchange.realisasi_import import import_realisasi
from models.office.audit import Actor
from models.plan.indicators import Indicator, IndicatorLevel
from models.plan.periods import Period, PeriodKind, PeriodStatus, parse_scope
from models.store.database import session_scope
from reports.data_export import DATA_COLUMNS, data_rows, data_xlsx
from tests.conftest import office_moment

TW1_ORDER = ["T.1", "S.1", "S.2", "P.1", "P.2", "P.3", "P.4", "P.5", "SEK.1", "SEK.2", "K.1", "K.2", "K.3", "K.4"]
CENT = Decimal("0.01")


@pytest.fixture
def demo_pk(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
    return engine


@pytest.fixture
def recorded(demo_pk: Engine) -> Engine:
    """The demo PK and the demo Triwulan I realisasi."""
    with session_scope(demo_pk) as session:
        import_realisasi(session, DEMO_REALISASI, Actor.cli(), office_moment(date(2026, 4, 15)))
    return demo_pk


def recap_of(engine: Engine, scope: str) -> Recap:
    with session_scope(engine) as session:
        return compute_recap(session, parse_scope(scope))


def by_code(recap: Recap) -> dict[str, RecapRow]:
    return {row.indicator.code: row for row in recap.rows}


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------- recap


def test_triwulan_recap_follows_each_indicator_s_rule(recorded):
    """Given TW I, then every indicator is measured against its TW I target with its own aggregation."""
    rows = by_code(recap_of(recorded, "2026-TW1"))

    assert list(rows) == TW1_ORDER
    s1 = rows["S.1"]  # cumulative: 35,5 + 41,25 + 38 milyar against 120 milyar
    assert (s1.realisasi, s1.target.value) == (Decimal("114750000000"), Decimal("120000000000"))
    assert (s1.capaian.rounded, s1.capaian.rule) == (Decimal("95.63"), RuleKey.POSITIVE)  # 95.625, half up

    p3 = rows["P.3"]  # lower is better, 2T-R, average of 6.5, 7.5 and 6 days against 7
    assert abs(p3.realisasi - (Decimal("6.5") + Decimal("7.5") + Decimal("6")) / 3) < Decimal("1e-20")
    assert (p3.capaian.rounded, p3.capaian.rule) == (Decimal("104.76"), RuleKey.NEGATIVE_2T_MINUS_R)

    p5 = rows["P.5"]  # lower is better, T/R, average of 4, 6 and 5 days against 5
    assert (p5.realisasi, p5.capaian.rounded, p5.capaian.rule) == (
        Decimal("5"), Decimal("100.00"), RuleKey.NEGATIVE_T_OVER_R)

    sek1 = rows["SEK.1"]  # range 85-95, last value of the triwulan (92)
    assert (sek1.target.lower, sek1.target.upper, sek1.realisasi) == (Decimal("85"), Decimal("95"), Decimal("92"))
    assert (sek1.capaian.rounded, sek1.capaian.rule) == (Decimal("100.00"), RuleKey.RANGE_INSIDE)

    k1 = rows["K.1"]  # one promotion out of two
    assert (k1.realisasi, k1.target.value, k1.capaian.rounded) == (Decimal("1"), Decimal("2"), Decimal("50.00"))
    assert (k1.capaian.rating, k1.capaian.tercapai) == (Rating.SANGAT_RENDAH, False)
    assert k1.kendala == ["Anggaran promosi baru cair Maret"]
    assert k1.tindak_lanjut == ["Promosi digeser ke TW II"]

    assert rows["P.4"].kendala == ["Februari 2026: Dua pengaduan menunggu dokumen pemohon"]
    assert (rows["P.1"].realisasi, rows["P.1"].capaian.rounded) == (Decimal("285"), Decimal("95.00"))
    assert rows["S.2"].unit_name == "Bidang Pelayanan Perizinan"


def test_month_recap_lists_only_monthly_indicators(recorded):
    """Given February, then only the 8 monthly indicators, each against its share of the TW I target."""
    rows = by_code(recap_of(recorded, "2026-02"))

    assert list(rows) == ["S.1", "P.1", "P.2", "P.3", "P.4", "P.5", "SEK.1", "K.3"]
    p3 = rows["P.3"]
    assert (p3.realisasi, p3.target.value, p3.capaian.rounded) == (Decimal("7.5"), Decimal("7"), Decimal("92.86"))
    s1 = rows["S.1"]  # a cumulative TW target is split evenly over its months
    assert (s1.realisasi, s1.target.value) == (Decimal("41250000000"), Decimal("40000000000"))
    assert s1.capaian.rounded == Decimal("103.13")
    sek1 = rows["SEK.1"]  # 80 is below the range: 80 / 85
    assert (sek1.capaian.rule, sek1.capaian.rounded) == (RuleKey.RANGE_BELOW, Decimal("94.12"))
    assert rows["P.5"].capaian.rounded == Decimal("83.33")  # T/R: 5 / 6
    assert rows["P.4"].kendala == ["Dua pengaduan menunggu dokumen pemohon"]  # one month: no label


def test_year_recap_uses_annual_targets(recorded):
    """Given the whole of 2026 (only TW I reported), then every indicator is measured against its annual target."""
    rows = by_code(recap_of(recorded, "2026"))

    assert list(rows) == TW1_ORDER
    s1 = rows["S.1"]
    assert (s1.target.value, s1.realisasi, s1.capaian.rounded) == (
        Decimal("600000000000"), Decimal("114750000000"), Decimal("19.13"))  # 19.125, half up
    assert (rows["K.1"].target.value, rows["K.1"].capaian.rounded) == (Decimal("8"), Decimal("12.50"))
    assert (rows["P.1"].target.value, rows["P.1"].capaian.rounded) == (Decimal("1200"), Decimal("23.75"))
    assert (rows["S.2"].target.value, rows["S.2"].capaian.rounded) == (Decimal("85"), Decimal("97.88"))
    assert rows["P.3"].capaian.rounded == Decimal("104.76")
    assert rows["K.1"].kendala == ["Triwulan I 2026: Anggaran promosi baru cair Maret"]


def test_recap_without_realisasi_has_no_capaian(demo_pk):
    """Given the PK but no realisasi yet, then the recap lists every indicator with no capaian and no rating."""
    rows = by_code(recap_of(demo_pk, "2026-TW1"))

    assert list(rows) == TW1_ORDER
    assert {(row.realisasi, row.capaian.value, row.capaian.rule) for row in rows.values()} == {
        (None, None, RuleKey.NO_REALISASI)}
    assert rows["S.1"].target.value == Decimal("120000000000")


# --------------------------------------------------------------------------------------------- the data export
# (the Kertas Kerja's values under fixed columns; its layout: tests/test_kertas_kerja.py)


def read_kertas_kerja(engine: Engine, scope: str, path: Path):
    with session_scope(engine) as session:
        recap = compute_recap(session, parse_scope(scope))
        path.write_bytes(data_xlsx(data_rows(session, recap, Counter()), "data"))
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["data"]
    return workbook["data"]


def test_kertas_kerja_has_one_row_per_indicator_with_capaian_rounded(recorded, tmp_path):
    """Given the TW I recap, when it is exported, then Excel gets the fixed header, Renstra order and numbers."""
    with session_scope(recorded) as session:
        levels = {ind.code: IndicatorLevel(ind.level) for ind in session.exec(select(Indicator)).all()}
        polarity = {ind.code: Polarity(ind.polarity) for ind in session.exec(select(Indicator)).all()}

    sheet = read_kertas_kerja(recorded, "2026-TW1", tmp_path / "kk.xlsx")

    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == DATA_COLUMNS
    data = [dict(zip(DATA_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert [row["kode"] for row in data] == TW1_ORDER
    order = [levels[row["kode"]] for row in data]
    assert list(dict.fromkeys(order)) == [
        IndicatorLevel.TUJUAN, IndicatorLevel.SASARAN, IndicatorLevel.PROGRAM, IndicatorLevel.KEGIATAN]

    row = {row["kode"]: row for row in data}
    assert (row["S.1"]["target"], row["S.1"]["realisasi"], row["S.1"]["capaian_persen"]) == (
        120000000000, 114750000000, 95.63)
    assert row["S.1"]["satuan"] == "Rp" and row["S.1"]["indikator"] == "Nilai realisasi investasi"
    assert (row["K.1"]["capaian_persen"], row["K.1"]["kategori"]) == (50, "sangat_rendah")
    assert row["K.1"]["kendala"] == "Anggaran promosi baru cair Maret"
    assert row["P.3"]["capaian_persen"] == 104.76
    assert row["P.3"]["realisasi"] == 6.67  # the average, shown with the indicator's 2 decimals
    assert row["SEK.1"]["target"] == "85-95"
    positives = [code for code in TW1_ORDER if polarity[code] is Polarity.POSITIVE]
    assert len(positives) == 11
    for code in positives:  # capaian recomputed here from the figures in the sheet, rounded as offices do
        realisasi, target = Decimal(str(row[code]["realisasi"])), Decimal(str(row[code]["target"]))
        assert Decimal(str(row[code]["capaian_persen"])) == half_up(realisasi / target * 100), code
    for code in TW1_ORDER:
        capaian = row[code]["capaian_persen"]
        assert isinstance(capaian, int | float) and not isinstance(capaian, bool), code
        assert Decimal(str(capaian)) == half_up(Decimal(str(capaian))), code


def test_kendala_that_looks_like_a_formula_stays_text(demo_pk, tmp_path):
    """Given staff wrote kendala starting with =, +, - or @, when the data are exported, then Excel gets
    the text as a string cell, never a formula it would run."""
    texts = {"K.1": '=HYPERLINK("http://contoh.test","klik")', "K.2": "+62 812 0000", "K.4": "-belum ada dana",
             "SEK.2": "@SUM(A1:A9)"}
    with session_scope(demo_pk) as session:
        tw1 = Period(kind=PeriodKind.QUARTER, year=2026, number=1, status=PeriodStatus.OPEN)
        session.add(tw1)
        session.flush()
        for code, text in texts.items():
            ind = session.exec(select(Indicator).where(Indicator.code == code)).one()
            enter_realisasi(session, ind, tw1, Decimal(1), Actor.cli(), kendala=text, tindak_lanjut=text,
                            now=system_clock())
    path = tmp_path / "kk.xlsx"

    sheet = read_kertas_kerja(demo_pk, "2026-TW1", path)

    kendala = DATA_COLUMNS.index("kendala")
    tindak_lanjut = DATA_COLUMNS.index("tindak_lanjut")
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    for code, text in texts.items():
        for cell in (cells[code][kendala], cells[code][tindak_lanjut]):
            assert (cell.value, cell.data_type) == (text, "s"), code
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
