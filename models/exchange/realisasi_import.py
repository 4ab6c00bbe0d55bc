"""Import of realisasi from a spreadsheet, for units that send Excel instead of chatting.

Columns: `kode, periode, realisasi, catatan, kendala, tindak_lanjut`; `periode` is `2026-01` or `2026-TW1`.
The Sekretariat's realisasi anggaran comes the same way: a row of its budget line (`kode` `ANG.P.1`, a month, in
Rupiah; `models.exchange.budget_lines`). Periods named in the file are created when missing (back-filling past
periods is normal). Values go through the same workflow as chat entries: a new revision in the unit's form; a
form that is then complete is submitted and every Sekretaris is told, one that is not stays a draft and its
pending indicators are reported. Like the PK import it validates everything first and writes all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session, select

from models.collection.forms import FormStatus
from models.collection.realisasi import EntrySource
from models.collection.review import send_for_review
from models.collection.workflow import enter_realisasi, form_for
from models.errors import WORKFLOW_PROBLEMS, ProblemCode, WorkflowError
from models.exchange.problems import NUMBER_PROBLEMS, ImportFailed, RowProblem, cell_number, cell_text
from models.exchange.spreadsheets import read_table
from models.office.audit import Actor, record_by
from models.office.organisation import Unit
from models.plan.indicators import Indicator, admissible_problem, period_kind_of
from models.plan.periods import (
    Period,
    PeriodCodeError,
    PeriodKind,
    PeriodRef,
    PeriodStatus,
    find_period,
    parse_period_code,
)
from models.plan.pk import in_pk

REALISASI_COLUMNS = ("kode", "periode", "realisasi", "catatan", "kendala", "tindak_lanjut")
REQUIRED = ("kode", "periode", "realisasi")
# A period of the wrong kind for the indicator, by the kind it should have.
PERIOD_KIND_PROBLEMS = {
    PeriodKind.MONTH: ProblemCode.PERIOD_KIND_BULAN,
    PeriodKind.QUARTER: ProblemCode.PERIOD_KIND_TRIWULAN,
}


@dataclass
class RealisasiRow:
    row: int
    indicator: Indicator
    period: PeriodRef
    value: Decimal
    note: str | None
    kendala: str | None
    tindak_lanjut: str | None


@dataclass
class RealisasiImportSummary:
    periods_created: list[str] = field(default_factory=list)
    values_entered: int = 0
    values_unchanged: int = 0
    forms_submitted: list[tuple[str, str]] = field(default_factory=list)  # (unit name, period code)
    forms_incomplete: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (unit, period, pending codes)


def ensure_period(session: Session, ref: PeriodRef, actor: Actor, now: datetime) -> tuple[Period, bool]:
    """The stored period for `ref`; a missing one is created (closed when it already ended by the office's date
    of `now`, else open)."""
    period = find_period(session, ref)
    if period is not None:
        return period, False
    status = PeriodStatus.CLOSED if ref.end_date < now.date() else PeriodStatus.OPEN
    period = Period(kind=ref.kind, year=ref.year, number=ref.number, status=status, opened_at=now, created_at=now)
    session.add(period)
    session.flush()
    record_by(session, actor, "period.create", "period", period.id, at=now, after={"code": ref.code, "status": status})
    return period, True


def _period_cell(value: object) -> str | None:
    """Excel turns a typed `2026-01` into the date 1 January 2026; read such a date back as its month."""
    if isinstance(value, datetime | date):
        return f"{value.year}-{value.month:02d}"
    return cell_text(value)


def read_realisasi_rows(path: Path, session: Session) -> list[RealisasiRow]:
    table = read_table(path, preferred_sheet="Realisasi")
    missing = [column for column in REQUIRED if column not in table.header]
    if missing:
        raise ImportFailed([RowProblem(1, column, ProblemCode.MISSING_COLUMN) for column in missing])
    indicators = {ind.code.lower(): ind for ind in session.exec(select(Indicator)).all()}
    problems: list[RowProblem] = []
    rows: list[RealisasiRow] = []
    seen: dict[tuple[str, str], int] = {}
    if not table.rows:
        problems.append(RowProblem(2, "kode", ProblemCode.NO_ROWS))
    for number, raw in table.rows:
        start = len(problems)
        code = cell_text(raw.get("kode"))
        indicator = indicators.get(code.lower()) if code else None
        if code is None:
            problems.append(RowProblem(number, "kode", ProblemCode.REQUIRED))
        elif indicator is None:
            problems.append(RowProblem(number, "kode", ProblemCode.UNKNOWN_INDICATOR, value=code))
        ref = None
        period_text = _period_cell(raw.get("periode"))
        if period_text is None:
            problems.append(RowProblem(number, "periode", ProblemCode.REQUIRED))
        else:
            try:
                ref = parse_period_code(period_text)
            except PeriodCodeError:
                problems.append(RowProblem(number, "periode", ProblemCode.INVALID_PERIOD, value=period_text))
        if indicator is not None and ref is not None:
            wanted = period_kind_of(indicator.frequency)
            if ref.kind is not wanted:
                problems.append(RowProblem(number, "periode", PERIOD_KIND_PROBLEMS[wanted], value=period_text,
                                           kode=indicator.code))
            elif not in_pk(session, indicator, ref):
                problems.append(RowProblem(number, "kode", ProblemCode.NOT_IN_PK, kode=indicator.code,
                                           periode=ref.code))
            key = (indicator.code, ref.code)
            if key in seen:
                problems.append(RowProblem(number, "kode", ProblemCode.DUPLICATE_VALUE, kode=indicator.code,
                                           periode=ref.code, first_row=seen[key]))
            seen.setdefault(key, number)
        if cell_text(raw.get("realisasi")) is None:
            problems.append(RowProblem(number, "realisasi", ProblemCode.REQUIRED))
            value = None
        else:
            value = cell_number(raw.get("realisasi"), number, "realisasi", problems,
                                decimals=indicator.decimals if indicator else None,
                                satuan=indicator.satuan if indicator else None)
            inadmissible = admissible_problem(value, indicator) if value is not None and indicator else None
            if inadmissible is not None:
                problems.append(RowProblem(number, "realisasi", NUMBER_PROBLEMS[inadmissible],
                                           value=cell_text(raw.get("realisasi")), satuan=indicator.satuan))
        if len(problems) == start:
            rows.append(RealisasiRow(number, indicator, ref, value, cell_text(raw.get("catatan")),
                                     cell_text(raw.get("kendala")), cell_text(raw.get("tindak_lanjut"))))
    if problems:
        raise ImportFailed(problems)
    return rows


def apply_realisasi_rows(
    session: Session, rows: list[RealisasiRow], actor: Actor, now: datetime
) -> RealisasiImportSummary:
    summary = RealisasiImportSummary()
    problems: list[RowProblem] = []
    touched: dict[tuple[int, int], tuple[str, Period]] = {}
    unit_names: dict[int, str] = {}
    for row in rows:
        period, created = ensure_period(session, row.period, actor, now)
        if created:
            summary.periods_created.append(row.period.code)
        try:
            entry = enter_realisasi(
                session, row.indicator, period, row.value, actor, note=row.note, kendala=row.kendala,
                tindak_lanjut=row.tindak_lanjut, source=EntrySource.IMPORT, now=now,
            )
        except WorkflowError as exc:
            if exc.code not in WORKFLOW_PROBLEMS:
                raise
            problems.append(RowProblem(row.row, "realisasi", WORKFLOW_PROBLEMS[exc.code], periode=row.period.code))
            continue
        if entry is None:
            summary.values_unchanged += 1
        else:
            summary.values_entered += 1
            touched[(row.indicator.unit_id, period.id)] = (row.period.code, period)
    if problems:
        raise ImportFailed(problems)
    for (unit_id, period_id), (code, _period) in sorted(touched.items()):
        form = form_for(session, unit_id, period_id)
        if FormStatus(form.status) in (FormStatus.DRAFT, FormStatus.RETURNED):
            unit_names.setdefault(unit_id, session.get(Unit, unit_id).name)
            missing = send_for_review(session, form, actor, now=now)
            if missing:  # stays a draft: the unit completes it (in chat or in a next file)
                summary.forms_incomplete.append((unit_names[unit_id], code, missing))
            else:
                summary.forms_submitted.append((unit_names[unit_id], code))
    session.flush()
    return summary


def import_realisasi(session: Session, path: Path, actor: Actor, now: datetime) -> RealisasiImportSummary:
    """Validate the whole file, then enter and submit at `now` (the office's time: its date decides which new
    periods are closed); raises `ImportFailed` and writes nothing on any problem."""
    rows = read_realisasi_rows(path, session)
    return apply_realisasi_rows(session, rows, actor, now)
