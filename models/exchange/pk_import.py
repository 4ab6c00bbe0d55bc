"""Import of the Perjanjian Kinerja (indicators and targets) from the `PK` sheet of an XLSX, or a CSV.

Every row is validated before anything is written; problems come back as `RowProblem`s (row, column, code) so
the CLI can print `baris N, kolom X: …` in the user's language. The import is all or nothing (the caller's
transaction), idempotent (the same file again changes nothing) and audited (changed targets leave an entry
with before and after).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from models.calc.capaian import Aggregation, NegativeFormula, Polarity
from models.errors import ProblemCode
from models.exchange.problems import ImportFailed, RowProblem, cell_number, cell_text
from models.exchange.spreadsheets import read_table
from models.office.audit import Actor, record_by
from models.office.organisation import Unit, UnitKind, ensure_office
from models.plan.indicators import Frequency, Indicator, IndicatorKind, IndicatorLevel, IndicatorTarget, MonthlyTarget

PK_COLUMNS = (
    "kode", "indikator", "tingkat", "jenis", "induk", "satuan", "polaritas", "rumus_negatif", "agregasi",
    "frekuensi", "unit", "tahun", "target_tahunan", "target_tw1", "target_tw2", "target_tw3", "target_tw4",
    "target_min", "target_max", "definisi_operasional", "sumber_data",
)
MONTH_COLUMNS = (
    "target_jan", "target_feb", "target_mar", "target_apr", "target_mei", "target_jun",
    "target_jul", "target_agu", "target_sep", "target_okt", "target_nov", "target_des",
)
# Accepted after the fixed columns: decimals (default from the satuan) and optional monthly targets.
OPTIONAL_COLUMNS = ("desimal", *MONTH_COLUMNS)
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
INDICATOR_FIELDS = (
    "name", "level", "kind", "satuan", "polarity", "negative_formula", "aggregation", "frequency", "decimals",
    "definisi_operasional", "sumber_data",
)
TARGET_FIELDS = ("annual", "tw1", "tw2", "tw3", "tw4", "target_min", "target_max")


def default_decimals(satuan: str) -> int:
    """Whole-number units (Rupiah, counts of permits or documents) have 0 decimals; others 2."""
    words = satuan.strip().lower().replace(".", "")
    return 0 if any(words == unit or words.startswith(unit + " ") for unit in WHOLE_NUMBER_SATUAN) else 2


@dataclass
class PkRow:
    row: int
    code: str
    unit_name: str
    parent_code: str | None
    year: int
    indicator: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, Decimal | None] = field(default_factory=dict)
    monthly: dict[int, Decimal] = field(default_factory=dict)


@dataclass
class PkImportSummary:
    units_created: list[str] = field(default_factory=list)
    indicators_created: int = 0
    indicators_updated: int = 0
    targets_created: int = 0
    targets_updated: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.units_created or self.indicators_created or self.indicators_updated
                    or self.targets_created or self.targets_updated)


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

    decimals = default_decimals(satuan)
    if cell_text(raw.get("desimal")) is not None:
        given = cell_number(raw.get("desimal"), number, "desimal", problems, decimals=0)
        if given is not None and (given != given.to_integral_value() or not 0 <= given <= 6):
            problems.append(RowProblem(number, "desimal", ProblemCode.INVALID_DECIMALS,
                                       value=cell_text(raw.get("desimal"))))
        elif given is not None:
            decimals = int(given)

    year = None
    if cell_text(raw.get("tahun")) is not None:
        year_value = cell_number(raw.get("tahun"), number, "tahun", problems, decimals=0)
        if year_value is not None and (year_value != year_value.to_integral_value() or not 2000 <= year_value <= 2100):
            problems.append(RowProblem(number, "tahun", ProblemCode.INVALID_YEAR, value=cell_text(raw.get("tahun"))))
        elif year_value is not None:
            year = int(year_value)

    targets = {
        column: cell_number(raw.get(column), number, column, problems, decimals=decimals, satuan=satuan)
        for column in TARGET_COLUMNS
    }
    monthly = {
        month: value
        for month, column in enumerate(MONTH_COLUMNS, start=1)
        if (value := cell_number(raw.get(column), number, column, problems, decimals=decimals, satuan=satuan))
        is not None
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
            "sumber_data": cell_text(raw.get("sumber_data")),
        },
        targets={
            "annual": targets["target_tahunan"], "tw1": targets["target_tw1"], "tw2": targets["target_tw2"],
            "tw3": targets["target_tw3"], "tw4": targets["target_tw4"],
            "target_min": targets["target_min"], "target_max": targets["target_max"],
        },
        monthly=monthly,
    )


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
        if first is not row and (first.indicator != row.indicator or first.unit_name.lower() != row.unit_name.lower()
                                 or (first.parent_code or "").lower() != (row.parent_code or "").lower()):
            problems.append(RowProblem(row.row, "kode", ProblemCode.CONFLICTING_INDICATOR, kode=row.code,
                                       first_row=first.row))

    existing = {ind.code.lower(): ind for ind in session.exec(select(Indicator)).all()}
    for row in first_by_code.values():
        if row.parent_code is None:
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


def read_pk_rows(path: Path, session: Session) -> list[PkRow]:
    """Read and validate the whole file; raises `ImportFailed` with every problem found."""
    table = read_table(path, preferred_sheet="PK")
    missing = [column for column in REQUIRED if column not in table.header]
    if missing:
        raise ImportFailed([RowProblem(1, column, ProblemCode.MISSING_COLUMN) for column in missing])
    problems: list[RowProblem] = []
    rows = [row for number, raw in table.rows if (row := parse_pk_row(number, raw, problems)) is not None]
    if not table.rows:
        problems.append(RowProblem(2, "kode", ProblemCode.NO_ROWS))
    _cross_check(rows, session, problems)
    if problems:
        raise ImportFailed(problems)
    return rows


def unit_kind_for(name: str) -> UnitKind:
    return UnitKind.SEKRETARIAT if name.lower().startswith("sekretariat") else UnitKind.BIDANG


def ensure_unit(session: Session, name: str, actor: Actor, summary: PkImportSummary | None = None) -> Unit:
    """The unit with this name (any letter case), created under the office when missing."""
    for unit in session.exec(select(Unit)).all():
        if unit.name.lower() == name.lower():
            return unit
    office = ensure_office(session, actor)
    unit = Unit(name=name, kind=unit_kind_for(name), parent_id=office.id)
    session.add(unit)
    session.flush()
    record_by(session, actor, "unit.create", "unit", unit.id, after={"name": name, "kind": unit.kind})
    if summary is not None:
        summary.units_created.append(name)
    return unit


def _changes(obj: Any, wanted: dict[str, Any], names: tuple[str, ...]) -> tuple[dict, dict]:
    before = {name: getattr(obj, name) for name in names if getattr(obj, name) != wanted[name]}
    after = {name: wanted[name] for name in before}
    return before, after


def apply_pk_rows(session: Session, rows: list[PkRow], actor: Actor) -> PkImportSummary:
    summary = PkImportSummary()
    indicators = {ind.code.lower(): ind for ind in session.exec(select(Indicator)).all()}
    for row in rows:
        unit = ensure_unit(session, row.unit_name, actor, summary)
        wanted = {**row.indicator, "unit_id": unit.id}
        indicator = indicators.get(row.code.lower())
        if indicator is None:
            indicator = Indicator(code=row.code, **wanted)
            session.add(indicator)
            session.flush()
            indicators[row.code.lower()] = indicator
            summary.indicators_created += 1
            record_by(session, actor, "indicator.create", "indicator", indicator.id, after={"code": row.code, **wanted})
        else:
            before, after = _changes(indicator, wanted, (*INDICATOR_FIELDS, "unit_id"))
            if after:
                for name, value in after.items():
                    setattr(indicator, name, value)
                session.add(indicator)
                summary.indicators_updated += 1
                record_by(session, actor, "indicator.update", "indicator", indicator.id, before=before, after=after)
    for row in rows:
        indicator = indicators[row.code.lower()]
        parent_id = indicators[row.parent_code.lower()].id if row.parent_code else None
        if indicator.parent_id != parent_id:
            record_by(session, actor, "indicator.update", "indicator", indicator.id,
                      before={"parent_id": indicator.parent_id}, after={"parent_id": parent_id})
            indicator.parent_id = parent_id
            session.add(indicator)
        _apply_targets(session, indicator, row, actor, summary)
        _apply_monthly_targets(session, indicator, row, actor, summary)
    session.flush()
    return summary


def _apply_targets(session: Session, indicator: Indicator, row: PkRow, actor: Actor, summary: PkImportSummary) -> None:
    target = session.exec(
        select(IndicatorTarget).where(IndicatorTarget.indicator_id == indicator.id, IndicatorTarget.year == row.year)
    ).first()
    if target is None:
        target = IndicatorTarget(indicator_id=indicator.id, year=row.year, **row.targets)
        session.add(target)
        session.flush()
        summary.targets_created += 1
        record_by(session, actor, "target.create", "indicator_target", target.id,
                  after={"code": indicator.code, "year": row.year, **row.targets})
        return
    before, after = _changes(target, row.targets, TARGET_FIELDS)
    if after:
        for name, value in after.items():
            setattr(target, name, value)
        session.add(target)
        summary.targets_updated += 1
        record_by(session, actor, "target.update", "indicator_target", target.id,
                  before={"code": indicator.code, "year": row.year, **before},
                  after={"code": indicator.code, "year": row.year, **after})


def _apply_monthly_targets(
    session: Session, indicator: Indicator, row: PkRow, actor: Actor, summary: PkImportSummary
) -> None:
    """The file is the truth for the year: monthly targets are added, changed or removed to match it."""
    stored = {
        m.month: m for m in session.exec(
            select(MonthlyTarget).where(MonthlyTarget.indicator_id == indicator.id, MonthlyTarget.year == row.year)
        )
    }
    before = {month: m.value for month, m in stored.items()}
    if before == row.monthly:
        return
    for month, target in stored.items():
        if month not in row.monthly:
            session.delete(target)
    for month, value in row.monthly.items():
        target = stored.get(month) or MonthlyTarget(indicator_id=indicator.id, year=row.year, month=month, value=value)
        target.value = value
        session.add(target)
    summary.targets_updated += 1
    record_by(session, actor, "target.monthly", "indicator", indicator.id,
              before={"code": indicator.code, "year": row.year, "months": before},
              after={"code": indicator.code, "year": row.year, "months": row.monthly})


def import_pk(session: Session, path: Path, actor: Actor) -> PkImportSummary:
    """Validate the whole file, then write it; raises `ImportFailed` and writes nothing on any problem."""
    rows = read_pk_rows(path, session)
    return apply_pk_rows(session, rows, actor)
