"""Import of the Perjanjian Kinerja (indicators and targets) from the `PK` sheet of an XLSX, or a CSV.

Every row is validated before anything is written; problems come back as `RowProblem`s (row, column, code) so
the CLI can print `baris N, kolom X: …` in the user's language. The import is all or nothing (the caller's
transaction), idempotent (the same file again changes nothing) and audited (changed targets leave an entry
with before and after). The rows of a year are that year's PK, or with `valid_from` its PK Perubahan from that
date; what the import adds, drops and re-targets is its summary (`pk_apply`), which a dry run shows without
writing.

Targets are official figures: they are stored as the PK gives them, never rounded and never refused for their
decimals (only beyond what can be stored, `models.calc.bounds`). An indicator's decimals come from its PK: the
`desimal` column, or else its most precise target (0,604 → 3), at least the satuan's default (2; 0 for counts
and Rupiah).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from models.calc.bounds import SCALE
from models.calc.capaian import Aggregation, NegativeFormula, Polarity
from models.calc.numbers import format_number
from models.errors import ProblemCode
from models.exchange.budget_lines import check_pagu, with_budget_rows
from models.exchange.pk_apply import (
    MONTH_COLUMNS,
    PkImportSummary,
    PkRow,
    apply_pk_rows,
    ensure_unit,
    places_of,
)
from models.exchange.problems import ImportFailed, RowProblem, cell_number, cell_text
from models.exchange.spreadsheets import read_table
from models.office.audit import Actor
from models.office.organisation import Unit
from models.plan.indicators import Frequency, Indicator, IndicatorKind, IndicatorLevel

PK_COLUMNS = (
    "kode", "indikator", "tingkat", "jenis", "induk", "satuan", "polaritas", "rumus_negatif", "agregasi",
    "frekuensi", "unit", "tahun", "target_tahunan", "target_tw1", "target_tw2", "target_tw3", "target_tw4",
    "target_min", "target_max", "definisi_operasional", "sumber_data",
)
# Accepted after the fixed columns: decimals (default from the targets, `settle_decimals`), optional monthly
# targets, the indicator's target at the end of the Renstra period (and that year), and a program's or kegiatan's
# pagu of the year (Rupiah: its budget line, `budget_lines`).
RENSTRA_COLUMNS = ("target_renstra", "tahun_renstra")
OPTIONAL_COLUMNS = ("desimal", *MONTH_COLUMNS, *RENSTRA_COLUMNS, "pagu")
REQUIRED = ("kode", "indikator", "tingkat", "jenis", "satuan", "polaritas", "agregasi", "frekuensi", "unit", "tahun")

CHOICES: dict[str, dict[str, Any]] = {
    "tingkat": {
        "tujuan": IndicatorLevel.TUJUAN, "sasaran": IndicatorLevel.SASARAN, "program": IndicatorLevel.PROGRAM,
        "kegiatan": IndicatorLevel.KEGIATAN, "subkegiatan": IndicatorLevel.SUBKEGIATAN,
        "sub kegiatan": IndicatorLevel.SUBKEGIATAN, "sub_kegiatan": IndicatorLevel.SUBKEGIATAN,
    },
    "jenis": {"iku": IndicatorKind.IKU, "ikk": IndicatorKind.IKK, "lainnya": IndicatorKind.OTHER},
    "polaritas": {"positif": Polarity.POSITIVE, "negatif": Polarity.NEGATIVE, "rentang": Polarity.RANGE},
    "rumus_negatif": {"2t-r": NegativeFormula.TWO_T_MINUS_R, "t/r": NegativeFormula.T_OVER_R},
    "agregasi": {
        "kumulatif": Aggregation.CUMULATIVE, "nilai_akhir": Aggregation.LAST_VALUE,
        "nilai akhir": Aggregation.LAST_VALUE, "rata_rata": Aggregation.AVERAGE,
        "rata-rata": Aggregation.AVERAGE, "rata rata": Aggregation.AVERAGE,
    },
    "frekuensi": {"bulanan": Frequency.MONTHLY, "triwulanan": Frequency.QUARTERLY},
}
# The values shown to users as allowed (the first spelling of each).
ALLOWED_SHOWN = {
    "tingkat": "tujuan | sasaran | program | kegiatan | subkegiatan",
    "jenis": "IKU | IKK | lainnya",
    "polaritas": "positif | negatif | rentang",
    "rumus_negatif": "2T-R | T/R",
    "agregasi": "kumulatif | nilai_akhir | rata_rata",
    "frekuensi": "bulanan | triwulanan",
}
LEVEL_ORDER = list(IndicatorLevel)
# Columns stored in a sized database column: longer text is a problem of its cell, not an error of the database.
TEXT_LIMITS = {
    "kode": Indicator.__table__.c.code.type.length,
    "induk": Indicator.__table__.c.code.type.length,
    "satuan": Indicator.__table__.c.satuan.type.length,
    "unit": Unit.__table__.c.name.type.length,
}
TARGET_COLUMNS = ("target_tahunan", "target_tw1", "target_tw2", "target_tw3", "target_tw4", "target_min", "target_max")
WHOLE_NUMBER_SATUAN = (
    "rp", "rupiah", "nib", "izin", "dokumen", "orang", "unit", "kali", "laporan", "buah", "perusahaan",
    "investor", "paket", "berkas", "sertifikat", "proyek", "pelaku usaha", "umkm",
)
__all__ = ["PK_COLUMNS", "PkImportSummary", "PkRow", "default_decimals", "ensure_unit", "import_pk", "read_pk_rows"]


def default_decimals(satuan: str) -> int:
    """Whole-number units (Rupiah, counts of permits or documents) have 0 decimals; others 2."""
    words = satuan.strip().lower().replace(".", "")
    return 0 if any(words == unit or words.startswith(unit + " ") for unit in WHOLE_NUMBER_SATUAN) else 2


def _choice(raw: dict[str, Any], number: int, column: str, problems: list[RowProblem], default: Any = None):
    text = cell_text(raw.get(column))
    if text is None:
        if default is None:
            problems.append(RowProblem(number, column, ProblemCode.REQUIRED))
        return default
    value = CHOICES[column].get(text.lower())
    if value is None:
        problems.append(RowProblem(number, column, ProblemCode.INVALID_CHOICE, value=text,
                                   allowed=ALLOWED_SHOWN[column]))
    return value


def parse_pk_row(number: int, raw: dict[str, Any], problems: list[RowProblem]) -> PkRow | None:
    """Validate one row; problems are appended, and None is returned when the row cannot be used."""
    start = len(problems)
    for column in ("kode", "indikator", "satuan", "unit", "tahun"):
        if cell_text(raw.get(column)) is None:
            problems.append(RowProblem(number, column, ProblemCode.REQUIRED))
    for column, limit in TEXT_LIMITS.items():
        text = cell_text(raw.get(column))
        if text is not None and len(text) > limit:
            problems.append(RowProblem(number, column, ProblemCode.TEXT_TOO_LONG, length=len(text), limit=limit))
    level = _choice(raw, number, "tingkat", problems)
    kind = _choice(raw, number, "jenis", problems)
    polarity = _choice(raw, number, "polaritas", problems)
    formula = _choice(raw, number, "rumus_negatif", problems, default=NegativeFormula.TWO_T_MINUS_R)
    aggregation = _choice(raw, number, "agregasi", problems)
    frequency = _choice(raw, number, "frekuensi", problems)
    satuan = cell_text(raw.get("satuan")) or ""

    decimals = None  # from the targets (`settle_decimals`) unless the `desimal` column says it
    if cell_text(raw.get("desimal")) is not None:
        given = cell_number(raw.get("desimal"), number, "desimal", problems, decimals=0)
        if given is not None and (given != given.to_integral_value() or not 0 <= given <= SCALE):
            problems.append(RowProblem(number, "desimal", ProblemCode.INVALID_DECIMALS,
                                       value=cell_text(raw.get("desimal")), limit=SCALE))
        elif given is not None:
            decimals = int(given)
    hint = default_decimals(satuan) if decimals is None else decimals

    year = _year(raw, number, "tahun", problems)
    renstra = {}  # only the columns the file has: an older file leaves what is stored
    if "target_renstra" in raw:
        renstra["target_renstra"] = target_number(raw.get("target_renstra"), number, "target_renstra", problems,
                                                  hint, satuan)
    if "tahun_renstra" in raw:
        renstra["tahun_renstra"] = _year(raw, number, "tahun_renstra", problems)
    pagu = cell_number(raw.get("pagu"), number, "pagu", problems, decimals=0, satuan="Rp")
    check_pagu(number, cell_text(raw.get("kode")), level, pagu, problems)

    targets = {column: target_number(raw.get(column), number, column, problems, hint, satuan)
               for column in TARGET_COLUMNS}
    monthly = {
        month: value
        for month, column in enumerate(MONTH_COLUMNS, start=1)
        if (value := target_number(raw.get(column), number, column, problems, hint, satuan)) is not None
    }
    if polarity is Polarity.RANGE:
        low, high = targets["target_min"], targets["target_max"]
        if low is None and high is None:
            problems.append(RowProblem(number, "target_min", ProblemCode.RANGE_NEEDS_BOUNDS))
        elif low is not None and high is not None and low > high:
            problems.append(RowProblem(number, "target_min", ProblemCode.RANGE_MIN_ABOVE_MAX, low=low, high=high))
    elif polarity is not None and all(
        targets[column] is None for column in ("target_tahunan", "target_tw1", "target_tw2", "target_tw3", "target_tw4")
    ) and not monthly and not any(p.row == number and p.column.startswith("target") for p in problems[start:]):
        problems.append(RowProblem(number, "target_tahunan", ProblemCode.NO_TARGET))

    if len(problems) > start:
        return None
    code = cell_text(raw.get("kode"))
    return PkRow(
        row=number,
        code=code,
        unit_name=" ".join(cell_text(raw.get("unit")).split()),
        parent_code=cell_text(raw.get("induk")),
        year=year,
        indicator={
            "name": cell_text(raw.get("indikator")), "level": level, "kind": kind, "satuan": satuan,
            "polarity": polarity, "negative_formula": formula, "aggregation": aggregation, "frequency": frequency,
            "decimals": decimals, "definisi_operasional": cell_text(raw.get("definisi_operasional")),
            "sumber_data": cell_text(raw.get("sumber_data")), **renstra,
        },
        targets={
            "annual": targets["target_tahunan"], "tw1": targets["target_tw1"], "tw2": targets["target_tw2"],
            "tw3": targets["target_tw3"], "tw4": targets["target_tw4"],
            "target_min": targets["target_min"], "target_max": targets["target_max"],
        },
        monthly=monthly,
        decimals_given=decimals is not None,
        pagu=pagu,
    )


def _year(raw: dict[str, Any], number: int, column: str, problems: list[RowProblem]) -> int | None:
    """A year 2000–2100 from its cell (empty: None)."""
    if cell_text(raw.get(column)) is None:
        return None
    value = cell_number(raw.get(column), number, column, problems, decimals=0)
    if value is not None and (value != value.to_integral_value() or not 2000 <= value <= 2100):
        problems.append(RowProblem(number, column, ProblemCode.INVALID_YEAR, value=cell_text(raw.get(column))))
        return None
    return int(value) if value is not None else None


def target_number(value: Any, row: int, column: str, problems: list[RowProblem], hint: int,
                  satuan: str) -> Decimal | None:
    """A target as the PK gives it: any decimals within the bound of what can be stored. `hint` (the `desimal`
    column, or the satuan's default) only reads `1.250` the way the indicator counts: whole (0) or with 3
    decimals (3 or more); otherwise such a value stays ambiguous and is asked about."""
    if isinstance(value, float) and _beyond_scale(value):
        problems.append(RowProblem(row, column, ProblemCode.TOO_PRECISE, value=format_number(Decimal(repr(value))),
                                   decimals=SCALE))
        return None
    found: list[RowProblem] = []
    number = cell_number(value, row, column, found, satuan=satuan)
    if [problem.code for problem in found] == [ProblemCode.AMBIGUOUS_NUMBER] and (hint == 0 or hint >= 3):
        found = []
        number = cell_number(value, row, column, found, decimals=hint, satuan=satuan)
    problems.extend(found)
    return number


def _beyond_scale(value: float) -> bool:
    """An Excel number with significant decimals beyond the 8 that can be stored (`=286/3`), as opposed to
    float noise such as 0.30000000000000004, which ends at 8 decimals in zeros."""
    exact = Decimal(repr(value))
    if not exact.is_finite() or places_of(exact) <= SCALE:
        return False
    return places_of(exact.quantize(Decimal(1).scaleb(-SCALE))) == SCALE


def settle_decimals(rows: list[PkRow]) -> None:
    """Each indicator's decimals, the same on all its rows: the `desimal` column, or else its most precise target
    of the file, at least the satuan's default."""
    by_code: dict[str, list[PkRow]] = {}
    for row in rows:
        by_code.setdefault(row.code.lower(), []).append(row)
    for lines in by_code.values():
        given = lines[0].indicator["decimals"]
        decimals = given if given is not None else max(
            [default_decimals(lines[0].indicator["satuan"]), *(line.places() for line in lines)])
        for line in lines:
            line.indicator["decimals"] = decimals


def _cross_check(rows: list[PkRow], session: Session, problems: list[RowProblem]) -> None:
    """Duplicates, rows of one indicator that disagree, and parents that do not exist or sit below."""
    first_by_key: dict[tuple[str, int], int] = {}
    first_by_code: dict[str, PkRow] = {}
    for row in rows:
        key = (row.code.lower(), row.year)
        if key in first_by_key:
            problems.append(RowProblem(row.row, "kode", ProblemCode.DUPLICATE_ROW, kode=row.code, tahun=row.year,
                                       first_row=first_by_key[key]))
            continue
        first_by_key[key] = row.row
        first = first_by_code.setdefault(row.code.lower(), row)
        if first is not row and row.budget_of is None and (
                first.indicator != row.indicator or first.unit_name.lower() != row.unit_name.lower()
                or (first.parent_code or "").lower() != (row.parent_code or "").lower()):
            problems.append(RowProblem(row.row, "kode", ProblemCode.CONFLICTING_INDICATOR, kode=row.code,
                                       first_row=first.row))

    existing = {ind.code.lower(): ind for ind in session.exec(select(Indicator)).all()}
    for row in first_by_code.values():
        if row.parent_code is None or row.budget_of is not None:  # a budget line's parent is its program's
            continue
        if row.parent_code.lower() == row.code.lower():
            problems.append(RowProblem(row.row, "induk", ProblemCode.SELF_PARENT, value=row.parent_code))
            continue
        parent = first_by_code.get(row.parent_code.lower())
        parent_level = parent.indicator["level"] if parent else None
        if parent is None and row.parent_code.lower() in existing:
            parent_level = IndicatorLevel(existing[row.parent_code.lower()].level)
        if parent_level is None:
            problems.append(RowProblem(row.row, "induk", ProblemCode.UNKNOWN_PARENT, value=row.parent_code))
        elif LEVEL_ORDER.index(parent_level) >= LEVEL_ORDER.index(row.indicator["level"]):
            problems.append(RowProblem(row.row, "induk", ProblemCode.PARENT_LEVEL, value=row.parent_code,
                                       parent_level=parent_level.value, level=row.indicator["level"].value))


def read_pk_rows(path: Path, session: Session, valid_from: date | None = None) -> list[PkRow]:
    """Read and validate the whole file; raises `ImportFailed` with every problem found. A PK Perubahan
    (`valid_from`) holds the rows of its own year only."""
    table = read_table(path, preferred_sheet="PK")
    missing = [column for column in REQUIRED if column not in table.header]
    if missing:
        raise ImportFailed([RowProblem(1, column, ProblemCode.MISSING_COLUMN) for column in missing])
    problems: list[RowProblem] = []
    given = [column for column in RENSTRA_COLUMNS if column in table.header]
    for _, raw in table.rows:  # a short XLSX row still has the file's columns
        for column in given:
            raw.setdefault(column, None)
    rows = [row for number, raw in table.rows if (row := parse_pk_row(number, raw, problems)) is not None]
    rows = with_budget_rows(session, rows)
    if not table.rows:
        problems.append(RowProblem(2, "kode", ProblemCode.NO_ROWS))
    _cross_check(rows, session, problems)
    if valid_from is not None:
        problems.extend(RowProblem(row.row, "tahun", ProblemCode.PERUBAHAN_OTHER_YEAR, tahun=row.year,
                                   berlaku_mulai=valid_from.isoformat(), year=valid_from.year)
                        for row in rows if row.year != valid_from.year)
    if problems:
        raise ImportFailed(problems)
    settle_decimals(rows)
    return rows


def import_pk(session: Session, path: Path, actor: Actor, *, valid_from: date | None = None,
              dry_run: bool = False) -> PkImportSummary:
    """Validate the whole file, then write it; raises `ImportFailed` and writes nothing on any problem.

    `valid_from`: the file is a PK Perubahan, in force from that date (periods that start before keep their
    targets). `dry_run`: the summary of what the import would do, and nothing written (applied in a savepoint
    that is rolled back)."""
    rows = read_pk_rows(path, session, valid_from)
    if not dry_run:
        return apply_pk_rows(session, rows, actor, valid_from)
    savepoint = session.begin_nested()
    try:
        return apply_pk_rows(session, rows, actor, valid_from)
    finally:
        savepoint.rollback()
