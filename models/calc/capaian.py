"""Capaian engine: realisasi against Perjanjian Kinerja (PK) targets, in percent.

Pure functions: no database, no Telegram, no floats. Every number is a ``decimal.Decimal`` (ints are converted
exactly; floats raise ``TypeError``); arithmetic runs in a local context of 40 significant digits and nothing
is rounded inside the engine: ``CapaianResult.value`` keeps full precision, ``.rounded`` is what users see.
Forty digits hold every sum and product of stored values exactly (`models.calc.bounds`: at most 20 digits before
the point and 8 after; a year of them sums to 30 digits, a capaian of them has at most 34 with its 2 decimals),
so the extremes (a target of 0,00000001, a realisasi of 99.999.999.999.999.999.999) never raise.
R = realisasi, T = target; "SOP" = the DPMPTSP Pesisir Selatan SOP (2022), as summarised in the shared notes.

Rules and their sources
1. Positive polarity (higher is better) -- MenPAN-RB guidance: capaian = R / T x 100. Key ``positive``.
2. Negative polarity (lower is better) -- MenPAN-RB guidance, default formula "2T-R":
   (1 + (1 - R / T)) x 100 = (2T - R) / T x 100; its example: T 7 months, R 6.5 -> 107.142857...% (107.14).
   Key ``negative_2t_minus_r``. Some offices use "T/R" = T / R x 100 (key ``negative_t_over_r``), so the
   formula is a per-indicator setting (SOP). [our rule] T/R has no value at R = 0 (a perfect result, e.g. zero
   days) and no meaning for R < 0: for R <= 0 the 2T-R value is used (R = 0 -> 200%), key
   ``negative_t_over_r_zero_realisasi``.
3. No cap, no floor -- published tables (a regency's 2025 LKPJ, court LKjIPs, MenPAN-RB examples): 244.92%
   stays, and a negative indicator with R > 2T gets a negative capaian (T 49.34, R 110.84 -> -24.65%).
   A cap, where an office wants one, is a visible setting outside this engine.
4. Range target, e.g. 80-90 -- the office rule adopted in the SOP (no regulation verified):
   lower <= R <= upper -> 100 (``range_inside``); R > upper -> R / upper x 100 (``range_above``);
   R < lower -> R / lower x 100 (``range_below``). 80-90: R 92 -> 102.22, R 72 -> 90, R 85 -> 100.
   [our completions] One bound only: the missing bound equals the other; reversed bounds are swapped; a zero
   bound that would be the divisor sends R to the zero-target rule in the positive sense (0-0 range: R >= 0
   -> 100, R < 0 -> 0).
5. Zero target -- no regulation fixes it and the SOP asks for an explicit rule; ours (key ``zero_target``)
   never divides: positive T = 0: R >= 0 -> 100 (met; no ratio exists), R < 0 -> 0. Negative T = 0 (e.g.
   "0 complaints"): R <= 0 -> 100, R > 0 -> 0. Negative targets/bounds get no special case.
6. Missing data [our rule]: no target (``Target``/value None, or a range without bounds) -> value None, key
   ``no_target``, checked first; realisasi None -> value None, key ``no_realisasi``.
7. Rating -- intervals used with Permendagri 86/2017: >= 91 sangat tinggi, 76-90 tinggi, 66-75 sedang,
   51-65 rendah, <= 50 sangat rendah. The integer table's gaps are closed with strict lower limits:
   > 90 sangat tinggi, > 75 tinggi, > 65 sedang, > 50 rendah, else sangat rendah (90.5 -> sangat tinggi).
8. Tercapai -- SOP kriteria keberhasilan: capaian meets or exceeds the PK target, i.e. capaian >= 100.
   [our rule] ``CapaianResult.rating``/``.tercapai`` judge the rounded value (2 dp, ROUND_HALF_UP) so band
   and verdict match the figure shown: 90.004 shows 90.00 -> tinggi; 99.995 shows 100.00 -> tercapai.
   ``rate()`` and ``is_tercapai()`` judge exactly the number they are given.
9. Aggregation over periods -- SOP: cumulative (sum of realisasi vs sum of targets, e.g. investment in Rp),
   last value (latest value vs latest target, e.g. a satisfaction index), average (mean vs mean).
   Realisasi: only the months present count (LAST_VALUE: the latest present); none present -> None.
   Targets [our rules]; every derived Target carries the year's range bounds (a range applies to any period):
   - quarter: the PK's TW target; if absent, derived from the quarter's monthly targets by the same
     aggregation (sum/mean need all three months, LAST_VALUE the quarter's last month); a LAST_VALUE
     TW IV target falls back to the annual target (both are the year-end value).
   - month: the monthly target; else from the TW target: CUMULATIVE TW / 3 (even split), LAST_VALUE and
     AVERAGE the TW target itself.
   - year to date up to TW q: CUMULATIVE sum TW I..q, LAST_VALUE TW q, AVERAGE mean TW I..q; likewise up
     to a month from the monthly targets.
   - annual: the PK annual value; else from the quarters: sum / TW IV / mean.
   A sum or mean over a period with a missing target is None (``no_target``), never an understated target.
"""

import decimal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from functools import cached_property, wraps
from typing import ParamSpec, TypeVar

__all__ = [
    "Aggregation", "CapaianResult", "IndicatorRule", "NegativeFormula", "Polarity", "Rating", "RuleKey",
    "Target", "YearTargets", "aggregate", "annual_target", "compute_capaian", "is_tercapai", "month_target",
    "months_of_quarter", "quarter_of_month", "quarter_realisasi", "quarter_target", "rate", "round_capaian",
    "year_to_date_month_target", "year_to_date_realisasi", "year_to_date_target",
]

_TRAPS = [decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow]
_CONTEXT = decimal.Context(prec=40, rounding=decimal.ROUND_HALF_EVEN, traps=_TRAPS)
_HUNDRED = Decimal(100)
_ZERO = Decimal(0)

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _decimal_context(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``fn`` in the engine's local Decimal context, whatever the caller's context is."""

    @wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with localcontext(_CONTEXT):
            return fn(*args, **kwargs)

    return wrapper


def _dec(value: object, name: str) -> Decimal | None:
    """Validate a number: Decimal or int (exact), never float/bool; finite only. None passes through."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, got {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, got {number}")
    return number


def _required(value: object, name: str) -> Decimal:
    number = _dec(value, name)
    if number is None:
        raise TypeError(f"{name} must be a Decimal, got None")
    return number


class Polarity(StrEnum):
    POSITIVE = "positif"
    NEGATIVE = "negatif"
    RANGE = "rentang"


class NegativeFormula(StrEnum):
    TWO_T_MINUS_R = "2T-R"
    T_OVER_R = "T/R"


class Aggregation(StrEnum):
    CUMULATIVE = "kumulatif"
    LAST_VALUE = "nilai_akhir"
    AVERAGE = "rata_rata"


class Rating(StrEnum):
    SANGAT_TINGGI = "sangat_tinggi"
    TINGGI = "tinggi"
    SEDANG = "sedang"
    RENDAH = "rendah"
    SANGAT_RENDAH = "sangat_rendah"


class RuleKey(StrEnum):
    """Machine keys of the rules (``CapaianResult.rule``); equal to plain strings."""

    POSITIVE = "positive"
    NEGATIVE_2T_MINUS_R = "negative_2t_minus_r"
    NEGATIVE_T_OVER_R = "negative_t_over_r"
    NEGATIVE_T_OVER_R_ZERO_REALISASI = "negative_t_over_r_zero_realisasi"
    RANGE_INSIDE = "range_inside"
    RANGE_ABOVE = "range_above"
    RANGE_BELOW = "range_below"
    ZERO_TARGET = "zero_target"
    NO_TARGET = "no_target"
    NO_REALISASI = "no_realisasi"


@dataclass(frozen=True)
class Target:
    """The target of one period: ``value`` for positive/negative polarity, ``lower``/``upper`` for a range."""

    value: Decimal | None = None
    lower: Decimal | None = None
    upper: Decimal | None = None

    def __post_init__(self) -> None:
        for name in ("value", "lower", "upper"):
            object.__setattr__(self, name, _dec(getattr(self, name), f"Target.{name}"))


@dataclass(frozen=True)
class CapaianResult:
    value: Decimal | None  # percent, full precision; None when it cannot be computed
    rule: str  # a RuleKey

    @cached_property  # asked for again and again (rating, tercapai, every chart and table): rounded once
    def rounded(self) -> Decimal | None:
        return None if self.value is None else round_capaian(self.value)

    @property
    def rating(self) -> Rating | None:
        rounded = self.rounded
        return None if rounded is None else rate(rounded)

    @property
    def tercapai(self) -> bool | None:
        rounded = self.rounded
        return None if rounded is None else is_tercapai(rounded)


@dataclass(frozen=True)
class IndicatorRule:
    polarity: Polarity
    aggregation: Aggregation
    negative_formula: NegativeFormula = NegativeFormula.TWO_T_MINUS_R

    def __post_init__(self) -> None:  # accept the stored strings ("negatif", "kumulatif", "2T-R")
        object.__setattr__(self, "polarity", Polarity(self.polarity))
        object.__setattr__(self, "aggregation", Aggregation(self.aggregation))
        object.__setattr__(self, "negative_formula", NegativeFormula(self.negative_formula))


@dataclass(frozen=True)
class YearTargets:
    """The PK targets of one indicator for one year."""

    annual: Decimal | None
    quarters: tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None]  # TW I..IV
    months: Mapping[int, Decimal] = field(default_factory=dict)  # optional monthly targets, 1..12
    lower: Decimal | None = None  # range bounds, valid for every period of the year
    upper: Decimal | None = None

    def __post_init__(self) -> None:
        if len(self.quarters) != 4:
            raise ValueError(f"quarters must hold 4 targets (TW I..IV), got {len(self.quarters)}")
        object.__setattr__(self, "quarters", tuple(_dec(q, "quarter target") for q in self.quarters))
        for month in self.months:
            quarter_of_month(month)
        object.__setattr__(self, "months", {m: _dec(v, "month target") for m, v in self.months.items()})
        for name in ("annual", "lower", "upper"):
            object.__setattr__(self, name, _dec(getattr(self, name), f"YearTargets.{name}"))


# --- capaian ------------------------------------------------------------------------------------------------


def _zero_target(realisasi: Decimal, higher_is_better: bool) -> CapaianResult:
    met = realisasi >= 0 if higher_is_better else realisasi <= 0
    return CapaianResult(_HUNDRED if met else _ZERO, RuleKey.ZERO_TARGET)


def _range_capaian(realisasi: Decimal | None, lower: Decimal | None, upper: Decimal | None) -> CapaianResult:
    bounds = [b for b in (lower, upper) if b is not None]
    if not bounds:
        return CapaianResult(None, RuleKey.NO_TARGET)
    lower, upper = min(bounds), max(bounds)  # one bound: lower == upper; reversed bounds: swapped
    if realisasi is None:
        return CapaianResult(None, RuleKey.NO_REALISASI)
    if lower <= realisasi <= upper:
        return CapaianResult(_HUNDRED, RuleKey.RANGE_INSIDE)
    bound, key = (upper, RuleKey.RANGE_ABOVE) if realisasi > upper else (lower, RuleKey.RANGE_BELOW)
    if bound == 0:
        return _zero_target(realisasi, higher_is_better=True)
    return CapaianResult(realisasi * _HUNDRED / bound, key)


@_decimal_context
def compute_capaian(
    realisasi: Decimal | None,
    target: Target | Decimal | None,
    rule: IndicatorRule | Polarity,
    *,
    negative_formula: NegativeFormula | None = None,
) -> CapaianResult:
    """Capaian of one realisasi against one target (rules 1-6 of the module docstring).

    ``target`` may be a bare Decimal (a point target) or None. ``negative_formula`` overrides the rule's
    formula; with a bare ``Polarity`` the default is 2T-R.
    """
    if isinstance(rule, IndicatorRule):
        polarity, formula = rule.polarity, NegativeFormula(negative_formula or rule.negative_formula)
    else:
        polarity, formula = Polarity(rule), NegativeFormula(negative_formula or NegativeFormula.TWO_T_MINUS_R)
    if not isinstance(target, Target):
        target = Target(value=target)
    r = _dec(realisasi, "realisasi")
    if polarity is Polarity.RANGE:
        return _range_capaian(r, target.lower, target.upper)
    t = target.value
    if t is None:
        return CapaianResult(None, RuleKey.NO_TARGET)
    if r is None:
        return CapaianResult(None, RuleKey.NO_REALISASI)
    if t == 0:
        return _zero_target(r, higher_is_better=polarity is Polarity.POSITIVE)
    if polarity is Polarity.POSITIVE:
        return CapaianResult(r * _HUNDRED / t, RuleKey.POSITIVE)
    two_t_minus_r = (2 * t - r) * _HUNDRED / t
    if formula is NegativeFormula.TWO_T_MINUS_R:
        return CapaianResult(two_t_minus_r, RuleKey.NEGATIVE_2T_MINUS_R)
    if r <= 0:
        return CapaianResult(two_t_minus_r, RuleKey.NEGATIVE_T_OVER_R_ZERO_REALISASI)
    return CapaianResult(t * _HUNDRED / r, RuleKey.NEGATIVE_T_OVER_R)


_BANDS = ((Decimal(90), Rating.SANGAT_TINGGI), (Decimal(75), Rating.TINGGI), (Decimal(65), Rating.SEDANG),
          (Decimal(50), Rating.RENDAH))  # strict lower limits (rule 7)


def rate(capaian: Decimal) -> Rating:
    """Permendagri 86/2017 band of exactly this value (rule 7)."""
    value = _required(capaian, "capaian")
    for floor, rating in _BANDS:
        if value > floor:
            return rating
    return Rating.SANGAT_RENDAH


def is_tercapai(capaian: Decimal) -> bool:
    """SOP success criterion: capaian meets or exceeds the target, i.e. >= 100 (rule 8)."""
    return _required(capaian, "capaian") >= _HUNDRED


@_decimal_context
def round_capaian(value: Decimal, places: int = 2) -> Decimal:
    """Round half up to ``places`` decimals, as offices publish capaian; never returns -0.

    Any finite value: the precision grows with it (a value stored beyond the bound by an older version gives a
    capaian of more than 40 digits, and a quantize beyond the precision raises InvalidOperation)."""
    number = _required(value, "value")
    with localcontext(prec=max(_CONTEXT.prec, number.adjusted() + places + 2)):
        rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


# --- periods and aggregation --------------------------------------------------------------------------------


def months_of_quarter(quarter: int) -> tuple[int, int, int]:
    if isinstance(quarter, bool) or not isinstance(quarter, int) or not 1 <= quarter <= 4:
        raise ValueError(f"quarter must be 1..4, got {quarter!r}")
    return (3 * quarter - 2, 3 * quarter - 1, 3 * quarter)


def quarter_of_month(month: int) -> int:
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month!r}")
    return (month - 1) // 3 + 1


def _how(how: Aggregation | IndicatorRule) -> Aggregation:
    return how.aggregation if isinstance(how, IndicatorRule) else Aggregation(how)


@_decimal_context
def aggregate(values: Sequence[Decimal | None], how: Aggregation | IndicatorRule) -> Decimal | None:
    """Combine the values present (None entries are skipped), in period order; None when none is present."""
    present = [number for v in values if (number := _dec(v, "value")) is not None]
    if not present:
        return None
    how = _how(how)
    if how is Aggregation.LAST_VALUE:
        return present[-1]
    total = sum(present, _ZERO)
    return total if how is Aggregation.CUMULATIVE else total / len(present)


def _combine_targets(values: Sequence[Decimal | None], how: Aggregation) -> Decimal | None:
    """Targets of consecutive periods: LAST_VALUE takes the last; a sum or mean needs every one."""
    if how is Aggregation.LAST_VALUE:
        return values[-1]
    return None if any(v is None for v in values) else aggregate(values, how)


def _quarter_value(targets: YearTargets, quarter: int, how: Aggregation) -> Decimal | None:
    months = months_of_quarter(quarter)
    if (value := targets.quarters[quarter - 1]) is not None:
        return value
    derived = _combine_targets([targets.months.get(m) for m in months], how)
    if derived is None and how is Aggregation.LAST_VALUE and quarter == 4:
        return targets.annual
    return derived


def _month_value(targets: YearTargets, month: int, how: Aggregation) -> Decimal | None:
    quarter = quarter_of_month(month)
    if (value := targets.months.get(month)) is not None:
        return value
    tw = _quarter_value(targets, quarter, how)
    if tw is None or how is not Aggregation.CUMULATIVE:
        return tw
    return tw / 3


def _bounded(targets: YearTargets, value: Decimal | None) -> Target:
    return Target(value=value, lower=targets.lower, upper=targets.upper)


@_decimal_context
def month_target(targets: YearTargets, month: int, how: Aggregation | IndicatorRule) -> Target:
    return _bounded(targets, _month_value(targets, month, _how(how)))


@_decimal_context
def quarter_target(targets: YearTargets, quarter: int, how: Aggregation | IndicatorRule) -> Target:
    return _bounded(targets, _quarter_value(targets, quarter, _how(how)))


@_decimal_context
def year_to_date_target(targets: YearTargets, quarter: int, how: Aggregation | IndicatorRule) -> Target:
    """Target from TW I up to and including TW ``quarter``."""
    how = _how(how)
    months_of_quarter(quarter)
    values = [_quarter_value(targets, q, how) for q in range(1, quarter + 1)]
    return _bounded(targets, _combine_targets(values, how))


@_decimal_context
def year_to_date_month_target(
    targets: YearTargets, upto_month: int, how: Aggregation | IndicatorRule
) -> Target:
    """Target from January up to and including ``upto_month`` (for monthly year-to-date reports)."""
    how = _how(how)
    quarter_of_month(upto_month)
    values = [_month_value(targets, m, how) for m in range(1, upto_month + 1)]
    return _bounded(targets, _combine_targets(values, how))


@_decimal_context
def annual_target(targets: YearTargets, how: Aggregation | IndicatorRule) -> Target:
    if targets.annual is not None:
        return _bounded(targets, targets.annual)
    how = _how(how)
    return _bounded(targets, _combine_targets([_quarter_value(targets, q, how) for q in (1, 2, 3, 4)], how))


def quarter_realisasi(
    monthly: Mapping[int, Decimal], quarter: int, how: Aggregation | IndicatorRule
) -> Decimal | None:
    """The quarter's realisasi from the months present (months 1..12 as keys); None if none is present."""
    return aggregate([monthly.get(m) for m in months_of_quarter(quarter)], how)


def year_to_date_realisasi(
    monthly: Mapping[int, Decimal], upto_month: int, how: Aggregation | IndicatorRule
) -> Decimal | None:
    """Realisasi from January up to and including ``upto_month``, from the months present."""
    quarter_of_month(upto_month)
    return aggregate([monthly.get(m) for m in range(1, upto_month + 1)], how)
