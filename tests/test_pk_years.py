"""The Perjanjian Kinerja of each year and its PK Perubahan, read like the SOP.

Given the PK of 2026 and the PK of 2027, which drops one indicator and adds another, then a 2027 form asks only
the 2027 PK while 2026's Kertas Kerja still lists the dropped one with its values; a dry run (`--periksa`) tells
what an import adds, drops and re-targets and writes nothing; a PK Perubahan from 1 July changes the targets of
the periods that start on or after it and leaves earlier capaian as they were; and a PK published with 3-decimal
targets over several years, without a `desimal` column, is imported as it is (0,604 stays 0,604).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.pk_cli import summary_lines
from i18n.problems import render_problem
from models.calc.capaian import compute_capaian
from models.calc.clock import OFFICE_TZ
from models.calc.numbers import parse_number
from models.collection.form_filling import form_items, unit_indicators
from models.collection.forms import UnitForm
from models.collection.progress import period_progress
from models.collection.recap import compute_recap
from models.collection.workflow import enter_realisasi
from models.exchange.pk_apply import PkLine, Retarget, TargetChange
from models.exchange.pk_import import PK_COLUMNS, import_pk
from models.exchange.problems import ImportFailed
from models.exchange.realisasi_import import import_realisasi
from models.office.audit import Actor, AuditEntry
from models.office.organisation import Unit
from models.plan.indicators import Indicator, IndicatorTarget
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.plan.pk import indicators_of
from models.store.database import session_scope
from models.timing.schedule import has_targets
from reports.data_export import DATA_COLUMNS
from reports.export_kinds import ExportKind
from reports.workbooks import export_files
from tests.test_cli import cli, run  # noqa: F401  (`cli`: a fixture)

UNIT = "Bidang Pelayanan Perizinan"
NOW = datetime(2027, 2, 1, 9, tzinfo=OFFICE_TZ)


# --------------------------------------------------------------------------------------------- helpers


def line(code: str, year: int, **cells: object) -> dict[str, object]:
    """A PK line as an office types it in Excel (numbers as numbers): a monthly percentage by default."""
    return {"kode": code, "indikator": f"Persentase layanan {code}", "tingkat": "program", "jenis": "IKU",
            "satuan": "%", "polaritas": "positif", "agregasi": "nilai_akhir", "frekuensi": "bulanan",
            "unit": UNIT, "tahun": year, "target_tahunan": 90, **cells}


def pk_file(path: Path, lines: list[dict[str, object]], columns: tuple[str, ...] = PK_COLUMNS) -> Path:
    """An XLSX with the PK sheet, as offices publish it (no `desimal` column unless `columns` has it)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "PK"
    sheet.append(list(columns))
    for cells in lines:
        sheet.append([cells.get(column) for column in columns])
    workbook.save(path)
    return path


def imported(engine: Engine, path: Path, **options):
    with session_scope(engine) as session:
        return import_pk(session, path, Actor.cli(), **options)


def table_counts(engine: Engine) -> dict[str, int]:
    names = sorted(set(sa.inspect(engine).get_table_names()) - {"alembic_version"})
    with session_scope(engine) as session:
        return {name: session.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
                for name in names}


def indicator(session: Session, code: str) -> Indicator:
    return session.exec(select(Indicator).where(Indicator.code == code)).one()


def period(session: Session, kind: PeriodKind, year: int, number: int) -> Period:
    """The period, stored (open) when it is not yet."""
    found = session.exec(select(Period).where(Period.kind == kind, Period.year == year,
                                              Period.number == number)).first()
    if found is None:
        found = Period(kind=kind, year=year, number=number, status=PeriodStatus.OPEN)
        session.add(found)
        session.flush()
    return found


def enter(session: Session, code: str, kind: PeriodKind, year: int, number: int, value: str) -> None:
    enter_realisasi(session, indicator(session, code), period(session, kind, year, number), Decimal(value),
                    Actor.cli(), now=NOW)


def codes(indicators: list[Indicator]) -> list[str]:
    return [item.code for item in indicators]


def kertas_kerja(session: Session, scope: PeriodRef | int) -> dict[str, tuple]:
    """The data export of the scope (the Kertas Kerja's values, those not approved yet included), rows by kode."""
    file, _ = export_files(session, scope, ExportKind.DATA, "id", today=date(2027, 2, 1), include_drafts=True)
    rows = list(load_workbook(BytesIO(file.data)).active.iter_rows(values_only=True))
    return {row[0]: row for row in rows[1:] if row[0] in {"K.1", "K.2", "K.3"}}


def capaian(recap, code: str) -> Decimal | None:
    row = next((row for row in recap.rows if row.indicator.code == code), None)
    return None if row is None else row.capaian.rounded


# --------------------------------------------------------------------------------------------- a PK per year


def test_an_indicator_dropped_from_2027_is_not_asked_in_2027_and_stays_in_2026(engine, tmp_path):
    """Given the 2026 PK (K.1, K.2) and the 2027 PK (K.1, K.3), when the forms and the Kertas Kerja are made,
    then January 2027 asks K.1 and K.3, December 2026 asks K.1 and K.2, and 2026's Kertas Kerja lists K.2
    with its value."""
    imported(engine, pk_file(tmp_path / "pk2026.xlsx", [line("K.1", 2026), line("K.2", 2026, target_tahunan=70)]))
    summary = imported(engine, pk_file(tmp_path / "pk2027.xlsx", [line("K.1", 2027), line("K.3", 2027)]))
    assert summary.added == [PkLine("K.1", 2027), PkLine("K.3", 2027)] and summary.dropped == []

    with session_scope(engine) as session:
        enter(session, "K.2", PeriodKind.MONTH, 2026, 12, "75")
        enter(session, "K.1", PeriodKind.MONTH, 2027, 1, "91")
    with session_scope(engine) as session:
        unit = session.exec(select(Unit).where(Unit.name == UNIT)).one()
        january = period(session, PeriodKind.MONTH, 2027, 1)
        december = period(session, PeriodKind.MONTH, 2026, 12)
        assert codes(unit_indicators(session, unit.id, january)) == ["K.1", "K.3"]
        assert codes(unit_indicators(session, unit.id, december)) == ["K.1", "K.2"]
        form = session.exec(select(UnitForm).where(UnitForm.period_id == january.id)).one()
        assert [item.indicator.code for item in form_items(session, form)] == ["K.1", "K.3"]
        assert [(row.answered, row.total) for row in period_progress(session, january, date(2027, 2, 1))] == [(1, 2)]
        assert codes(indicators_of(session, 2026)) == ["K.1", "K.2"]
        assert codes(indicators_of(session, 2027)) == ["K.1", "K.3"]
        assert has_targets(session, PeriodRef(PeriodKind.MONTH, 2027, 1))
        assert not has_targets(session, PeriodRef(PeriodKind.MONTH, 2028, 1))

        year_2026 = kertas_kerja(session, 2026)
        assert set(year_2026) == {"K.1", "K.2"}
        k2 = year_2026["K.2"]
        assert k2[DATA_COLUMNS.index("realisasi")] == 75
        assert set(kertas_kerja(session, PeriodRef(PeriodKind.MONTH, 2027, 1))) == {"K.1", "K.3"}
        assert set(kertas_kerja(session, 2027)) == {"K.1", "K.3"}


# --------------------------------------------------------------------------------------------- the dry run


def test_a_dry_run_tells_what_would_be_added_dropped_and_retargeted_and_writes_nothing(engine, tmp_path):
    """Given the 2026 PK (K.1 at 90, K.2), when a file with K.1 at 95,5 and K.3 is checked, then K.3 is added,
    K.2 dropped and K.1 re-targeted 90 → 95,5, and nothing is written; imported, it says the same."""
    imported(engine, pk_file(tmp_path / "pk.xlsx", [line("K.1", 2026), line("K.2", 2026)]))
    before = table_counts(engine)
    changed = pk_file(tmp_path / "new.xlsx", [line("K.1", 2026, target_tahunan=95.5), line("K.3", 2026)])

    checked = imported(engine, changed, dry_run=True)

    assert table_counts(engine) == before
    assert checked.added == [PkLine("K.3", 2026)]
    assert checked.dropped == [PkLine("K.2", 2026)]
    assert checked.retargeted == [Retarget("K.1", 2026, (TargetChange("target_tahunan", Decimal(90),
                                                                       Decimal("95.5")),))]
    lines = summary_lines(checked, "id", checked=True)
    assert lines[0].startswith("Pemeriksaan saja (--periksa): tidak ada yang disimpan.")
    assert "  Masuk PK 2026: K.3" in lines and "  Keluar dari PK 2026: K.2" in lines
    assert "  Target K.1 tahun 2026 diubah: target_tahunan 90 → 95,5" in lines

    applied = imported(engine, changed)

    assert (applied.added, applied.dropped, applied.retargeted) == (
        checked.added, checked.dropped, checked.retargeted)
    assert summary_lines(applied, "id")[1:] == lines[2:]
    with session_scope(engine) as session:
        assert codes(indicators_of(session, 2026)) == ["K.1", "K.3"]
        drop = session.exec(select(AuditEntry).where(AuditEntry.action == "target.drop")).one()
        assert json.loads(drop.after) == {"code": "K.2", "year": 2026, "dropped": True}
    assert not imported(engine, changed).changed


def test_the_command_line_checks_with_periksa_then_imports(cli, capsys, tmp_path):  # noqa: F811
    """`sakip-bot import-pk FILE --periksa` prints what would change and exits 0; nothing is stored until the
    same command without it."""
    path = pk_file(tmp_path / "pk.xlsx", [line("K.1", 2026), line("K.2", 2026)])

    code, out, err = run(capsys, "import-pk", str(path), "--periksa")

    assert (code, err) == (0, [])
    assert out == ["Pemeriksaan saja (--periksa): tidak ada yang disimpan. Jika berkas ini diimpor:",
                   "Perjanjian Kinerja diimpor: 2 indikator baru, 0 indikator diubah, 2 target baru, 0 target diubah, "
                   "0 indikator keluar dari PK. Unit baru: Bidang Pelayanan Perizinan.",
                   "  Masuk PK 2026: K.1, K.2"]
    code, out, err = run(capsys, "import-pk", str(path), "--periksa")
    assert out[1].startswith("Perjanjian Kinerja diimpor: 2 indikator baru")  # still nothing stored
    code, out, err = run(capsys, "import-pk", str(path))
    assert (code, out[0]) == (0, "Perjanjian Kinerja diimpor: 2 indikator baru, 0 indikator diubah, 2 target baru, "
                                 "0 target diubah, 0 indikator keluar dari PK. Unit baru: Bidang Pelayanan Perizinan.")
    code, out, err = run(capsys, "import-pk", str(path), "--berlaku-mulai", "2026-13-01")
    assert (code, out, err) == (1, [], ["Tanggal '2026-13-01' tidak valid; gunakan TTTT-BB-HH, misalnya 2026-07-01."])


# --------------------------------------------------------------------------------------------- PK Perubahan


def quarterly(code: str, target: object, **cells: object) -> dict[str, object]:
    return line(code, 2026, frekuensi="triwulanan", target_tahunan=target, target_tw1=target, target_tw2=target,
                target_tw3=target, target_tw4=target, **cells)


def test_a_pk_perubahan_changes_later_periods_and_keeps_earlier_capaian(engine, tmp_path):
    """Given the 2026 PK (K.1 at 80 each triwulan, K.2) and values of TW II and TW III, when a PK Perubahan from
    1 July sets K.1 to 100 and drops K.2, then TW II keeps 100% against 80 and lists K.2, TW III is 80% against
    100 without K.2, the year is measured against 100, and the change is audited with its date."""
    imported(engine, pk_file(tmp_path / "pk.xlsx", [quarterly("K.1", 80), quarterly("K.2", 50)]))
    with session_scope(engine) as session:
        for number in (2, 3):
            enter(session, "K.1", PeriodKind.QUARTER, 2026, number, "80")
        enter(session, "K.2", PeriodKind.QUARTER, 2026, 2, "50")
    tw2, tw3 = PeriodRef(PeriodKind.QUARTER, 2026, 2), PeriodRef(PeriodKind.QUARTER, 2026, 3)
    with session_scope(engine) as session:
        assert (capaian(compute_recap(session, tw2), "K.1"), capaian(compute_recap(session, tw3), "K.1")) == (
            Decimal(100), Decimal(100))
    perubahan = pk_file(tmp_path / "perubahan.xlsx", [quarterly("K.1", 100)])

    summary = imported(engine, perubahan, valid_from=date(2026, 7, 1))

    assert summary.dropped == [PkLine("K.2", 2026)]
    assert [(change.column, change.before, change.after) for change in summary.retargeted[0].changes] == [
        (column, Decimal(80), Decimal(100))
        for column in ("target_tahunan", "target_tw1", "target_tw2", "target_tw3", "target_tw4")]
    with session_scope(engine) as session:
        before, after = compute_recap(session, tw2), compute_recap(session, tw3)
        assert capaian(before, "K.1") == Decimal(100) and capaian(before, "K.2") == Decimal(100)  # as they were
        assert capaian(after, "K.1") == Decimal(80) and capaian(after, "K.2") is None  # K.2 left the PK
        assert codes(indicators_of(session, tw3)) == ["K.1"]
        year = compute_recap(session, 2026)
        assert {row.indicator.code: row.target.value for row in year.rows} == {"K.1": Decimal(100),
                                                                               "K.2": Decimal(50)}
        k1 = indicator(session, "K.1")
        rows = session.exec(select(IndicatorTarget).where(IndicatorTarget.indicator_id == k1.id)
                            .order_by(IndicatorTarget.valid_from)).all()
        assert [(row.valid_from, row.tw2) for row in rows] == [(date(2026, 1, 1), Decimal(80)),
                                                               (date(2026, 7, 1), Decimal(100))]
        update = session.exec(select(AuditEntry).where(AuditEntry.action == "target.update")).one()
        assert json.loads(update.before)["berlaku_mulai"] == "2026-07-01"
        assert json.loads(update.after)["annual"] == "100"
    assert not imported(engine, perubahan, valid_from=date(2026, 7, 1)).changed

    # a PK Perubahan from a day inside a triwulan leaves that triwulan as it was (it started before)
    imported(engine, pk_file(tmp_path / "again.xlsx", [quarterly("K.1", 120)]), valid_from=date(2026, 7, 15))
    with session_scope(engine) as session:
        assert capaian(compute_recap(session, tw3), "K.1") == Decimal(80)
        assert compute_recap(session, 2026).rows[0].target.value == Decimal(120)


def test_a_pk_perubahan_holds_its_own_year_only(engine, tmp_path):
    """Given a PK Perubahan from 1 July 2026 with a row of 2027, then that row is refused by row and column."""
    path = pk_file(tmp_path / "perubahan.xlsx", [quarterly("K.1", 100), {**quarterly("K.1", 100), "tahun": 2027}])
    before = table_counts(engine)
    with pytest.raises(ImportFailed) as failure:
        imported(engine, path, valid_from=date(2026, 7, 1))
    assert [(p.row, p.column, p.code) for p in failure.value.problems] == [(3, "tahun", "perubahan_other_year")]
    assert table_counts(engine) == before


# --------------------------------------------------------------------------------------------- decimals


PUBLISHED = [  # an index with 3-decimal targets over three years, a percentage and a count, as a PK publishes them
    line("IPM.1", year, indikator="Indeks kepuasan layanan perizinan", satuan="indeks", frekuensi="triwulanan",
         target_tahunan=target, target_tw1=target, target_tw2=target, target_tw3=target, target_tw4=target)
    for year, target in ((2025, 0.598), (2026, 0.604), (2027, 0.612))
] + [
    line("P.1", year, satuan="%", target_tahunan=target) for year, target in ((2025, 85.25), (2026, 86.5), (2027, 88))
] + [
    line("P.2", year, satuan="izin", agregasi="kumulatif", target_tahunan=1200) for year in (2025, 2026, 2027)
]


def test_a_pk_as_offices_publish_it_imports_its_targets_exactly(engine, tmp_path):
    """Given a published PK (3-decimal index targets, several years, no `desimal` column), when it is imported,
    then 0,604 stays 0,604, the index gets 3 decimals, and a realisasi of 0,61 makes 100,99% (not 101,67%
    against a rounded 0,60)."""
    summary = imported(engine, pk_file(tmp_path / "pk.xlsx", PUBLISHED))

    assert summary.indicators_created == 3 and len(summary.added) == 9
    with session_scope(engine) as session:
        index = indicator(session, "IPM.1")
        assert (index.decimals, indicator(session, "P.1").decimals, indicator(session, "P.2").decimals) == (3, 2, 0)
        target = session.exec(select(IndicatorTarget).where(IndicatorTarget.indicator_id == index.id,
                                                            IndicatorTarget.year == 2026)).one()
        assert (target.annual, target.tw1) == (Decimal("0.604"), Decimal("0.604"))
        typed = parse_number("0,61", decimals=index.decimals)
        enter(session, "IPM.1", PeriodKind.QUARTER, 2026, 1, str(typed))
    with session_scope(engine) as session:
        row = next(row for row in compute_recap(session, PeriodRef(PeriodKind.QUARTER, 2026, 1)).rows
                   if row.indicator.code == "IPM.1")
        assert row.target.value == Decimal("0.604")
        assert row.capaian.rounded == Decimal("100.99")
        assert compute_capaian(Decimal("0.61"), Decimal("0.60"), index.rule).rounded == Decimal("101.67")
    assert not imported(engine, pk_file(tmp_path / "pk.xlsx", PUBLISHED)).changed


def test_decimals_never_fall_below_what_other_years_targets_need(engine, tmp_path):
    """Given the index imported with 0,604 for 2026, when the 2027 PK alone says 0,62, then the index keeps 3
    decimals (2026's target is never shown rounded); a `desimal` column says otherwise and is obeyed, the
    target still stored as given."""
    imported(engine, pk_file(tmp_path / "pk2026.xlsx", [PUBLISHED[1]]))
    targets_2027 = dict.fromkeys(("target_tahunan", "target_tw1", "target_tw2", "target_tw3", "target_tw4"), 0.62)
    imported(engine, pk_file(tmp_path / "pk2027.xlsx", [{**PUBLISHED[2], **targets_2027}]))
    with session_scope(engine) as session:
        assert indicator(session, "IPM.1").decimals == 3

    imported(engine, pk_file(tmp_path / "given.xlsx", [{**PUBLISHED[1], "desimal": 2}], (*PK_COLUMNS, "desimal")))
    with session_scope(engine) as session:
        index = indicator(session, "IPM.1")
        assert index.decimals == 2
        target = session.exec(select(IndicatorTarget).where(IndicatorTarget.indicator_id == index.id,
                                                            IndicatorTarget.year == 2026)).one()
        assert target.annual == Decimal("0.604")


def test_a_realisasi_file_cannot_fill_an_indicator_outside_the_periods_pk(engine, tmp_path):
    """Given K.2 in the 2026 PK only, when a realisasi file gives K.2 a value for January 2027, then that row is
    refused by row and column (and December 2026 is accepted)."""
    imported(engine, pk_file(tmp_path / "pk.xlsx", [line("K.1", 2026), line("K.2", 2026), line("K.1", 2027)]))
    values = tmp_path / "realisasi.csv"
    values.write_text("kode;periode;realisasi;catatan;kendala;tindak_lanjut\n"
                      "K.2;2026-12;75;;;\nK.2;2027-01;76;;;\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure, session_scope(engine) as session:
        import_realisasi(session, values, Actor.cli(), NOW)
    assert [(p.row, p.column, p.code) for p in failure.value.problems] == [(3, "kode", "not_in_pk")]
    assert render_problem(failure.value.problems[0], "id") == (
        "baris 3, kolom kode: indikator K.2 tidak termasuk Perjanjian Kinerja yang berlaku untuk periode 2027-01")


def test_monthly_targets_follow_the_pk_line_in_force_in_their_month(engine, tmp_path):
    """Given monthly targets of 10 a month, when a PK Perubahan from 1 July sets 20, then January keeps 10 and
    July has 20; when the original PK is imported again, then July keeps the PK Perubahan's 20."""
    months = {f"target_{name}": 10 for name in ("jan", "feb", "mar", "apr", "mei", "jun",
                                                "jul", "agu", "sep", "okt", "nov", "des")}
    columns = (*PK_COLUMNS, *months)
    original = pk_file(tmp_path / "pk.xlsx", [line("K.1", 2026, **months)], columns)
    imported(engine, original)
    perubahan = pk_file(tmp_path / "perubahan.xlsx", [line("K.1", 2026, target_tahunan=95,
                                                            **dict.fromkeys(months, 20))], columns)
    imported(engine, perubahan, valid_from=date(2026, 7, 1))

    def month_targets() -> tuple[Decimal, Decimal]:
        with session_scope(engine) as session:
            january, july = (compute_recap(session, PeriodRef(PeriodKind.MONTH, 2026, number)) for number in (1, 7))
            return january.rows[0].target.value, july.rows[0].target.value

    assert month_targets() == (Decimal(10), Decimal(20))
    assert not imported(engine, original).changed
    assert month_targets() == (Decimal(10), Decimal(20))
