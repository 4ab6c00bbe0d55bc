"""Import of realisasi from a spreadsheet, read like the SOP (Procedure A, steps 7 and 10).

Given the demo PK, when a unit sends its realisasi as a file, then the periods exist, every value is a new
revision in the unit's form and the form goes to the Sekretaris; a submitted or approved form refuses changes,
a returned one takes the correction as the next revision, and a broken file is refused as a whole.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from i18n.problems import render_problem
from models.calc.clock import system_clock
from models.collection.forms import FormStatus, UnitForm
from models.collection.realisasi import EntrySource, Realisasi
from models.collection.workflow import approve_form, form_for, return_form
from models.demo import DEMO_PK, DEMO_REALISASI
from models.exchange.pk_import import import_pk
from models.exchange.problems import ImportFailed
from models.exchange.realisasi_import import REALISASI_COLUMNS, RealisasiImportSummary, import_realisasi
from models.office.audit import Actor, AuditEntry
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodKind, PeriodStatus, parse_period_code
from models.store.database import session_scope
from tests.conftest import office_moment

TODAY = date(2026, 4, 15)
DEMO_PERIODS = {"2026-01", "2026-02", "2026-03", "2026-TW1"}


# --------------------------------------------------------------------------------------------- helpers


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the database, read in a fresh transaction."""
    names = sorted(set(sa.inspect(engine).get_table_names()) - {"alembic_version"})
    assert "realisasi" in names and "periods" in names
    with session_scope(engine) as session:
        return {
            name: session.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
            for name in names
        }


def run_import(engine: Engine, path: Path, today: date = TODAY) -> RealisasiImportSummary:
    """Import the way the CLI does: one transaction, rolled back on any error."""
    with session_scope(engine) as session:
        return import_realisasi(session, path, Actor.cli(), office_moment(today))


def failed_import(engine: Engine, path: Path) -> ImportFailed:
    with pytest.raises(ImportFailed) as failure, session_scope(engine) as session:
        import_realisasi(session, path, Actor.cli(), office_moment(TODAY))
    return failure.value


def write_rows(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([";".join(REALISASI_COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


def demo_with(path: Path, old: str, new: str) -> Path:
    """The demo realisasi file with one line replaced."""
    text = DEMO_REALISASI.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def period(session: Session, code: str) -> Period:
    ref = parse_period_code(code)
    return session.exec(
        select(Period).where(Period.kind == ref.kind, Period.year == ref.year, Period.number == ref.number)
    ).one()


def indicator(session: Session, code: str) -> Indicator:
    return session.exec(select(Indicator).where(Indicator.code == code)).one()


def unit_form(session: Session, code: str, period_code: str) -> UnitForm:
    """The form of the unit that reports indicator `code`, for the period."""
    return form_for(session, indicator(session, code).unit_id, period(session, period_code).id)


def revisions(session: Session, code: str, period_code: str) -> list[Realisasi]:
    return list(session.exec(
        select(Realisasi)
        .where(Realisasi.indicator_id == indicator(session, code).id,
               Realisasi.period_id == period(session, period_code).id)
        .order_by(Realisasi.revision)
    ).all())


@pytest.fixture
def demo_pk(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
    return engine


@pytest.fixture
def recorded(demo_pk: Engine) -> Engine:
    """The demo PK with the demo Triwulan I realisasi imported (every form submitted)."""
    run_import(demo_pk, DEMO_REALISASI)
    return demo_pk


# --------------------------------------------------------------------------------------------- the demo file


def test_demo_realisasi_enters_values_and_submits_every_touched_form(demo_pk):
    """Given the demo PK, when the TW I file is imported, then periods, 30 first revisions and 16 submitted forms."""
    summary = run_import(demo_pk, DEMO_REALISASI)

    assert set(summary.periods_created) == DEMO_PERIODS and len(summary.periods_created) == 4
    assert (summary.values_entered, summary.values_unchanged) == (30, 0)
    assert len(summary.forms_submitted) == 16
    assert {code for _, code in summary.forms_submitted} == DEMO_PERIODS
    assert ("Bidang Pelayanan Perizinan", "2026-02") in summary.forms_submitted
    with session_scope(demo_pk) as session:
        values = session.exec(select(Realisasi)).all()
        assert len(values) == 30
        assert {(row.revision, row.source) for row in values} == {(1, EntrySource.IMPORT)}

        [s1_january] = revisions(session, "S.1", "2026-01")
        assert (s1_january.value, s1_january.note) == (Decimal("35500000000"), "PMDN 2 proyek")
        assert revisions(session, "P.2", "2026-01")[0].value == Decimal("91.5")
        assert revisions(session, "P.3", "2026-02")[0].value == Decimal("7.5")
        [k1] = revisions(session, "K.1", "2026-TW1")
        assert (k1.value, k1.kendala, k1.tindak_lanjut) == (
            Decimal("1"), "Anggaran promosi baru cair Maret", "Promosi digeser ke TW II")

        forms = session.exec(select(UnitForm)).all()
        assert len(forms) == 16
        assert {(FormStatus(form.status), form.version) for form in forms} == {(FormStatus.SUBMITTED, 2)}
        assert all(form.submitted_at is not None for form in forms)
        submitted = session.exec(select(AuditEntry).where(AuditEntry.action == "form.submitted")).all()
        assert sorted(entry.entity_id for entry in submitted) == sorted(form.id for form in forms)
        assert {(entry.before, entry.after, entry.actor) for entry in submitted} == {(
            json.dumps({"status": "draft", "version": 1}), json.dumps({"status": "submitted", "version": 2}), "cli")}
        assert len(session.exec(select(AuditEntry).where(AuditEntry.action == "realisasi.enter")).all()) == 30


def test_periods_named_in_the_file_are_created_closed_when_already_over(demo_pk):
    """Given the import runs mid-February, then January is closed and February, March and TW I are open."""
    run_import(demo_pk, DEMO_REALISASI, today=date(2026, 2, 15))

    with session_scope(demo_pk) as session:
        statuses = {code: PeriodStatus(period(session, code).status) for code in DEMO_PERIODS}
        assert statuses == {"2026-01": PeriodStatus.CLOSED, "2026-02": PeriodStatus.OPEN,
                            "2026-03": PeriodStatus.OPEN, "2026-TW1": PeriodStatus.OPEN}
        assert PeriodKind(period(session, "2026-TW1").kind) is PeriodKind.QUARTER


def test_reimporting_the_same_file_changes_nothing(recorded):
    """Given the demo realisasi, when the same file comes again, then 0 entered, 30 unchanged, nothing written."""
    before = table_counts(recorded)

    summary = run_import(recorded, DEMO_REALISASI)

    assert (summary.values_entered, summary.values_unchanged) == (0, 30)
    assert summary.periods_created == [] and summary.forms_submitted == []
    assert table_counts(recorded) == before


# --------------------------------------------------------------------------------------------- the workflow


def test_changed_value_while_the_form_is_submitted_is_refused_and_nothing_written(recorded, tmp_path):
    """Given submitted forms, when a file changes P.3 for February, then it is refused and nothing is written,
    not even the April value in the same file (a new period, form and revision)."""
    path = demo_with(tmp_path / "realisasi.csv", "P.3;2026-02;7,5;", "P.3;2026-02;7;")
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\nP.3;2026-04;6;;;\n", encoding="utf-8")
    before = table_counts(recorded)

    failure = failed_import(recorded, path)

    [problem] = failure.problems
    assert (problem.row, problem.column, problem.code) == (12, "realisasi", "workflow_form_submitted")
    assert render_problem(problem, "id") == (
        "baris 12, kolom realisasi: formulir unit untuk periode 2026-02 sudah dikirim dan menunggu pemeriksaan "
        "Sekretaris; minta dikembalikan dulu")
    assert table_counts(recorded) == before
    with session_scope(recorded) as session:
        assert [row.value for row in revisions(session, "P.3", "2026-02")] == [Decimal("7.5")]


def test_returned_form_takes_the_correction_as_revision_2_and_is_submitted_again(recorded, tmp_path):
    """Given the Sekretaris returned February of Pelayanan Perizinan for P.3, when the unit imports 7, then
    revision 2 is current, revision 1 is kept, and the form is submitted again."""
    with session_scope(recorded) as session:
        form = unit_form(session, "P.3", "2026-02")
        return_form(session, form, Actor.cli(), {indicator(session, "P.3").id: "cek ulang"}, "lengkapi",
                    now=system_clock())
        assert FormStatus(form.status) is FormStatus.RETURNED
    path = write_rows(tmp_path / "koreksi.csv", "P.3;2026-02;7;dihitung ulang;;")

    summary = run_import(recorded, path)

    assert (summary.values_entered, summary.values_unchanged) == (1, 0)
    assert summary.forms_submitted == [("Bidang Pelayanan Perizinan", "2026-02")]
    with session_scope(recorded) as session:
        history = revisions(session, "P.3", "2026-02")
        assert [(row.revision, row.value, row.note) for row in history] == [
            (1, Decimal("7.5"), None), (2, Decimal("7"), "dihitung ulang")]
        form = unit_form(session, "P.3", "2026-02")
        assert (FormStatus(form.status), form.version) == (FormStatus.SUBMITTED, 4)
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.action == "realisasi.enter").order_by(AuditEntry.id.desc())
        ).first()
        assert json.loads(entry.before)["value"] == "7.5"
        assert (json.loads(entry.after)["value"], json.loads(entry.after)["revision"]) == ("7", 2)
        last = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (last.action, last.entity_id) == ("form.submitted", form.id)
        # The other forms of the unit were not touched.
        assert unit_form(session, "P.3", "2026-01").version == 2


def test_approved_form_refuses_changes(recorded, tmp_path):
    """Given the Sekretariat's TW I form is approved, when a file changes SEK.2, then the import is refused."""
    with session_scope(recorded) as session:
        approve_form(session, unit_form(session, "SEK.2", "2026-TW1"), Actor.cli(), now=system_clock())
    path = write_rows(tmp_path / "realisasi.csv", "SEK.2;2026-TW1;90;;;")
    before = table_counts(recorded)

    failure = failed_import(recorded, path)

    assert [(p.row, p.column, p.code) for p in failure.problems] == [(2, "realisasi", "workflow_form_approved")]
    assert render_problem(failure.problems[0], "id") == (
        "baris 2, kolom realisasi: data periode 2026-TW1 sudah disetujui dan dikunci; ajukan buka kunci ke "
        "Sekretaris")
    assert table_counts(recorded) == before


def test_archived_period_refuses_changes(recorded, tmp_path):
    """Given January is archived, when a file changes a January value, then the import is refused."""
    with session_scope(recorded) as session:
        january = period(session, "2026-01")
        january.status = PeriodStatus.ARCHIVED
        session.add(january)
    path = write_rows(tmp_path / "realisasi.csv", "P.1;2026-01;93;;;")

    failure = failed_import(recorded, path)

    assert [(p.row, p.code) for p in failure.problems] == [(2, "workflow_period_archived")]
    assert "periode 2026-01 sudah diarsipkan" in render_problem(failure.problems[0], "id")


# --------------------------------------------------------------------------------------------- broken files


def test_broken_file_is_refused_with_every_problem_by_row_and_column(demo_pk, tmp_path):
    """Given the demo PK, when a file mixes up periods and codes, then each problem is named, nothing is written."""
    path = write_rows(
        tmp_path / "realisasi.csv",
        "P.3;2026-TW1;6,5;;;",   # 2: P.3 is collected monthly
        "K.1;2026-01;1;;;",      # 3: K.1 is collected quarterly
        "X.9;2026-01;1;;;",      # 4
        "P.1;2026-13;90;;;",     # 5
        "P.2;2026-01;91;;;",     # 6
        "p.2;2026-1;92;;;",      # 7: the same indicator and month, spelled differently
        "P.2;2026-02;abc;;;",    # 8
        "P.2;2026-03;;;;",       # 9
    )
    before = table_counts(demo_pk)

    failure = failed_import(demo_pk, path)

    assert [(p.row, p.column, p.code) for p in failure.problems] == [
        (2, "periode", "period_kind_bulan"),
        (3, "periode", "period_kind_triwulan"),
        (4, "kode", "unknown_indicator"),
        (5, "periode", "invalid_period"),
        (7, "kode", "duplicate_value"),
        (8, "realisasi", "not_a_number"),
        (9, "realisasi", "required"),
    ]
    rendered = [render_problem(problem, "id") for problem in failure.problems]
    for problem, text in zip(failure.problems, rendered, strict=True):
        assert text.startswith(f"baris {problem.row}, kolom {problem.column}: ")
    assert "indikator P.3 dikumpulkan bulanan" in rendered[0] and "'2026-TW1'" in rendered[0]
    assert "indikator K.1 dikumpulkan triwulanan" in rendered[1] and "'2026-01'" in rendered[1]
    assert "'X.9' tidak ada di Perjanjian Kinerja" in rendered[2]
    assert "periode '2026-13' tidak valid" in rendered[3]
    assert "nilai P.2 periode 2026-01 sudah ada di baris 6" in rendered[4]
    assert table_counts(demo_pk) == before


def test_missing_column_and_empty_file(demo_pk, tmp_path):
    """Given a file without the `realisasi` column, or with no rows, then it is refused on the right row."""
    no_column = tmp_path / "a.csv"
    no_column.write_text("kode;periode\nP.1;2026-01\n", encoding="utf-8")
    empty = write_rows(tmp_path / "b.csv")

    assert [(p.row, p.column, p.code) for p in failed_import(demo_pk, no_column).problems] == [
        (1, "realisasi", "missing_column")]
    assert [(p.row, p.code) for p in failed_import(demo_pk, empty).problems] == [(2, "no_rows")]
    with session_scope(demo_pk) as session:
        assert session.exec(select(Period)).all() == []


def test_values_are_read_with_the_indicator_s_decimals(demo_pk, tmp_path):
    """Given NIB has 0 decimals and the IKM 2, then `1.234` NIB is 1234 and `1.234` IKM must be clarified."""
    path = write_rows(tmp_path / "realisasi.csv", "P.1;2026-04;1.234;;;", "S.2;2026-TW2;1.234;;;")

    failure = failed_import(demo_pk, path)

    assert [(p.row, p.column, p.code) for p in failure.problems] == [(3, "realisasi", "ambiguous_number")]
    path = write_rows(tmp_path / "realisasi.csv", "P.1;2026-04;1.234;;;", "S.2;2026-TW2;83,25;;;")
    assert run_import(demo_pk, path).values_entered == 2
    with session_scope(demo_pk) as session:
        assert revisions(session, "P.1", "2026-04")[0].value == Decimal("1234")
        assert revisions(session, "S.2", "2026-TW2")[0].value == Decimal("83.25")


def test_a_value_the_indicator_does_not_admit_is_refused_with_its_reason(demo_pk, tmp_path):
    """Given P.3 in hari and the NIB of P.1, when a file holds -3 hari and -2 NIB, then it is refused as a whole,
    each row with its reason; a negative growth rate (T.1, "Persentase pertumbuhan") is taken."""
    path = write_rows(tmp_path / "realisasi.csv", "P.3;2026-04;-3;;;", "P.1;2026-04;-2;;;", "P.2;2026-04;92,5;;;")
    before = table_counts(demo_pk)

    failure = failed_import(demo_pk, path)

    assert [(p.row, p.column, p.code) for p in failure.problems] == [(2, "realisasi", "negative"),
                                                                      (3, "realisasi", "negative")]
    assert render_problem(failure.problems[0], "id") == (
        "baris 2, kolom realisasi: '-3' ditolak: nilai tidak boleh negatif untuk satuan hari")
    assert table_counts(demo_pk) == before
    path = write_rows(tmp_path / "realisasi.csv", "T.1;2026-TW2;-1,5;;;")
    assert run_import(demo_pk, path).values_entered == 1


def test_a_period_that_excel_turned_into_a_date_is_read_as_its_month(engine, tmp_path):
    """Given staff typed 2026-02 and Excel stored the date 1 February 2026, then the value lands in February."""
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
    workbook = Workbook()
    workbook.active.append(["kode", "periode", "realisasi"])
    workbook.active.append(["P.1", datetime(2026, 2, 1), 105])
    workbook.save(tmp_path / "r.xlsx")
    with session_scope(engine) as session:
        summary = import_realisasi(session, tmp_path / "r.xlsx", Actor.cli(),
                                   office_moment(datetime(2026, 11, 24).date()))
    assert (summary.values_entered, summary.periods_created) == (1, ["2026-02"])
