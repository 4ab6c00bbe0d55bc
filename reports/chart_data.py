"""What the recap charts are drawn from: plain data (`Bar`, `Trend`, `UnitBar`) and its adapters from the domain
(`bars_from_recap`, `progress_bars`, `trend_from_plan`), so the charts themselves never read the database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from babel import dates as babel_dates

from models.calc.capaian import YearTargets, month_target, quarter_target
from models.calc.dates import roman
from models.collection.progress import UnitProgress
from models.collection.recap import Recap, RecapRow
from models.plan.indicators import Frequency, Indicator, IndicatorLevel
from reports.chart_style import ChartTexts, chart_texts


@dataclass(frozen=True)
class Bar:
    """One indicator's capaian (percent, full precision; None: no value) and its band (a `Rating` value)."""

    code: str
    name: str
    group: str = ""  # a sasaran or a unit; bars of one group are drawn together under its heading
    capaian: Decimal | None = None
    band: str | None = None  # derived from the rounded capaian when None


@dataclass(frozen=True)
class TrendPoint:
    label: str
    realisasi: Decimal | None
    target: Decimal | None = None


@dataclass(frozen=True)
class Trend:
    code: str
    name: str
    satuan: str
    points: Sequence[TrendPoint]
    decimals: int | None = None  # places shown on the values; None: the value's own


@dataclass(frozen=True)
class UnitBar:
    unit: str
    status: str  # not_started | draft | submitted | returned | approved
    late: bool = False
    answered: int = 0
    total: int = 0


# ------------------------------------------------------------------------ adapters


def _ancestors(indicator: Indicator, by_id: Mapping[int, Indicator]) -> Iterable[Indicator]:
    seen: set[int | None] = set()
    current: Indicator | None = indicator
    while current is not None and current.id not in seen:
        seen.add(current.id)
        yield current
        current = by_id.get(current.parent_id) if current.parent_id is not None else None


def _sasaran_heading(indicator: Indicator, by_id: Mapping[int, Indicator]) -> str:
    """The nearest sasaran at or above the indicator; else its tujuan; else "" (the "Lainnya" group)."""
    top = None
    for node in _ancestors(indicator, by_id):
        if IndicatorLevel(node.level) is IndicatorLevel.SASARAN:
            return f"{node.code} {node.name}"
        if IndicatorLevel(node.level) is IndicatorLevel.TUJUAN:
            top = node
    return f"{top.code} {top.name}" if top else ""


def bars_from_recap(
    recap: Recap, group_by: Literal["sasaran", "unit"] = "sasaran", *, indicators: Iterable[Indicator] = ()
) -> list[Bar]:
    """One bar per recap row, in the recap's order, grouped by sasaran (found through `parent_id` among the
    recap's indicators, the PK's indicators above them (`Recap.ancestors`: a quarterly sasaran above a monthly
    recap) and `indicators`) or by unit. Only an indicator with no sasaran or tujuan above it is "Lainnya"."""
    if group_by not in ("sasaran", "unit"):
        raise ValueError(f"group_by must be 'sasaran' or 'unit', not {group_by!r}")
    by_id = ({i.id: i for i in indicators} | {i.id: i for i in recap.ancestors}
             | {row.indicator.id: row.indicator for row in recap.rows})
    bars = []
    for row in recap.rows:
        group = row.unit_name if group_by == "unit" else _sasaran_heading(row.indicator, by_id)
        rating = row.capaian.rating
        bars.append(Bar(code=row.indicator.code, name=row.indicator.name, group=group, capaian=row.capaian.value,
                        band=None if rating is None else rating.value))
    return bars


def progress_bars(progress: Iterable[UnitProgress]) -> list[UnitBar]:
    return [UnitBar(unit=p.unit.name, status=p.status, late=p.late, answered=p.answered, total=p.total)
            for p in progress]


def trend_of_row(row: RecapRow, recap: Recap, texts: ChartTexts | None = None, locale: str = "id") -> Trend:
    """A recap row's year up to the recap's end (`Recap.last_numbers`): Triwulan I's report shows January to
    March (or TW I), the year's all twelve months."""
    last_month, last_quarter = recap.last_numbers
    monthly = Frequency(row.indicator.frequency) is Frequency.MONTHLY
    return trend_from_plan(row.indicator, row.plan, row.series, texts, locale,
                           through=last_month if monthly else max(last_quarter, 1))


def month_labels(locale: str = "id") -> tuple[str, ...]:
    """Babel's short month names: ("Jan", "Feb", …, "Mei", …, "Agu", …, "Des") for ``id``."""
    names = babel_dates.get_month_names("abbreviated", context="stand-alone", locale=locale)
    return tuple(names[month] for month in range(1, 13))


def trend_from_plan(
    indicator: Indicator, plan: YearTargets, realisasi: Mapping[int, Decimal | None],
    texts: ChartTexts | None = None, locale: str = "id", *, through: int | None = None,
) -> Trend:
    """An indicator's year: `realisasi` by month (1..12) or triwulan (1..4, quarterly indicators) against the
    period targets of its PK (`month_target` / `quarter_target`: a range target has no single line), up to the
    month (triwulan) `through` when given: a report of a period shows its year so far, never a later month."""
    texts = texts or chart_texts()
    monthly = Frequency(indicator.frequency) is Frequency.MONTHLY
    if monthly:
        labels = month_labels(locale)
        targets = [month_target(plan, m, indicator.rule).value for m in range(1, 13)]
    else:
        labels = tuple(texts.quarter_short.format(roman=roman(q)) for q in range(1, 5))
        targets = [quarter_target(plan, q, indicator.rule).value for q in range(1, 5)]
    points = tuple(TrendPoint(label, realisasi.get(n), target)
                   for n, (label, target) in enumerate(zip(labels, targets, strict=True), start=1)
                   if through is None or n <= through)
    return Trend(indicator.code, indicator.name, indicator.satuan, points, indicator.decimals)
