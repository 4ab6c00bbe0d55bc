"""Annual progress judged against the part of the year elapsed ("on track" for the year's target).

Realisasi from January to the end of a period against the whole year's target reads 25% after TW I; rated on
the capaian scale that is sangat rendah although the indicator may be exactly where the PK wanted it. Here the
same realisasi is also measured against the target *to date* (the path to the annual target), and that capaian
is the one that is rated. Pure functions: no database, no Telegram; numbers are ``Decimal``.

What "the target to date" is, per aggregation [our rules]:

- kumulatif (sum): the sum of the period targets up to and including this period when the PK has them
  (triwulan targets, or monthly ones for a monthly indicator; `year_to_date_target` /
  `year_to_date_month_target`); else the annual target × the elapsed share of the year (q/4 or m/12), an even
  path. Realisasi to date is the sum of the periods reported.
- nilai akhir (last value, e.g. an index): the latest value is the year's value so far, so on track means it
  meets this period's own target (the PK's TW or monthly target); without one, the annual target itself (a
  level has no smaller share to reach by mid-year).
- rata-rata (mean): the mean of the values so far against the mean of the period targets so far; without
  period targets, the annual target (a mean does not grow with time).
- a range target (rentang) applies to every period, so its path is the range itself.

``share`` is the target to date as a percentage of the annual target ("sesuai jalur: 25%"); None where it has no
meaning (a range, a missing or zero annual target). The colours reuse the capaian rating scale: ``path.rating``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from models.calc.capaian import (
    Aggregation,
    CapaianResult,
    IndicatorRule,
    Polarity,
    Rating,
    Target,
    YearTargets,
    annual_target,
    compute_capaian,
    months_of_quarter,
    quarter_of_month,
    year_to_date_month_target,
    year_to_date_target,
)

__all__ = ["YearPath", "path_target", "year_path"]

_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class YearPath:
    """Realisasi to date against the annual target (``annual``) and against the target to date (``path``)."""

    rule: IndicatorRule
    realisasi: Decimal | None
    annual_target: Target
    target_to_date: Target
    annual: CapaianResult  # realisasi to date ÷ the whole year's target: "25% dari target setahun"
    path: CapaianResult  # realisasi to date ÷ the target to date: what is rated
    share: Decimal | None  # target to date as a percent of the annual target ("sesuai jalur: 25%")

    @property
    def rating(self) -> Rating | None:
        return self.path.rating


def _even_share(monthly: bool, number: int) -> Decimal:
    """The elapsed part of the year at the end of period `number` (a month or a triwulan), as a fraction."""
    if monthly:
        quarter_of_month(number)  # validates 1..12
        return Decimal(number) / 12
    return Decimal(months_of_quarter(number)[-1]) / 12


def path_target(targets: YearTargets, rule: IndicatorRule, number: int, *, monthly: bool) -> Target:
    """The target from January to the end of period `number` (a month when `monthly`, else a triwulan)."""
    with localcontext(prec=40):
        to_date = year_to_date_month_target(targets, number, rule) if monthly else \
            year_to_date_target(targets, number, rule)
        if rule.polarity is Polarity.RANGE or to_date.value is not None:
            return to_date
        annual = annual_target(targets, rule)
        if annual.value is None:
            return annual
        if rule.aggregation is Aggregation.CUMULATIVE:
            return Target(annual.value * _even_share(monthly, number), annual.lower, annual.upper)
        return annual  # a level or a mean: the year's own value is the path


def year_path(realisasi: Decimal | None, targets: YearTargets, rule: IndicatorRule, number: int, *,
              monthly: bool) -> YearPath:
    """Realisasi from January to the end of period `number` judged against the year and against its path."""
    annual = annual_target(targets, rule)
    to_date = path_target(targets, rule, number, monthly=monthly)
    share = None
    if rule.polarity is not Polarity.RANGE and annual.value and to_date.value is not None:
        with localcontext(prec=40):
            share = to_date.value * _HUNDRED / annual.value
    return YearPath(rule, realisasi, annual, to_date, compute_capaian(realisasi, annual, rule),
                    compute_capaian(realisasi, to_date, rule), share)
