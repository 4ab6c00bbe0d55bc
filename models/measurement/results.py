"""Pengukuran Kinerja (SOP procedure B): the capaian of a triwulan, per tujuan, sasaran, program and kegiatan.

Each indicator's triwulan capaian comes from the recap (monthly realisasi aggregated with the indicator's own
rule, see `models.collection.recap`). The LKjIP compares it with:

- the previous triwulan (TW IV of last year for TW I), when its data exists;
- the same triwulan last year, when that data exists;
- the annual target: realisasi from January to the end of the triwulan against the year's target, i.e. the
  progress to year end (a cumulative indicator at 25% after TW I is on track for a 100% year), judged against
  the part of the year elapsed (`models.calc.year_path`): it is the capaian to date that is rated.

Per level (tujuan, sasaran, program, kegiatan, sub kegiatan) the measurement counts the indicators measured
and tercapai, and gives the mean of their capaian. [our rule] The mean is unweighted, as in the LKjIP tables;
an indicator without a value is counted but left out of the mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from models.calc.capaian import (
    CapaianResult,
    RuleKey,
    Target,
    aggregate,
    annual_target,
    compute_capaian,
    months_of_quarter,
    round_capaian,
)
from models.calc.year_path import YearPath, year_path
from models.collection.recap import Recap, RecapRow, compute_recap
from models.plan.indicators import Frequency, IndicatorLevel
from models.plan.periods import PeriodKind, PeriodRef


@dataclass(frozen=True)
class MeasuredRow:
    row: RecapRow  # the triwulan's target, realisasi, capaian, kendala and tindak lanjut
    previous: CapaianResult  # the previous triwulan
    last_year: CapaianResult  # the same triwulan a year earlier
    year_realisasi: Decimal | None  # January to the end of the triwulan
    annual: Target
    year_progress: CapaianResult  # year_realisasi against the annual target
    year_path: YearPath | None = None  # the same against the target to date (`models.calc.year_path`); no PK: None


@dataclass(frozen=True)
class LevelResult:
    level: IndicatorLevel
    indicators: int
    measured: int
    tercapai: int
    average: Decimal | None  # mean capaian of the measured indicators, 2 decimals


@dataclass(frozen=True)
class Measurement:
    quarter: PeriodRef
    recap: Recap
    rows: list[MeasuredRow]
    levels: list[LevelResult]

    @property
    def measured(self) -> list[MeasuredRow]:
        return [row for row in self.rows if row.row.capaian.value is not None]


def previous_quarter(ref: PeriodRef) -> PeriodRef:
    return PeriodRef(PeriodKind.QUARTER, ref.year - 1, 4) if ref.number == 1 else \
        PeriodRef(PeriodKind.QUARTER, ref.year, ref.number - 1)


def _year_to_date(row: RecapRow, quarter: int) -> Decimal | None:
    """The indicator's realisasi from January to the end of the triwulan, with its aggregation."""
    monthly = Frequency(row.indicator.frequency) is Frequency.MONTHLY
    numbers = range(1, months_of_quarter(quarter)[-1] + 1) if monthly else range(1, quarter + 1)
    return aggregate([row.series.get(number) for number in numbers], row.indicator.rule)


def _by_indicator(recap: Recap) -> dict[int, RecapRow]:
    return {row.indicator.id: row for row in recap.rows}


def _level_results(rows: list[MeasuredRow]) -> list[LevelResult]:
    results = []
    for level in IndicatorLevel:
        members = [m.row for m in rows if IndicatorLevel(m.row.indicator.level) is level]
        if not members:
            continue
        values = [row.capaian.value for row in members if row.capaian.value is not None]
        average = round_capaian(sum(values, Decimal(0)) / len(values)) if values else None
        results.append(LevelResult(level, len(members), len(values),
                                   sum(1 for row in members if row.capaian.tercapai), average))
    return results


def measure_quarter(session: Session, ref: PeriodRef, language: str = "id") -> Measurement:
    """The measurement of triwulan `ref`: every active indicator (monthly ones aggregated over the quarter)."""
    if ref.kind is not PeriodKind.QUARTER:
        raise ValueError(f"a measurement is of a triwulan, not {ref.code}")
    recap = compute_recap(session, ref, language)
    before = _by_indicator(compute_recap(session, previous_quarter(ref), language))
    last_year = _by_indicator(compute_recap(session, PeriodRef(PeriodKind.QUARTER, ref.year - 1, ref.number),
                                            language))
    none = CapaianResult(None, RuleKey.NO_REALISASI)
    rows = []
    for row in recap.rows:
        rule = row.indicator.rule
        year_realisasi = _year_to_date(row, ref.number)
        annual = annual_target(row.plan, rule) if row.plan is not None else Target()
        monthly = Frequency(row.indicator.frequency) is Frequency.MONTHLY
        path = year_path(year_realisasi, row.plan, rule, months_of_quarter(ref.number)[-1] if monthly else ref.number,
                         monthly=monthly) if row.plan is not None else None
        earlier = before.get(row.indicator.id)
        rows.append(MeasuredRow(
            row=row,
            previous=earlier.capaian if earlier else none,
            last_year=last_year[row.indicator.id].capaian if row.indicator.id in last_year else none,
            year_realisasi=year_realisasi,
            annual=annual,
            year_progress=compute_capaian(year_realisasi, annual, rule),
            year_path=path,
        ))
    return Measurement(ref, recap, rows, _level_results(rows))

