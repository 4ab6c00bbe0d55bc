"""Writing a Perjanjian Kinerja that `pk_import` has read: its indicators, and each year's PK, or a PK Perubahan
from a date, with what it adds, drops and re-targets.

The rows of a year are that year's PK as of `valid_from` (1 January, or the PK Perubahan's date): an indicator
of the PK in force on that day that is not in the file is dropped from that day; one in the file that is not in
force is added; one whose targets differ is re-targeted. Periods that start before `valid_from` keep the row
they had (`models.plan.pk`), so their capaian stay as they were; other years are not touched. Every change is
audited, with before and after.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from models.office.audit import Actor, record_by
from models.office.organisation import Unit, UnitKind, ensure_office
from models.plan.indicators import Indicator, IndicatorTarget, MonthlyTarget
from models.plan.pk import pk_on

# The file's column of each target field, and of each month (1-12): how a change is named to the user.
TARGET_COLUMNS_OF = {
    "annual": "target_tahunan", "tw1": "target_tw1", "tw2": "target_tw2", "tw3": "target_tw3", "tw4": "target_tw4",
    "target_min": "target_min", "target_max": "target_max",
}
TARGET_FIELDS = tuple(TARGET_COLUMNS_OF)
MONTH_COLUMNS = (
    "target_jan", "target_feb", "target_mar", "target_apr", "target_mei", "target_jun",
    "target_jul", "target_agu", "target_sep", "target_okt", "target_nov", "target_des",
)
INDICATOR_FIELDS = (
    "name", "level", "kind", "satuan", "polarity", "negative_formula", "aggregation", "frequency", "decimals",
    "definisi_operasional", "sumber_data",
)
# Optional columns of the indicator: written only when the file has their column (an older file keeps them).
RENSTRA_FIELDS = ("target_renstra", "tahun_renstra")


@dataclass
class PkRow:
    """One valid line of the file: an indicator and its targets of one year."""

    row: int
    code: str
    unit_name: str
    parent_code: str | None
    year: int
    indicator: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, Decimal | None] = field(default_factory=dict)
    monthly: dict[int, Decimal] = field(default_factory=dict)
    decimals_given: bool = False  # the `desimal` column said it; otherwise it comes from the targets
    pagu: Decimal | None = None  # the program's or kegiatan's budget ceiling of the year (Rupiah)
    budget_of: str | None = None  # this line is the budget of that program or kegiatan (`budget_lines`)

    def places(self) -> int:
        """Decimals of the most precise target of the line (0,604 → 3)."""
        renstra = self.indicator.get("target_renstra")
        values = [value for value in (*self.targets.values(), *self.monthly.values(), renstra) if value is not None]
        return max((places_of(value) for value in values), default=0)


def places_of(value: Decimal) -> int:
    """Significant decimals of a value: 0,604 → 3, 85,50 → 1, 1200 → 0."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int), "a finite value"
    return max(0, -exponent)


@dataclass(frozen=True)
class PkLine:
    """An indicator in a year's PK."""

    code: str
    year: int


@dataclass(frozen=True)
class TargetChange:
    column: str  # the file's column: target_tahunan … target_max, target_jan … target_des
    before: Decimal | None
    after: Decimal | None


@dataclass(frozen=True)
class Retarget:
    code: str
    year: int
    changes: tuple[TargetChange, ...]


@dataclass
class PkImportSummary:
    units_created: list[str] = field(default_factory=list)
    indicators_created: int = 0
    indicators_updated: int = 0
    added: list[PkLine] = field(default_factory=list)
    dropped: list[PkLine] = field(default_factory=list)
    retargeted: list[Retarget] = field(default_factory=list)

    @property
    def targets_created(self) -> int:
        return len(self.added)

    @property
    def targets_updated(self) -> int:
        return len(self.retargeted)

    @property
    def changed(self) -> bool:
        return bool(self.units_created or self.indicators_created or self.indicators_updated
                    or self.added or self.dropped or self.retargeted)


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


def _changes(obj: Any, wanted: dict[str, Any], names: Iterable[str]) -> tuple[dict, dict]:
    before = {name: getattr(obj, name) for name in names if getattr(obj, name) != wanted[name]}
    after = {name: wanted[name] for name in before}
    return before, after


def apply_pk_rows(
    session: Session, rows: list[PkRow], actor: Actor, valid_from: date | None = None
) -> PkImportSummary:
    """Write the rows: indicators first, then each year's PK as of `valid_from` (default: 1 January of it)."""
    summary = PkImportSummary()
    indicators = _apply_indicators(session, rows, actor, summary)
    for year in sorted({row.year for row in rows}):
        day = valid_from or date(year, 1, 1)
        _apply_year(session, [row for row in rows if row.year == year], year, day, indicators, actor, summary)
    session.flush()
    return summary


def _decimals(session: Session, indicator: Indicator | None, rows: list[PkRow]) -> int:
    """The decimals of the file, never fewer than the targets of other years need (an official target is never
    shown rounded), unless the `desimal` column says otherwise."""
    decimals = rows[0].indicator["decimals"]
    if indicator is None or rows[0].decimals_given:
        return decimals
    years = {row.year for row in rows}
    stored = session.exec(select(IndicatorTarget).where(IndicatorTarget.indicator_id == indicator.id,
                                                        IndicatorTarget.year.not_in(years))).all()
    values = [getattr(row, name) for row in stored for name in TARGET_FIELDS]
    return max([decimals, *(places_of(value) for value in values if value is not None)])


def _apply_indicators(session: Session, rows: list[PkRow], actor: Actor,
                      summary: PkImportSummary) -> dict[str, Indicator]:
    indicators = {ind.code.lower(): ind for ind in session.exec(select(Indicator)).all()}
    by_code: dict[str, list[PkRow]] = {}
    for row in rows:
        by_code.setdefault(row.code.lower(), []).append(row)
    for key, lines in by_code.items():
        row = lines[0]
        unit = ensure_unit(session, row.unit_name, actor, summary)
        indicator = indicators.get(key)
        wanted = {**row.indicator, "decimals": _decimals(session, indicator, lines), "unit_id": unit.id}
        if indicator is None:
            indicator = Indicator(code=row.code, **wanted)
            session.add(indicator)
            session.flush()
            indicators[key] = indicator
            summary.indicators_created += 1
            record_by(session, actor, "indicator.create", "indicator", indicator.id, after={"code": row.code, **wanted})
            continue
        names = (*INDICATOR_FIELDS, *(name for name in RENSTRA_FIELDS if name in wanted), "unit_id")
        before, after = _changes(indicator, wanted, names)
        if after:
            for name, value in after.items():
                setattr(indicator, name, value)
            session.add(indicator)
            summary.indicators_updated += 1
            record_by(session, actor, "indicator.update", "indicator", indicator.id, before=before, after=after)
    for key, lines in by_code.items():
        indicator, parent_code = indicators[key], lines[0].parent_code
        parent_id = indicators[parent_code.lower()].id if parent_code else None
        if indicator.parent_id != parent_id:
            record_by(session, actor, "indicator.update", "indicator", indicator.id,
                      before={"parent_id": indicator.parent_id}, after={"parent_id": parent_id})
            indicator.parent_id = parent_id
            session.add(indicator)
        budget_of = lines[0].budget_of
        budget_of_id = indicators[budget_of.lower()].id if budget_of else None
        if budget_of and indicator.budget_of_id != budget_of_id:
            record_by(session, actor, "indicator.update", "indicator", indicator.id,
                      before={"budget_of_id": indicator.budget_of_id}, after={"budget_of_id": budget_of_id})
            indicator.budget_of_id = budget_of_id
            session.add(indicator)
    return indicators


def _stamp(code: str, year: int, day: date, values: dict[str, Any]) -> dict[str, Any]:
    """An audit entry's content: the PK line, and the PK Perubahan's date when it is one."""
    when = {} if day == date(year, 1, 1) else {"berlaku_mulai": day.isoformat()}
    return {"code": code, "year": year, **when, **values}


def _apply_year(session: Session, rows: list[PkRow], year: int, day: date, indicators: dict[str, Indicator],
                actor: Actor, summary: PkImportSummary) -> None:
    in_force = pk_on(session, year, day)
    on_day = {row.indicator_id: row for row in session.exec(
        select(IndicatorTarget).where(IndicatorTarget.year == year, IndicatorTarget.valid_from == day))}
    in_file = set()
    for row in rows:
        indicator = indicators[row.code.lower()]
        in_file.add(indicator.id)
        current = in_force.get(indicator.id)
        if current is None:
            _add(session, indicator, row, day, on_day.get(indicator.id), actor)
            summary.added.append(PkLine(indicator.code, year))
            _apply_monthly_targets(session, indicator, row, day, actor)
            continue
        changes = _retarget(session, indicator, row, day, current, actor)
        changes += _apply_monthly_targets(session, indicator, row, day, actor)
        if changes:
            summary.retargeted.append(Retarget(indicator.code, year, tuple(changes)))
    codes = {indicator.id: indicator.code for indicator in indicators.values()}
    for indicator_id, current in sorted(in_force.items(), key=lambda item: item[0]):
        if indicator_id not in in_file:
            code = codes.get(indicator_id) or session.get(Indicator, indicator_id).code
            _drop(session, code, current, day, actor)
            summary.dropped.append(PkLine(code, year))


def _add(session: Session, indicator: Indicator, row: PkRow, day: date, dropped: IndicatorTarget | None,
         actor: Actor) -> None:
    """Into the year's PK from `day`: a new row, or the row that dropped it on that day taken back."""
    if dropped is None:
        target = IndicatorTarget(indicator_id=indicator.id, year=row.year, valid_from=day, **row.targets)
        session.add(target)
        session.flush()
        record_by(session, actor, "target.create", "indicator_target", target.id,
                  after=_stamp(indicator.code, row.year, day, row.targets))
        return
    before, after = _changes(dropped, row.targets, TARGET_FIELDS)
    for name, value in after.items():
        setattr(dropped, name, value)
    dropped.dropped = False
    session.add(dropped)
    record_by(session, actor, "target.update", "indicator_target", dropped.id,
              before=_stamp(indicator.code, row.year, day, {"dropped": True, **before}),
              after=_stamp(indicator.code, row.year, day, {"dropped": False, **after}))


def _retarget(session: Session, indicator: Indicator, row: PkRow, day: date, current: IndicatorTarget,
              actor: Actor) -> list[TargetChange]:
    """New targets from `day`: the row of that day changed, or a new row from it (a PK Perubahan)."""
    before, after = _changes(current, row.targets, TARGET_FIELDS)
    if not after:
        return []
    if current.valid_from == day:
        for name, value in after.items():
            setattr(current, name, value)
        session.add(current)
        record_by(session, actor, "target.update", "indicator_target", current.id,
                  before=_stamp(indicator.code, row.year, day, before),
                  after=_stamp(indicator.code, row.year, day, after))
    else:
        target = IndicatorTarget(indicator_id=indicator.id, year=row.year, valid_from=day, **row.targets)
        session.add(target)
        session.flush()
        record_by(session, actor, "target.update", "indicator_target", target.id,
                  before=_stamp(indicator.code, row.year, day, before),
                  after=_stamp(indicator.code, row.year, day, after))
    return [TargetChange(TARGET_COLUMNS_OF[name], before[name], after[name]) for name in before]


def _drop(session: Session, code: str, current: IndicatorTarget, day: date, actor: Actor) -> None:
    """Out of the year's PK from `day`; its targets before that day stay."""
    if current.valid_from == day:
        current.dropped = True
        session.add(current)
        target = current
    else:
        target = IndicatorTarget(indicator_id=current.indicator_id, year=current.year, valid_from=day, dropped=True)
        session.add(target)
        session.flush()
    record_by(session, actor, "target.drop", "indicator_target", target.id,
              before=_stamp(code, current.year, day, {"dropped": False}),
              after=_stamp(code, current.year, day, {"dropped": True}))


def _apply_monthly_targets(
    session: Session, indicator: Indicator, row: PkRow, day: date, actor: Actor
) -> list[TargetChange]:
    """The file is the truth for the months from `day` until a later PK Perubahan of the indicator (a month that
    starts before keeps its target, one after keeps the later one's): monthly targets are added, changed or
    removed to match it."""
    later = session.exec(select(IndicatorTarget.valid_from).where(
        IndicatorTarget.indicator_id == indicator.id, IndicatorTarget.year == row.year,
        IndicatorTarget.valid_from > day).order_by(IndicatorTarget.valid_from)).first()
    governed = [month for month in range(1, 13)
                if day <= date(row.year, month, 1) and (later is None or date(row.year, month, 1) < later)]
    stored = {
        m.month: m for m in session.exec(
            select(MonthlyTarget).where(MonthlyTarget.indicator_id == indicator.id, MonthlyTarget.year == row.year,
                                        MonthlyTarget.month.in_(governed))
        )
    }
    before = {month: m.value for month, m in stored.items()}
    wanted = {month: value for month, value in row.monthly.items() if month in governed}
    if before == wanted:
        return []
    for month, target in stored.items():
        if month not in wanted:
            session.delete(target)
    for month, value in wanted.items():
        target = stored.get(month) or MonthlyTarget(indicator_id=indicator.id, year=row.year, month=month, value=value)
        target.value = value
        session.add(target)
    record_by(session, actor, "target.monthly", "indicator", indicator.id,
              before=_stamp(indicator.code, row.year, day, {"months": before}),
              after=_stamp(indicator.code, row.year, day, {"months": wanted}))
    return [TargetChange(MONTH_COLUMNS[month - 1], before.get(month), wanted.get(month))
            for month in sorted(set(before) | set(wanted)) if before.get(month) != wanted.get(month)]
