"""The numbers an office can sign: one bound (`models.calc.bounds`), refused beyond it at every door.

Given a file with a figure pasted twice (30 digits), when it is imported from the command line, then it exits 1
with `baris N, kolom X` and nothing is written. Given the largest and the smallest values the column holds
(99.999.999.999.999.999.999,99999999 and 0,00000001), when they are stored on SQLite and PostgreSQL, then they read
back the same, and the recap, every workbook and the Laporan PDF are made from them. Given values an older version
stored beyond the bound (SQLite kept them as text), then the same documents are made, the values shown as they
are, and re-importing the corrected file replaces them.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.cli import main
from i18n.problems import render_problem
from models.calc.bounds import LARGEST, STEP
from models.collection.realisasi import Realisasi
from models.collection.recap import Recap, compute_recap
from models.collection.workflow import enter_realisasi
from models.demo import DEMO_PK, DEMO_REALISASI
from models.errors import ProblemCode
from models.exchange.pk_import import import_pk
from models.exchange.problems import cell_number
from models.office.audit import Actor
from models.office.organisation import ensure_office
from models.plan.indicators import Indicator, IndicatorTarget
from models.plan.periods import Period, PeriodKind, PeriodStatus, parse_scope
from models.reporting.archive import Procedure
from models.store.database import create_db_engine, session_scope
from models.timing.schedule import ScheduleRules
from reports.export_kinds import ExportKind
from reports.laporan_data import laporan_file
from reports.letterhead import Letterhead
from reports.workbooks import export_files
from tests.conftest import office_moment
from tests.test_cli import count_indicators, run, use_settings

PASTED_TWICE = "600000000000000000000000000000"  # 600.000.000.000 pasted twice over: 30 digits
TODAY = date(2026, 4, 20)
SCOPES = ("2026-01", "2026-03", "2026-TW1", "2026")
QUARTER_SUM = Decimal("299999999999999999999.99999997")  # three months of the largest value


# --------------------------------------------------------------------------------------------- the doors


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, backend_url: str) -> str:
    use_settings(monkeypatch, tmp_path, backend_url)
    assert main(["init", "--demo"]) == 0
    return backend_url


def target_of(url: str, code: str) -> str:
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            return str(session.exec(select(IndicatorTarget.annual).join(
                Indicator, Indicator.id == IndicatorTarget.indicator_id).where(Indicator.code == code)).one())
    finally:
        engine.dispose()


def test_import_pk_refuses_a_target_pasted_twice(cli, capsys, tmp_path):
    lines = DEMO_PK.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(";600.000.000.000;", f";{PASTED_TWICE};")  # S.1's annual target
    (tmp_path / "pk.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()

    code, out, err = run(capsys, "import-pk", "pk.csv")

    assert (code, out) == (1, [])
    assert err[1] == (f"  baris 3, kolom target_tahunan: '{PASTED_TWICE}' terlalu besar untuk disimpan: paling banyak "
                      "20 angka sebelum koma; periksa apakah angkanya tertempel dua kali")
    assert len(err) == 3
    assert target_of(cli, "S.1") == "600000000000" and count_indicators(cli) == 14


def test_import_realisasi_refuses_a_value_pasted_twice(cli, capsys, tmp_path):
    lines = DEMO_REALISASI.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(";35.500.000.000;", f";{PASTED_TWICE};")  # S.1, 2026-01
    (tmp_path / "realisasi.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()

    code, out, err = run(capsys, "import-realisasi", "realisasi.csv")

    assert (code, out) == (1, [])
    assert err[1] == (f"  baris 2, kolom realisasi: '{PASTED_TWICE}' terlalu besar untuk disimpan: paling banyak "
                      "20 angka sebelum koma; periksa apakah angkanya tertempel dua kali")
    engine = create_db_engine(cli)
    try:
        with Session(engine) as session:
            assert session.exec(select(Realisasi)).all() == []
    finally:
        engine.dispose()


@pytest.mark.parametrize(("cell", "code", "shown"), [
    (6 * 10**29, ProblemCode.TOO_LARGE, "600.000.000.000.000.000.000.000.000.000"),  # an Excel whole number
    (6e29, ProblemCode.TOO_LARGE, "600.000.000.000.000.000.000.000.000.000"),  # an Excel float
    (PASTED_TWICE, ProblemCode.TOO_LARGE, PASTED_TWICE),  # text
    ("0,000000001", ProblemCode.TOO_PRECISE, "0,000000001"),
])
def test_a_cell_beyond_the_bound_is_a_problem_of_its_row_and_column(cell, code, shown):
    problems = []

    assert cell_number(cell, 7, "target_tw1", problems) is None

    assert [(problem.row, problem.column, problem.code, problem.details["value"]) for problem in problems] == [
        (7, "target_tw1", code, shown)]
    assert render_problem(problems[0]).startswith(f"baris 7, kolom target_tw1: '{shown}' ")


def test_a_cell_at_the_bound_is_read():
    problems = []
    assert cell_number(99999999999999999999, 2, "realisasi", problems) == Decimal("99999999999999999999")
    assert cell_number(1e19, 2, "realisasi", problems) == Decimal(10) ** 19
    assert cell_number("99.999.999.999.999.999.999,99999999", 2, "realisasi", problems) == LARGEST
    assert problems == []


# --------------------------------------------------------------------------------------------- the extremes


@pytest.fixture
def demo_pk(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        ensure_office(session, Actor.cli(), "DPMPTSP Kabupaten Pesisir Selatan")
        import_pk(session, DEMO_PK, Actor.cli())
    return engine


def indicator(session: Session, code: str) -> Indicator:
    return session.exec(select(Indicator).where(Indicator.code == code)).one()


def set_targets(session: Session, code: str, **values: Decimal | None) -> None:
    target = session.exec(select(IndicatorTarget).where(
        IndicatorTarget.indicator_id == indicator(session, code).id)).one()
    for name, value in values.items():
        setattr(target, name, value)
    session.add(target)


def open_triwulan_i(session: Session) -> list[Period]:
    periods = [Period(kind=PeriodKind.MONTH, year=2026, number=month, status=PeriodStatus.OPEN) for month in (1, 2, 3)]
    periods.append(Period(kind=PeriodKind.QUARTER, year=2026, number=1, status=PeriodStatus.OPEN))
    session.add_all(periods)
    session.flush()
    return periods


EXTREMES = {  # indicator: (its targets, its realisasi in each period)
    "S.1": ({"annual": LARGEST, "tw1": LARGEST}, LARGEST),  # cumulative: a quarter sums to 30 digits
    "P.1": ({"annual": STEP, "tw1": STEP}, LARGEST),  # the largest capaian: 10^30 %
    "P.3": ({"annual": STEP, "tw1": STEP}, LARGEST),  # negative, 2T-R, average: about -10^30 %
    "P.5": ({"annual": LARGEST, "tw1": LARGEST}, STEP),  # negative, T/R: about 10^30 %
    "SEK.1": ({"target_min": STEP, "target_max": LARGEST}, -LARGEST),  # a range, far below it
    "K.1": ({"annual": -LARGEST, "tw1": -LARGEST}, -STEP),  # triwulanan, negative values
    "T.1": ({"annual": Decimal(10) ** 19, "tw1": Decimal(10) ** 19}, Decimal(10) ** 19 - 1),
}


@pytest.fixture
def extremes(demo_pk: Engine) -> Engine:
    with session_scope(demo_pk) as session:
        periods = open_triwulan_i(session)
        for code, (targets, value) in EXTREMES.items():
            set_targets(session, code, **targets)
            item = indicator(session, code)
            for period in periods:
                if (period.kind is PeriodKind.QUARTER) == (item.frequency == "triwulanan"):
                    enter_realisasi(session, item, period, value, Actor.cli(), now=office_moment(TODAY))
    return demo_pk


def recaps(engine: Engine) -> dict[str, Recap]:
    with session_scope(engine) as session:
        return {scope: compute_recap(session, parse_scope(scope)) for scope in SCOPES}


def documents(engine: Engine) -> dict[str, bytes]:
    """Every workbook of every scope (the values entered are not approved: asked for, marked) and the Laporan of
    each period, by file name."""
    files = {}
    with session_scope(engine) as session:
        for scope in SCOPES:
            kind = ExportKind.SEMUA
            files.update({f"{scope}/{file.filename}": file.data
                          for file in export_files(session, parse_scope(scope), kind, "id", today=TODAY,
                                                        include_drafts=True)})
            if scope != "2026":
                laporan = laporan_file(session, parse_scope(scope), Procedure.COLLECTION, office_moment(TODAY),
                                       ScheduleRules(), "id", Letterhead())
                files[f"{scope}/{laporan.filename}"] = laporan.data
    return files


def pdf_text(data: bytes) -> str:
    """The text without white space (long numbers wrap inside their cells)."""
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_the_largest_and_smallest_values_are_stored_exactly_on_both_backends(extremes):
    with Session(extremes) as session:
        stored = {indicator(session, code).code: value for code, value in session.exec(
            select(Indicator.code, Realisasi.value).join(Indicator, Indicator.id == Realisasi.indicator_id))}
        assert stored == {code: value for code, (_, value) in EXTREMES.items()}
        target = session.exec(select(IndicatorTarget).where(
            IndicatorTarget.indicator_id == indicator(session, "SEK.1").id)).one()
        assert (target.target_min, target.target_max) == (STEP, LARGEST)
        assert str(target.target_max) == "99999999999999999999.99999999" and str(target.target_min) == "1E-8"


def test_the_recap_of_the_extremes_has_every_capaian(extremes):
    for scope, recap in recaps(extremes).items():
        rows = {row.indicator.code: row for row in recap.rows}
        assert all(row.capaian.rounded is not None for code, row in rows.items() if code in EXTREMES), scope
    tw1 = {row.indicator.code: row for row in recaps(extremes)["2026-TW1"].rows}
    assert tw1["S.1"].realisasi == QUARTER_SUM  # exact
    assert tw1["P.1"].capaian.rounded == Decimal("2999999999999999999999999999700")  # QUARTER_SUM × 100 ÷ STEP
    assert tw1["T.1"].capaian.rounded == Decimal("100.00")  # 99,99999999999999999 % shown as 100,00
    assert tw1["T.1"].capaian.value < 100


def test_every_workbook_and_the_laporan_are_made_from_the_extremes(extremes):
    files = documents(extremes)

    assert len([name for name in files if name.endswith(".pdf")]) == 3
    kertas = load_workbook(io.BytesIO(files["2026-TW1/kertas-kerja-2026-TW1.xlsx"])).active
    values = [cell for row in kertas.iter_rows(values_only=True) for cell in row]
    assert float(QUARTER_SUM) in values
    text = pdf_text(files["2026-03/laporan-2026-03.pdf"])
    # S.1: a month of TW I, in the DRAF Laporan marked as not approved yet
    assert "Rp33.333.333.333.333.333.333,33Rp100.000.000.000.000.000.000belumdisetujui300,00%" in text
    assert "2.999.999.999.999.999.999.999.999.999.700,00%" in text  # P.1: LARGEST × 100 ÷ (0,00000001 ÷ 3)


# --------------------------------------------------------------------------------------------- older databases


@pytest.fixture
def written_by_an_older_version(demo_pk: Engine) -> Engine:
    """S.1's targets and January's realisasi pasted twice, as SQLite kept them before the bound."""
    if demo_pk.dialect.name != "sqlite":
        pytest.skip("only SQLite kept such values (PostgreSQL's NUMERIC(28, 8) refused them)")
    with session_scope(demo_pk) as session:
        periods = open_triwulan_i(session)
        enter_realisasi(session, indicator(session, "S.1"), periods[0], Decimal(1), Actor.cli(),
                        now=office_moment(TODAY))
    with demo_pk.begin() as connection:
        connection.exec_driver_sql("UPDATE indicator_targets SET annual = ?, tw1 = ? WHERE indicator_id = "
                                   "(SELECT id FROM indicators WHERE code = 'S.1')", (PASTED_TWICE, "0.000000001"))
        connection.exec_driver_sql("UPDATE realisasi SET value = ?", ("1" + PASTED_TWICE + ".123456789",))
    return demo_pk


def test_values_beyond_the_bound_from_an_older_version_are_shown_as_they_are(written_by_an_older_version):
    engine = written_by_an_older_version
    tw1 = {row.indicator.code: row for row in recaps(engine)["2026-TW1"].rows}
    assert tw1["S.1"].realisasi == Decimal("1" + PASTED_TWICE + ".123456789")
    assert tw1["S.1"].target.value == Decimal("0.000000001")
    assert tw1["S.1"].capaian.rounded > Decimal(10) ** 40

    files = documents(engine)

    assert len(files) == 3 * 7 + 2 + 4 * 2  # every workbook, data export and Laporan, as without such values
    assert "Rp1.600.000.000.000.000.000.000.000.000.000,12" in pdf_text(files["2026-01/laporan-2026-01.pdf"])


def test_reimporting_the_corrected_file_replaces_what_an_older_version_stored(written_by_an_older_version):
    with session_scope(written_by_an_older_version) as session:
        import_pk(session, DEMO_PK, Actor.cli())
    with Session(written_by_an_older_version) as session:
        target = session.exec(select(IndicatorTarget).where(
            IndicatorTarget.indicator_id == indicator(session, "S.1").id)).one()
        assert (target.annual, target.tw1) == (Decimal("600000000000"), Decimal("120000000000"))
