"""Import of the Perjanjian Kinerja, read like the SOP.

Given the office's PK file (the demo CSV, the XLSX template, or an XLSX typed in Excel), when the Tim SAKIP
imports it, then indicators, units and exact targets are stored; the same file again changes nothing; a changed
target is updated and audited; and a broken file is refused as a whole with `baris N, kolom X: …` problems.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from i18n.problems import render_problem
from models.calc.capaian import Aggregation, NegativeFormula, Polarity
from models.demo import DEMO_PK
from models.exchange.pk_import import PK_COLUMNS, PkImportSummary, default_decimals, import_pk, read_pk_rows
from models.exchange.problems import ImportFailed
from models.office.audit import Actor, AuditEntry
from models.office.organisation import Unit, UnitKind
from models.plan.indicators import Frequency, Indicator, IndicatorKind, IndicatorLevel, IndicatorTarget
from models.store.database import session_scope
from reports.templates import write_template

DEMO_UNITS = {
    "Sekretariat",
    "Bidang Penanaman Modal",
    "Bidang Pelayanan Perizinan",
    "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan",
}


# --------------------------------------------------------------------------------------------- helpers


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the database, read in a fresh transaction."""
    names = sorted(set(sa.inspect(engine).get_table_names()) - {"alembic_version"})
    assert "indicator_targets" in names and "audit_log" in names
    with session_scope(engine) as session:
        return {
            name: session.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
            for name in names
        }


def run_import(engine: Engine, path: Path) -> PkImportSummary:
    """Import the way the CLI does: one transaction, rolled back on any error."""
    with session_scope(engine) as session:
        return import_pk(session, path, Actor.cli())


def failed_import(engine: Engine, path: Path) -> ImportFailed:
    with pytest.raises(ImportFailed) as failure, session_scope(engine) as session:
        import_pk(session, path, Actor.cli())
    return failure.value


def indicator(session: Session, code: str) -> Indicator:
    return session.exec(select(Indicator).where(Indicator.code == code)).one()


def target(session: Session, code: str, year: int = 2026) -> IndicatorTarget:
    return session.exec(
        select(IndicatorTarget).where(IndicatorTarget.indicator_id == indicator(session, code).id,
                                      IndicatorTarget.year == year)
    ).one()


def audit_rows(session: Session, action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list(session.exec(query).all())


def demo_lines() -> list[str]:
    return DEMO_PK.read_text(encoding="utf-8").splitlines()


def edit_cells(lines: list[str], code: str, **cells: str) -> list[str]:
    """The demo lines with some cells of the row of `code` replaced (the demo uses `;` and no quoting)."""
    header = lines[0].split(";")
    edited = []
    for line in lines:
        values = line.split(";")
        if values[0] == code:
            for column, value in cells.items():
                values[header.index(column)] = value
        edited.append(";".join(values))
    assert edited != lines, f"no row {code} in the file"
    return edited


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def pk_line(**cells: str) -> str:
    """One `;` line of a valid PK row (a monthly count of permits), with `cells` changed."""
    row = dict.fromkeys(PK_COLUMNS, "")
    row.update(
        kode="N.1", indikator="Jumlah izin terbit", tingkat="program", jenis="IKK", satuan="izin",
        polaritas="positif", agregasi="kumulatif", frekuensi="bulanan", unit="Bidang Pelayanan Perizinan",
        tahun="2026", target_tahunan="100",
    )
    row.update(cells)
    return ";".join(row[column] for column in PK_COLUMNS)


@pytest.fixture
def demo_pk(engine: Engine) -> Engine:
    """A database holding the demo PK (14 indicators of a DPMPTSP, 2026)."""
    run_import(engine, DEMO_PK)
    return engine


# --------------------------------------------------------------------------------------------- the demo PK


def test_demo_pk_creates_indicators_units_and_exact_targets(engine):
    """Given an empty database, when the demo PK is imported, then 14 indicators of 4 units with exact targets."""
    summary = run_import(engine, DEMO_PK)

    assert summary.indicators_created == 14
    assert summary.targets_created == 14
    assert set(summary.units_created) == DEMO_UNITS
    assert summary.indicators_updated == summary.targets_updated == 0
    with session_scope(engine) as session:
        units = {unit.name: unit for unit in session.exec(select(Unit)).all()}
        assert set(units) == DEMO_UNITS | {"Dinas"}
        office = units["Dinas"]
        assert office.kind == UnitKind.OFFICE and office.parent_id is None
        assert units["Sekretariat"].kind == UnitKind.SEKRETARIAT
        assert units["Bidang Penanaman Modal"].kind == UnitKind.BIDANG
        assert {unit.parent_id for name, unit in units.items() if name != "Dinas"} == {office.id}

        assert len(session.exec(select(Indicator)).all()) == 14
        s1 = target(session, "S.1")
        assert s1.annual == Decimal("600000000000")
        assert s1.annual.as_tuple().exponent == 0  # exact whole Rupiah, never 6E+11
        assert (s1.tw1, s1.tw2, s1.tw3, s1.tw4) == (
            Decimal("120000000000"), Decimal("150000000000"), Decimal("150000000000"), Decimal("180000000000"))
        assert indicator(session, "S.1").decimals == 0

        # NIB is a count (0 decimals), so `1.200` is one thousand two hundred, not 1,2.
        assert indicator(session, "P.1").decimals == 0
        assert target(session, "P.1").annual == Decimal("1200")
        assert target(session, "S.2").annual == Decimal("85")
        assert indicator(session, "S.2").decimals == 2

        sek1 = target(session, "SEK.1")
        assert (sek1.annual, sek1.target_min, sek1.target_max) == (None, Decimal("85"), Decimal("95"))


def test_demo_pk_links_the_renstra_tree_and_keeps_the_settings(demo_pk):
    """Given the demo PK, then every indicator hangs under its induk, with the polarity and formula of the file."""
    with session_scope(demo_pk) as session:
        parents = {
            ind.code: (session.get(Indicator, ind.parent_id).code if ind.parent_id else None)
            for ind in session.exec(select(Indicator)).all()
        }
        assert parents["P.3"] == "S.2"
        assert parents["S.1"] == "T.1"
        assert parents["K.4"] == "P.4"
        assert parents["T.1"] is None and parents["SEK.1"] is None

        p3 = indicator(session, "P.3")
        assert (p3.level, p3.kind, p3.polarity, p3.negative_formula, p3.aggregation, p3.frequency) == (
            IndicatorLevel.PROGRAM, IndicatorKind.IKK, Polarity.NEGATIVE, NegativeFormula.TWO_T_MINUS_R,
            Aggregation.AVERAGE, Frequency.MONTHLY)
        assert indicator(session, "P.5").negative_formula == NegativeFormula.T_OVER_R
        assert indicator(session, "T.1").level == IndicatorLevel.TUJUAN
        assert indicator(session, "K.1").frequency == Frequency.QUARTERLY
        assert indicator(session, "SEK.1").polarity == Polarity.RANGE
        assert session.get(Unit, p3.unit_id).name == "Bidang Pelayanan Perizinan"


def test_read_pk_rows_validates_without_writing(engine):
    """Given the demo file, when it is only read, then 14 rows come back and nothing is stored."""
    before = table_counts(engine)
    with session_scope(engine) as session:
        rows = read_pk_rows(DEMO_PK, session)
        assert [row.code for row in rows][:3] == ["T.1", "S.1", "S.2"]
        assert [row.row for row in rows] == list(range(2, 16))
        assert rows[1].targets["annual"] == Decimal("600000000000")
    assert table_counts(engine) == before


def test_default_decimals_follow_the_satuan():
    assert default_decimals("Rp") == default_decimals("NIB") == default_decimals("Rupiah (juta)") == 0
    assert default_decimals("%") == default_decimals("indeks") == default_decimals("hari") == 2


# --------------------------------------------------------------------------------------------- re-import


def test_reimporting_the_same_file_changes_nothing(demo_pk):
    """Given the demo PK, when the same file is imported again, then nothing changes and no audit row is added."""
    before = table_counts(demo_pk)

    summary = run_import(demo_pk, DEMO_PK)

    assert not summary.changed
    assert summary == PkImportSummary()
    assert table_counts(demo_pk) == before


def test_changed_target_is_updated_and_audited_with_before_and_after(demo_pk, tmp_path):
    """Given the demo PK, when a copy with a new TW I target for S.1 is imported, then only that target changes."""
    changed = write_lines(tmp_path / "pk.csv", edit_cells(demo_lines(), "S.1", target_tw1="125.000.000.000"))
    with session_scope(demo_pk) as session:
        last_audit_id = audit_rows(session)[-1].id
        target_id = target(session, "S.1").id

    summary = run_import(demo_pk, changed)

    assert (summary.targets_updated, summary.indicators_updated, summary.indicators_created) == (1, 0, 0)
    with session_scope(demo_pk) as session:
        s1 = target(session, "S.1")
        assert s1.tw1 == Decimal("125000000000")
        assert s1.annual == Decimal("600000000000")
        new_audit = [row for row in audit_rows(session) if row.id > last_audit_id]
        assert [(row.action, row.entity, row.entity_id, row.actor) for row in new_audit] == [
            ("target.update", "indicator_target", target_id, "cli")]
        assert json.loads(new_audit[0].before) == {"code": "S.1", "year": 2026, "tw1": "120000000000"}
        assert json.loads(new_audit[0].after) == {"code": "S.1", "year": 2026, "tw1": "125000000000"}

    assert not run_import(demo_pk, changed).changed  # and the changed file is itself idempotent


def test_letter_case_of_allowed_values_and_unit_names_is_free(engine, tmp_path):
    """Given a PK typed with `iku`, `Positif`, `BULANAN`, `2t-r`, when imported, then it equals the demo PK."""
    replacements = {";IKU;": ";iku;", ";IKK;": ";Ikk;", ";positif;": ";Positif;", ";negatif;": ";NEGATIF;",
                    ";bulanan;": ";BULANAN;", ";2T-R;": ";2t-r;", ";T/R;": ";t/r;", ";program;": ";Program;",
                    ";nilai_akhir;": ";Nilai_Akhir;", ";Sekretariat;": ";SEKRETARIAT;"}
    text = DEMO_PK.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    shuffled = tmp_path / "pk.csv"
    shuffled.write_text(text, encoding="utf-8")

    summary = run_import(engine, shuffled)

    assert summary.indicators_created == 14
    with session_scope(engine) as session:
        assert indicator(session, "S.1").kind == IndicatorKind.IKU
        assert indicator(session, "P.1").kind == IndicatorKind.IKK
        assert indicator(session, "P.3").polarity == Polarity.NEGATIVE
        assert indicator(session, "P.5").negative_formula == NegativeFormula.T_OVER_R
        assert indicator(session, "P.2").frequency == Frequency.MONTHLY
    # The demo file, in its own letter case, is the same PK: nothing to change, no second Sekretariat.
    assert not run_import(engine, DEMO_PK).changed
    with session_scope(engine) as session:
        assert len(session.exec(select(Unit)).all()) == 5


# --------------------------------------------------------------------------------------------- broken files


def test_broken_file_is_refused_with_every_problem_by_row_and_column(demo_pk, tmp_path):
    """Given the demo PK, when a file with several bad rows is imported, then each is named and nothing changes."""
    header = ";".join(PK_COLUMNS)
    s1_changed = edit_cells(demo_lines(), "S.1", target_tw1="125.000.000.000")[2]
    lines = [
        header,
        s1_changed,                                                    # 2: valid, would update S.1
        pk_line(kode="N.2", tingkat="provinsi"),                       # 3: unknown tingkat
        pk_line(kode="N.3", target_tahunan="abc"),                     # 4
        "",                                                            # 5: blank, skipped but counted
        pk_line(kode="N.4", satuan="indeks", target_tahunan="1.234"),  # 6: 1234 or 1,234?
        pk_line(kode="N.5", satuan="%", target_tahunan="1.234"),       # 7: 1,234 %: an official target, valid
        pk_line(kode="N.6", tahun="20x6"),                             # 8
        pk_line(kode="N.7"),                                           # 9
        pk_line(kode="N.7", target_tahunan="120"),                     # 10: same kode and tahun
        pk_line(kode="N.8", induk="X.99"),                             # 11
        pk_line(kode="N.9", polaritas="rentang", target_tahunan=""),   # 12: a range without bounds
    ]
    broken = write_lines(tmp_path / "broken.csv", lines)
    before = table_counts(demo_pk)

    failure = failed_import(demo_pk, broken)

    found = {(problem.row, problem.column, problem.code) for problem in failure.problems}
    assert found == {
        (3, "tingkat", "invalid_choice"),
        (4, "target_tahunan", "not_a_number"),
        (6, "target_tahunan", "ambiguous_number"),
        (8, "tahun", "not_a_number"),
        (10, "kode", "duplicate_row"),
        (11, "induk", "unknown_parent"),
        (12, "target_min", "range_needs_bounds"),
    }
    assert [problem.row for problem in failure.problems] == sorted(problem.row for problem in failure.problems)
    rendered = {problem.row: render_problem(problem, "id") for problem in failure.problems}
    for problem in failure.problems:
        assert rendered[problem.row].startswith(f"baris {problem.row}, kolom {problem.column}: ")
    assert "'provinsi' tidak dikenal" in rendered[3] and "tujuan | sasaran" in rendered[3]
    assert "'abc' bukan angka" in rendered[4]
    assert "'1.234' bisa berarti 1.234 atau 1,234" in rendered[6]
    assert "kode N.7 tahun 2026 sudah ada di baris 9" in rendered[10]
    assert "induk 'X.99' tidak ditemukan" in rendered[11]
    assert "rentang" in rendered[12]

    assert table_counts(demo_pk) == before
    with session_scope(demo_pk) as session:
        assert target(session, "S.1").tw1 == Decimal("120000000000")


def test_percent_target_with_three_decimals_is_kept_as_the_pk_gives_it(demo_pk, tmp_path):
    """Given a % indicator, when its target is `1.234`, then it is 1,234 % (a percent's reading), kept exactly:
    an official target is never rounded nor refused for its decimals, and the indicator gets 3 decimals."""
    path = write_lines(tmp_path / "pk.csv", [";".join(PK_COLUMNS), pk_line(satuan="%", target_tahunan="1.234")])

    run_import(demo_pk, path)

    with session_scope(demo_pk) as session:
        assert target(session, "N.1").annual == Decimal("1.234")
        assert indicator(session, "N.1").decimals == 3


def test_missing_required_column_is_named_on_the_header_row(demo_pk, tmp_path):
    """Given a file without the `agregasi` column, then `baris 1, kolom agregasi` and nothing is written."""
    lines = demo_lines()
    drop = lines[0].split(";").index("agregasi")
    without = [";".join(value for index, value in enumerate(line.split(";")) if index != drop) for line in lines]
    broken = write_lines(tmp_path / "pk.csv", without)
    before = table_counts(demo_pk)

    failure = failed_import(demo_pk, broken)

    assert [(p.row, p.column, p.code) for p in failure.problems] == [(1, "agregasi", "missing_column")]
    assert render_problem(failure.problems[0], "id") == \
        "baris 1, kolom agregasi: kolom ini tidak ada di baris judul"
    assert table_counts(demo_pk) == before


# --------------------------------------------------------------------------------------------- XLSX


def test_template_written_by_the_bot_imports_its_example_rows(engine, tmp_path):
    """Given the XLSX template, when it is imported as it is, then its CONTOH rows become indicators."""
    path = tmp_path / "pk.xlsx"
    write_template(path)
    workbook = load_workbook(path)
    assert workbook.sheetnames[0] == "PK"
    assert [cell.value for cell in workbook["PK"][1]] == [*PK_COLUMNS, "target_renstra", "tahun_renstra", "pagu"]

    summary = run_import(engine, path)

    assert summary.indicators_created == summary.targets_created == 4  # and CONTOH.2's budget line
    with session_scope(engine) as session:
        assert indicator(session, "CONTOH.1").target_renstra == Decimal("3000000000000")
        budget = indicator(session, "ANG.CONTOH.2")
        assert session.get(Indicator, budget.budget_of_id).code == "CONTOH.2"
        assert target(session, "ANG.CONTOH.2").annual == Decimal("1250000000")
        assert target(session, "CONTOH.1").annual == Decimal("600000000000")
        assert target(session, "CONTOH.1").tw4 == Decimal("180000000000")
        contoh2 = indicator(session, "CONTOH.2")
        assert session.get(Indicator, contoh2.parent_id).code == "CONTOH.1"
        assert contoh2.polarity == Polarity.NEGATIVE
        contoh3 = target(session, "CONTOH.3")
        assert (contoh3.target_min, contoh3.target_max) == (Decimal("85"), Decimal("95"))
    assert not run_import(engine, path).changed


def excel_pk(path: Path, rows: list[dict[str, object]], blank_row_after: int | None = None) -> Path:
    """An XLSX as Excel saves it: numbers are numbers (int or float), not text."""
    workbook = Workbook()
    notes = workbook.active
    notes.title = "Catatan"  # the PK sheet is found by name, not by position
    notes.append(["bukan data"])
    sheet = workbook.create_sheet("PK")
    sheet.append(list(PK_COLUMNS))
    for index, cells in enumerate(rows):
        row = {column: None for column in PK_COLUMNS}
        row.update(kode=f"X.{index + 1}", indikator=f"Indikator {index + 1}", tingkat="program", jenis="IKU",
                   satuan="%", polaritas="positif", agregasi="nilai_akhir", frekuensi="bulanan",
                   unit="Sekretariat", tahun=2026, target_tahunan=90)
        row.update(cells)
        sheet.append([row[column] for column in PK_COLUMNS])
        if blank_row_after == index:
            sheet.append([None] * len(PK_COLUMNS))
    workbook.save(path)
    return path


def test_xlsx_with_excel_native_numbers_imports_exactly(engine, tmp_path):
    """Given targets typed in Excel (stored as int and float), then they are stored as exact Decimals."""
    path = excel_pk(tmp_path / "pk.xlsx", [
        {"satuan": "Rp", "agregasi": "kumulatif", "target_tahunan": 600_000_000_000,
         "target_tw1": 120000000000.0, "target_tw2": 150_000_000_000},
        {"target_tahunan": 85.3, "target_tw1": 0.1, "tahun": 2026.0},
        {"satuan": "NIB", "target_tahunan": 1200, "target_tw1": 300.0},
        {"polaritas": "rentang", "target_tahunan": None, "target_min": 85.5, "target_max": 95},
    ])

    summary = run_import(engine, path)

    assert summary.indicators_created == 4
    with session_scope(engine) as session:
        rupiah = target(session, "X.1")
        assert (rupiah.annual, rupiah.tw1, rupiah.tw2) == (
            Decimal("600000000000"), Decimal("120000000000"), Decimal("150000000000"))
        percent = target(session, "X.2")
        assert percent.annual == Decimal("85.3")  # not 85.2999999999999971578...
        assert percent.tw1 == Decimal("0.1")
        assert percent.year == 2026
        assert (target(session, "X.3").annual, target(session, "X.3").tw1) == (Decimal("1200"), Decimal("300"))
        assert (target(session, "X.4").target_min, target(session, "X.4").target_max) == (
            Decimal("85.5"), Decimal("95"))
    assert not run_import(engine, path).changed


def test_xlsx_problems_name_the_sheet_row(engine, tmp_path):
    """Given an XLSX with a blank row before a bad one, then the problem names the row Excel shows."""
    path = excel_pk(tmp_path / "pk.xlsx", [{}, {"frekuensi": "harian"}], blank_row_after=0)
    before = table_counts(engine)

    failure = failed_import(engine, path)

    assert [(p.row, p.column, p.code) for p in failure.problems] == [(4, "frekuensi", "invalid_choice")]
    assert render_problem(failure.problems[0], "id").startswith("baris 4, kolom frekuensi: nilai 'harian'")
    assert table_counts(engine) == before


def test_an_unrounded_excel_formula_target_is_refused_with_a_clear_message(engine, tmp_path):
    """Given a % target Excel computed as =286/3 (the float 95.333…), when the file is imported, then it is
    refused with a message to round it (it has more decimals than can be stored), and nothing is written."""
    before = table_counts(engine)
    path = excel_pk(tmp_path / "pk.xlsx", [{"target_tahunan": 286 / 3}])
    with pytest.raises(ImportFailed) as failure:
        run_import(engine, path)
    assert [(p.row, p.column, p.code) for p in failure.value.problems] == [(2, "target_tahunan", "too_precise")]
    assert "ROUND" in render_problem(failure.value.problems[0], "id")
    assert table_counts(engine) == before


def test_a_rounded_excel_formula_target_reimports_without_changes(engine, tmp_path):
    """Given a % target Excel computed as =ROUND(286/3; 2) (the float 95.33), when the file is imported twice,
    then the second import changes nothing, and the audit log tells what the database holds."""
    path = excel_pk(tmp_path / "pk.xlsx", [{"target_tahunan": round(286 / 3, 2)}])
    run_import(engine, path)

    summary = run_import(engine, path)

    assert not summary.changed
    with session_scope(engine) as session:
        assert audit_rows(session, "target.update") == []
        created = json.loads(audit_rows(session, "target.create")[0].after)
        assert Decimal(created["annual"]) == target(session, "X.1").annual == Decimal("95.33")