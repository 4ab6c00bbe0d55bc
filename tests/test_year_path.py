"""Annual progress judged against the elapsed part of the year (`models.calc.year_path`).

Given a PK whose period targets lead to the annual target, when realisasi to date is judged, then it is rated
against the target to date (not the whole year's), so an indicator on its path is not red after TW I.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.calc.capaian import (
    Aggregation,
    IndicatorRule,
    NegativeFormula,
    Polarity,
    Rating,
    RuleKey,
    YearTargets,
    compute_capaian,
)
from models.calc.year_path import path_target, year_path
from reports.wording import year_path_text

POS, NEG, RANGE = Polarity.POSITIVE, Polarity.NEGATIVE, Polarity.RANGE
CUM, LAST, AVG = Aggregation.CUMULATIVE, Aggregation.LAST_VALUE, Aggregation.AVERAGE
ORDER = list(reversed(Rating))  # sangat rendah first: a higher index is a better rating


def better_or_equal(a: Rating, b: Rating) -> bool:
    return ORDER.index(a) >= ORDER.index(b)


def test_a_quarter_of_the_year_after_triwulan_one_is_on_track_not_red():
    pk = YearTargets(annual=D(100), quarters=(D(25), D(25), D(25), D(25)))
    rule = IndicatorRule(POS, CUM)
    path = year_path(D(25), pk, rule, 1, monthly=False)
    assert compute_capaian(D(25), pk.annual, rule).rating is Rating.SANGAT_RENDAH  # the old judgement
    assert (path.annual.rounded, path.share, path.path.rounded) == (D("25.00"), D(25), D("100.00"))
    assert path.rating is Rating.SANGAT_TINGGI


def test_the_path_follows_uneven_triwulan_targets():
    pk = YearTargets(annual=D(1000), quarters=(D(100), D(200), D(300), D(400)))
    path = year_path(D(240), pk, IndicatorRule(POS, CUM), 2, monthly=False)
    assert path.target_to_date.value == D(300) and path.share == D(30)
    assert path.path.rounded == D("80.00") and path.rating is Rating.TINGGI


def test_without_period_targets_the_path_is_the_elapsed_share_of_the_annual_target():
    pk = YearTargets(annual=D(1200), quarters=(None, None, None, None))
    rule = IndicatorRule(POS, CUM)
    assert path_target(pk, rule, 3, monthly=True).value == D(300)  # March: 3/12
    assert path_target(pk, rule, 2, monthly=False).value == D(600)  # TW II: 6/12
    path = year_path(D(200), pk, rule, 4, monthly=True)
    assert path.share.quantize(D("0.01")) == D("33.33")
    assert path.path.rounded == D("50.00") and path.rating is Rating.SANGAT_RENDAH


def test_monthly_targets_make_the_path_of_a_monthly_indicator():
    pk = YearTargets(annual=D(1200), quarters=(None, None, None, None), months={1: D(50), 2: D(50), 3: D(200)})
    path = year_path(D(300), pk, IndicatorRule(POS, CUM), 3, monthly=True)
    assert path.target_to_date.value == D(300) and path.path.rounded == D("100.00")


def test_a_last_value_indicator_is_on_track_when_it_meets_this_periods_target():
    pk = YearTargets(annual=D(85), quarters=(D(80), D(82), D(84), D(85)))
    path = year_path(D(82), pk, IndicatorRule(POS, LAST), 2, monthly=False)
    assert path.path.rounded == D("100.00") and path.annual.rounded == D("96.47")
    assert path.share.quantize(D("0.01")) == D("96.47")


def test_a_mean_without_period_targets_is_judged_against_the_annual_mean():
    pk = YearTargets(annual=D(90), quarters=(None, None, None, None))
    path = year_path(D(90), pk, IndicatorRule(POS, AVG), 1, monthly=False)
    assert path.target_to_date.value == D(90) and path.share == D(100) and path.rating is Rating.SANGAT_TINGGI


def test_a_range_is_its_own_path_and_has_no_share():
    pk = YearTargets(annual=None, quarters=(None, None, None, None), lower=D(80), upper=D(90))
    path = year_path(D(85), pk, IndicatorRule(RANGE, AVG), 1, monthly=False)
    assert path.share is None and path.path.rule == RuleKey.RANGE_INSIDE and path.rating is Rating.SANGAT_TINGGI


def test_a_lower_is_better_total_on_its_path():
    pk = YearTargets(annual=D(40), quarters=(None, None, None, None))  # complaints in the year, at most 40
    path = year_path(D(10), pk, IndicatorRule(NEG, CUM), 1, monthly=False)
    assert path.path.rounded == D("100.00")  # 10 of the 10 allowed by the end of TW I
    assert year_path(D(20), pk, IndicatorRule(NEG, CUM), 1, monthly=False).rating is Rating.SANGAT_RENDAH


def test_no_target_or_no_realisasi_rates_nothing():
    empty = YearTargets(annual=None, quarters=(None, None, None, None))
    assert year_path(D(5), empty, IndicatorRule(POS, CUM), 1, monthly=False).rating is None
    pk = YearTargets(annual=D(100), quarters=(None, None, None, None))
    assert year_path(None, pk, IndicatorRule(POS, CUM), 1, monthly=False).path.rule == RuleKey.NO_REALISASI


def test_period_out_of_range_is_refused():
    pk = YearTargets(annual=D(100), quarters=(None, None, None, None))
    with pytest.raises(ValueError):
        year_path(D(1), pk, IndicatorRule(POS, CUM), 5, monthly=False)
    with pytest.raises(ValueError):
        year_path(D(1), pk, IndicatorRule(POS, CUM), 13, monthly=True)


RULES = [IndicatorRule(POS, CUM), IndicatorRule(NEG, CUM),
         IndicatorRule(NEG, CUM, NegativeFormula.T_OVER_R), IndicatorRule(POS, AVG)]
ratios = st.decimals(min_value=0, max_value=3, places=2)


@given(targets=st.lists(st.integers(1, 10**6), min_size=4, max_size=4), quarter=st.integers(1, 4),
       current=ratios, margins=st.lists(st.decimals(min_value=0, max_value=2, places=2), min_size=3, max_size=3),
       rule=st.sampled_from(RULES))
def test_on_track_is_never_rated_below_its_period(targets, quarter, current, margins, rule):
    """Triwulan targets summing to the annual; every earlier triwulan did at least as well as this one (its
    realisasi ÷ target is no worse): the year's path is rated no lower than this triwulan."""
    pk = YearTargets(annual=sum(D(t) for t in targets), quarters=tuple(D(t) for t in targets))
    higher_is_better = rule.polarity is POS
    worse = [current + m if higher_is_better else max(current - m, D(0)) for m in margins]
    ratio = [*worse[:quarter - 1], current]
    if rule.negative_formula is NegativeFormula.T_OVER_R and current == 0:
        return  # T/R of a zero realisasi is the 2T-R rule; the ratio argument does not hold across formulas
    values = [D(t) * r for t, r in zip(targets, ratio, strict=False)]
    to_date = sum(values, D(0)) if rule.aggregation is CUM else sum(values, D(0)) / len(values)
    period = compute_capaian(values[-1], pk.quarters[quarter - 1], rule)
    path = year_path(to_date, pk, rule, quarter, monthly=False)
    if period.rating is None or path.rating is None:
        return
    assert better_or_equal(path.rating, period.rating)
    if all(r == current for r in ratio):
        assert path.path.rounded == period.rounded  # the same pace all year: the same capaian


@given(annual=st.integers(1, 10**9), number=st.integers(1, 12), pace=ratios)
def test_even_pace_without_period_targets_gets_the_rating_of_its_pace(annual, number, pace):
    pk = YearTargets(annual=D(annual), quarters=(None, None, None, None))
    rule = IndicatorRule(POS, CUM)
    path = year_path(D(annual) * number / 12 * pace, pk, rule, number, monthly=True)
    assert path.path.rounded == (pace * 100).quantize(D("0.01"))
    assert path.rating is compute_capaian(pace * 100, D(100), rule).rating


@pytest.mark.parametrize(("language", "expected"), [
    ("id", "Capaian tahunan s.d. Triwulan I 2026: 25,00% dari target setahun (sesuai jalur: 25,00%) 🟢"),
    ("en", "Annual progress to Q1 2026: 25.00% of the year's target (on track: 25.00%) 🟢"),
])
def test_the_line_shows_the_year_and_its_path(language, expected):
    pk = YearTargets(annual=D(100), quarters=(D(25), D(25), D(25), D(25)))
    label = {"id": "Triwulan I 2026", "en": "Q1 2026"}[language]
    assert year_path_text(year_path(D(25), pk, IndicatorRule(POS, CUM), 1, monthly=False), label, language) == expected


def test_the_line_of_a_behind_indicator_is_red_and_of_no_pk_is_a_dash():
    pk = YearTargets(annual=D(100), quarters=(D(25), D(25), D(25), D(25)))
    text = year_path_text(year_path(D(10), pk, IndicatorRule(POS, CUM), 1, monthly=False), "TW I", "id")
    assert text.endswith("10,00% dari target setahun (sesuai jalur: 25,00%) 🔴")
    assert year_path_text(None, "TW I", "id") == "Capaian tahunan s.d. TW I: –"
