"""The figures of the LKjIP's measurement tables (chapter III, PermenPAN-RB 53/2014) for a year, from the domain.

- **Capaian kinerja:** per tujuan and sasaran indicator of the year's PK, in Renstra order: the year's target,
  realisasi and capaian, the same for the previous years the database holds (`PREVIOUS_YEARS` at most), and the
  Renstra's end target with the progress towards it (the year's realisasi against it, by the indicator's own
  capaian rule: R/T for a positive indicator, its negative formula otherwise; none for a range).
- **Anggaran:** per sasaran, the programs and kegiatan below it (the PK's `induk` chain) that have a budget line
  (`models.exchange.budget_lines`): pagu, realisasi anggaran, serapan (realisasi ÷ pagu) and the program's own
  capaian; per sasaran their sums, and the tingkat efisiensi = capaian kinerja ÷ serapan anggaran × 100 (over
  100: the performance was bought with less of the budget than it reached). A program without a sasaran above it
  goes under "Lainnya".

Values are the recap's (`compute_recap`, a year: every period aggregated against the annual target): approved
values only, unless `include_drafts` (then `unapproved` says whether any row holds a value not approved yet).
No openpyxl here: `reports.lkjip` draws the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, select

from models.calc.capaian import Polarity, Target, compute_capaian
from models.collection.recap import RecapRow, compute_recap
from models.office.organisation import Unit, UnitKind
from models.plan.indicators import Indicator, IndicatorLevel, IndicatorTarget, indicator_order
from models.plan.periods import Period

PREVIOUS_YEARS = 4  # a Renstra spans five years: the year and the four before it
MEASURED_LEVELS = (IndicatorLevel.TUJUAN, IndicatorLevel.SASARAN)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PerformanceRow:
    """One tujuan or sasaran indicator: its recap row of the year and of each previous year (None: not in that
    year's PK), and its progress towards the Renstra's end target (percent)."""

    indicator: Indicator
    years: dict[int, RecapRow | None]
    renstra_progress: Decimal | None


@dataclass(frozen=True)
class BudgetLine:
    """A program or kegiatan with a budget: pagu, realisasi anggaran, serapan and its own capaian (percent)."""

    program: Indicator
    pagu: Decimal | None
    spent: Decimal | None
    capaian: Decimal | None

    @property
    def serapan(self) -> Decimal | None:
        return share(self.spent, self.pagu)

    @property
    def efisiensi(self) -> Decimal | None:
        return efficiency(self.capaian, self.serapan)


@dataclass(frozen=True)
class BudgetGroup:
    """The programs and kegiatan behind one sasaran (None: behind none), their sums and the sasaran's capaian."""

    sasaran: Indicator | None
    capaian: Decimal | None
    lines: list[BudgetLine] = field(default_factory=list)

    @property
    def pagu(self) -> Decimal | None:
        return _sum(line.pagu for line in self.lines)

    @property
    def spent(self) -> Decimal | None:
        return _sum(line.spent for line in self.lines)

    @property
    def serapan(self) -> Decimal | None:
        return share(self.spent, self.pagu)

    @property
    def efisiensi(self) -> Decimal | None:
        return efficiency(self.capaian, self.serapan)


@dataclass(frozen=True)
class LkjipData:
    year: int
    office: str
    previous_years: list[int]  # oldest first
    performance: list[PerformanceRow]
    budget: list[BudgetGroup]
    unapproved: bool  # drafts were asked for and some row holds one


def share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """`part` as a percent of `whole` (None without both, or of a zero whole)."""
    if part is None or whole is None or whole == 0:
        return None
    return part / whole * HUNDRED


def efficiency(capaian: Decimal | None, serapan: Decimal | None) -> Decimal | None:
    """Tingkat efisiensi: capaian kinerja (%) ÷ serapan anggaran (%) × 100; none while nothing was spent."""
    return share(capaian, serapan)


def _sum(values) -> Decimal | None:
    present = [value for value in values if value is not None]
    return sum(present, Decimal(0)) if present else None


def held_years(session: Session, year: int) -> list[int]:
    """The years before `year` that the database holds a PK or periods of, the latest `PREVIOUS_YEARS`."""
    years = set(session.exec(select(IndicatorTarget.year).where(IndicatorTarget.year < year).distinct()))
    years |= set(session.exec(select(Period.year).where(Period.year < year).distinct()))
    return sorted(years)[-PREVIOUS_YEARS:]


def renstra_progress(indicator: Indicator, realisasi: Decimal | None) -> Decimal | None:
    """The year's realisasi against the Renstra's end target, by the indicator's capaian rule (none for a
    range, whose end target is no single value)."""
    if indicator.target_renstra is None or Polarity(indicator.polarity) is Polarity.RANGE:
        return None
    return compute_capaian(realisasi, Target(value=indicator.target_renstra), indicator.rule).value


def _sasaran_of(indicator: Indicator, by_id: dict[int, Indicator]) -> Indicator | None:
    """The nearest sasaran above (else the nearest tujuan), following `induk`."""
    found, seen, parent_id = None, set(), indicator.parent_id
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        parent = by_id.get(parent_id)
        if parent is None:
            break
        if IndicatorLevel(parent.level) is IndicatorLevel.SASARAN:
            return parent
        if IndicatorLevel(parent.level) is IndicatorLevel.TUJUAN and found is None:
            found = parent
        parent_id = parent.parent_id
    return found


def lkjip_data(session: Session, year: int, *, include_drafts: bool = False) -> LkjipData:
    previous = held_years(session, year)
    recaps = {y: compute_recap(session, y, approved_only=not include_drafts) for y in (*previous, year)}
    rows_of = {y: {row.indicator.id: row for row in recap.rows} for y, recap in recaps.items()}
    this_year = recaps[year].rows
    performance = []
    for row in this_year:
        indicator = row.indicator
        if IndicatorLevel(indicator.level) not in MEASURED_LEVELS or indicator.budget_of_id is not None:
            continue
        performance.append(PerformanceRow(
            indicator=indicator,
            years={y: rows_of[y].get(indicator.id) for y in (*previous, year)},
            renstra_progress=renstra_progress(indicator, row.realisasi),
        ))

    by_id = {indicator.id: indicator for indicator in session.exec(select(Indicator))}
    current = rows_of[year]
    groups: dict[int | None, BudgetGroup] = {}
    lines = [(program, row) for row in this_year
             if row.indicator.budget_of_id is not None and (program := by_id.get(row.indicator.budget_of_id))]
    for program, row in sorted(lines, key=lambda line: indicator_order(line[0])):
        sasaran = _sasaran_of(program, by_id)
        key = sasaran.id if sasaran else None
        if key not in groups:
            sasaran_row = current.get(key) if key is not None else None
            groups[key] = BudgetGroup(sasaran, sasaran_row.capaian.value if sasaran_row else None)
        program_row = current.get(program.id)
        groups[key].lines.append(BudgetLine(program, row.target.value, row.realisasi,
                                            program_row.capaian.value if program_row else None))
    budget = sorted(groups.values(), key=lambda group: (group.sasaran is None,
                                                        indicator_order(group.sasaran) if group.sasaran else ()))
    office = session.exec(select(Unit.name).where(Unit.kind == UnitKind.OFFICE)).first() or "-"
    unapproved = include_drafts and any(row.unapproved for recap in recaps.values() for row in recap.rows)
    return LkjipData(year, office, previous, performance, budget, unapproved)
