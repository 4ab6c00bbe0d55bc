"""The capaian engine, read like the SOP: given an indicator and target, when realisasi is X, capaian is Y."""

from decimal import Context, localcontext
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.calc.bounds import LARGEST, STEP
from models.calc.capaian import (
    Aggregation,
    CapaianResult,
    IndicatorRule,
    NegativeFormula,
    Polarity,
    Rating,
    RuleKey,
    Target,
    YearTargets,
    aggregate,
    annual_target,
    compute_capaian,
    is_tercapai,
    month_target,
    months_of_quarter,
    quarter_of_month,
    quarter_realisasi,
    quarter_target,
    rate,
    round_capaian,
    year_to_date_month_target,
    year_to_date_realisasi,
    year_to_date_target,
)

POS, NEG, RANGE = Polarity.POSITIVE, Polarity.NEGATIVE, Polarity.RANGE
CUM, LAST, AVG = Aggregation.CUMULATIVE, Aggregation.LAST_VALUE, Aggregation.AVERAGE
NEG_T_OVER_R = IndicatorRule(NEG, CUM, NegativeFormula.T_OVER_R)


def capaian(realisasi, target, rule=POS, **kwargs) -> CapaianResult:
    def dec(x):
        return None if x is None else D(str(x))

    if not isinstance(target, Target):
        target = Target(value=dec(target))
    return compute_capaian(dec(realisasi), target, rule, **kwargs)


def band(lower, upper) -> Target:
    def dec(x):
        return None if x is None else D(str(x))

    return Target(lower=dec(lower), upper=dec(upper))


# --- positive polarity -------------------------------------------------------------------------------------


def test_positive_indicator_with_target_80_and_realisasi_60_gives_75_percent():
    result = capaian(60, 80)
    assert result.value == D(75)
    assert result.rule == "positive"
    assert result.rounded == D("75.00")
    assert result.rating is Rating.SEDANG
    assert result.tercapai is False


def test_positive_indicator_over_target_is_not_capped():
    result = capaian("244.92", 100)
    assert result.value == D("244.92")
    assert result.rating is Rating.SANGAT_TINGGI
    assert result.tercapai is True


def test_positive_indicator_above_1000_percent_stands_as_computed():
    assert capaian("1091.43", 100).rounded == D("1091.43")


def test_value_is_full_precision_and_rounded_half_up():
    result = capaian(2, 3)
    assert result.value == D("66.66666666666666666666666666666666666667")
    assert result.rounded == D("66.67")


# --- negative polarity -------------------------------------------------------------------------------------


def test_negative_indicator_menpan_example_target_7_months_realisasi_6_5_gives_107_14():
    result = capaian("6.5", 7, NEG)
    assert result.rule == "negative_2t_minus_r"
    assert str(result.value).startswith("107.142857142857")
    assert result.rounded == D("107.14")
    assert result.tercapai is True


def test_negative_indicator_defaults_to_2t_minus_r_with_indicator_rule_too():
    rule = IndicatorRule(NEG, LAST)
    assert capaian("6.5", 7, rule).rule == RuleKey.NEGATIVE_2T_MINUS_R


def test_negative_indicator_with_realisasi_over_twice_target_gives_negative_capaian_not_floored():
    result = capaian("110.84", "49.34", NEG)
    assert result.value < 0
    assert result.rounded == D("-24.65")
    assert result.rating is Rating.SANGAT_RENDAH
    assert result.tercapai is False


def test_negative_indicator_t_over_r_target_7_realisasi_6_5_gives_107_69():
    result = capaian("6.5", 7, NEG_T_OVER_R)
    assert result.rule == "negative_t_over_r"
    assert result.rounded == D("107.69")


def test_formula_can_be_overridden_per_call():
    result = capaian("6.5", 7, NEG, negative_formula=NegativeFormula.T_OVER_R)
    assert result.rule == "negative_t_over_r"


def test_negative_t_over_r_with_zero_realisasi_falls_back_to_2t_minus_r_200_percent():
    result = capaian(0, 7, NEG_T_OVER_R)
    assert result.value == D(200)
    assert result.rule == "negative_t_over_r_zero_realisasi"


def test_negative_t_over_r_with_negative_realisasi_falls_back_to_2t_minus_r():
    result = capaian(-1, 4, NEG_T_OVER_R)
    assert result.value == D(225)
    assert result.rule == RuleKey.NEGATIVE_T_OVER_R_ZERO_REALISASI


# --- range targets -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("realisasi", "rounded", "rule"),
    [
        (92, D("102.22"), "range_above"),
        (72, D("90.00"), "range_below"),
        (85, D("100.00"), "range_inside"),
        (80, D("100.00"), "range_inside"),
        (90, D("100.00"), "range_inside"),
    ],
)
def test_range_target_80_to_90(realisasi, rounded, rule):
    result = capaian(realisasi, band(80, 90), RANGE)
    assert (result.rounded, result.rule) == (rounded, rule)


def test_range_target_with_only_one_bound_uses_it_for_both():
    assert capaian(80, band(80, None), RANGE).rule == "range_inside"
    assert capaian(100, band(80, None), RANGE).value == D(125)
    assert capaian(40, band(None, 80), RANGE).value == D(50)


def test_range_target_given_upside_down_is_swapped():
    assert capaian(85, band(90, 80), RANGE).rule == "range_inside"
    assert capaian(72, band(90, 80), RANGE).value == D(90)


def test_range_with_zero_lower_bound_and_realisasi_below_uses_zero_target_rule():
    result = capaian(-1, band(0, 10), RANGE)
    assert (result.value, result.rule) == (D(0), "zero_target")


@pytest.mark.parametrize(("realisasi", "expected"), [(0, D(100)), (5, D(100)), (-5, D(0))])
def test_range_0_to_0(realisasi, expected):
    result = capaian(realisasi, band(0, 0), RANGE)
    assert result.value == expected
    if realisasi:
        assert result.rule == "zero_target"


def test_range_indicator_ignores_a_point_value_and_needs_bounds():
    assert capaian(85, Target(value=D(85)), RANGE).rule == "no_target"
    assert capaian(85, None, RANGE).rule == "no_target"


# --- zero targets ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("polarity", "realisasi", "expected"),
    [
        (POS, 0, D(100)),
        (POS, 3, D(100)),
        (POS, -1, D(0)),
        (NEG, 0, D(100)),
        (NEG, -1, D(100)),
        (NEG, 2, D(0)),
    ],
)
def test_zero_target_is_an_explicit_rule_and_never_a_crash(polarity, realisasi, expected):
    result = capaian(realisasi, 0, polarity)
    assert (result.value, result.rule) == (expected, "zero_target")


def test_negative_indicator_target_zero_complaints_with_t_over_r_uses_zero_target_rule():
    assert capaian(0, 0, NEG_T_OVER_R).rule == "zero_target"


# --- missing data ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("polarity", list(Polarity))
def test_no_target_gives_no_value(polarity):
    result = capaian(5, Target(), polarity)
    assert (result.value, result.rule) == (None, "no_target")
    assert (result.rounded, result.rating, result.tercapai) == (None, None, None)


@pytest.mark.parametrize(
    ("polarity", "target"), [(POS, Target(D(5))), (NEG, Target(D(5))), (RANGE, band(1, 2))]
)
def test_no_realisasi_gives_no_value(polarity, target):
    result = compute_capaian(None, target, polarity)
    assert (result.value, result.rule) == (None, "no_realisasi")


def test_target_is_checked_before_realisasi():
    assert compute_capaian(None, None, POS).rule == "no_target"


def test_rules_stored_as_plain_strings_are_understood():
    rule = IndicatorRule("negatif", "kumulatif", "T/R")  # type: ignore[arg-type]
    assert rule.polarity is NEG and rule.aggregation is CUM
    assert capaian("6.5", 7, rule).rule == "negative_t_over_r"
    assert capaian("6.5", 7, "negatif").rule == "negative_2t_minus_r"
    assert capaian("6.5", 7, rule, negative_formula="2T-R").rule == "negative_2t_minus_r"


def test_bare_decimal_target_is_accepted():
    assert compute_capaian(D(3), D(4), POS).value == D(75)


def test_floats_are_refused_and_non_finite_numbers_rejected():
    with pytest.raises(TypeError):
        compute_capaian(0.5, Target(D(1)), POS)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Target(value=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        compute_capaian(D("NaN"), Target(D(1)), POS)
    with pytest.raises(TypeError):
        aggregate([D(1), 2.0], CUM)  # type: ignore[list-item]


# --- rating and tercapai -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("244.92", Rating.SANGAT_TINGGI),
        ("91", Rating.SANGAT_TINGGI),
        ("90.5", Rating.SANGAT_TINGGI),
        ("90.01", Rating.SANGAT_TINGGI),
        ("90", Rating.TINGGI),
        ("76", Rating.TINGGI),
        ("75.5", Rating.TINGGI),
        ("75", Rating.SEDANG),
        ("66", Rating.SEDANG),
        ("65.5", Rating.SEDANG),
        ("65", Rating.RENDAH),
        ("51", Rating.RENDAH),
        ("50.5", Rating.RENDAH),
        ("50", Rating.SANGAT_RENDAH),
        ("0", Rating.SANGAT_RENDAH),
        ("-24.65", Rating.SANGAT_RENDAH),
    ],
)
def test_rating_bands_permendagri_86_2017(value, expected):
    assert rate(D(value)) is expected


@pytest.mark.parametrize(
    ("realisasi", "expected"),
    [("90.004", Rating.TINGGI), ("90.005", Rating.SANGAT_TINGGI), ("50.004", Rating.SANGAT_RENDAH)],
)
def test_result_rating_uses_the_rounded_value_users_see(realisasi, expected):
    assert capaian(realisasi, 100).rating is expected


@pytest.mark.parametrize(("value", "expected"), [("100", True), ("100.01", True), ("99.99", False)])
def test_tercapai_means_capaian_at_least_100(value, expected):
    assert is_tercapai(D(value)) is expected


def test_result_tercapai_uses_the_rounded_value_users_see():
    assert capaian("99.995", 100).tercapai is True
    assert capaian("99.994", 100).tercapai is False


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [("107.145", 2, "107.15"), ("-24.655", 2, "-24.66"), ("-0.001", 2, "0.00"), ("66.5", 0, "67")],
)
def test_round_capaian_half_up(value, places, expected):
    assert str(round_capaian(D(value), places)) == expected


# --- periods -----------------------------------------------------------------------------------------------


def test_months_and_quarters():
    assert months_of_quarter(1) == (1, 2, 3)
    assert months_of_quarter(4) == (10, 11, 12)
    assert [quarter_of_month(m) for m in range(1, 13)] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    for bad in (0, 5):
        with pytest.raises(ValueError):
            months_of_quarter(bad)
    for bad in (0, 13):
        with pytest.raises(ValueError):
            quarter_of_month(bad)


# --- aggregation of realisasi ------------------------------------------------------------------------------

MONTHLY = {1: D(10), 2: D(20), 4: D(40), 5: D(50), 6: D(60)}


@pytest.mark.parametrize(
    ("how", "values", "expected"),
    [(CUM, ["1", "2", "3"], D(6)), (LAST, ["1", "2", "3"], D(3)), (AVG, ["1", "2", "6"], D(3)),
     (AVG, [], None)],
)
def test_aggregate(how, values, expected):
    assert aggregate([D(v) for v in values], how) == expected


def test_aggregate_skips_missing_values():
    assert aggregate([D(4), None, D(8)], AVG) == D(6)


@pytest.mark.parametrize(
    ("how", "tw1", "tw2"), [(CUM, D(30), D(150)), (LAST, D(20), D(60)), (AVG, D(15), D(50))]
)
def test_quarter_realisasi_from_the_months_present(how, tw1, tw2):
    assert quarter_realisasi(MONTHLY, 1, how) == tw1
    assert quarter_realisasi(MONTHLY, 2, how) == tw2
    assert quarter_realisasi(MONTHLY, 3, how) is None


@pytest.mark.parametrize(("how", "expected"), [(CUM, D(180)), (LAST, D(60)), (AVG, D(36))])
def test_year_to_date_realisasi(how, expected):
    assert year_to_date_realisasi(MONTHLY, 6, how) == expected
    assert year_to_date_realisasi(MONTHLY, 12, IndicatorRule(POS, how)) == expected


def test_year_to_date_realisasi_before_any_report_is_none():
    assert year_to_date_realisasi({3: D(1)}, 2, CUM) is None


# --- derived targets ---------------------------------------------------------------------------------------

THIRD_OF_100 = D("33.33333333333333333333333333333333333333")  # 100 / 3 at the engine's 40 digits
PK = YearTargets(annual=D(1000), quarters=(D(100), D(200), D(300), D(400)))


@pytest.mark.parametrize(("how", "expected"), [(CUM, D(100)), (LAST, D(100)), (AVG, D(100))])
def test_quarter_target_is_the_pk_tw_target(how, expected):
    assert quarter_target(PK, 1, how) == Target(value=expected)


def test_quarter_target_derived_from_monthly_targets():
    months = {1: D(10), 2: D(20), 3: D(30)}
    pk = YearTargets(annual=None, quarters=(None, None, None, None), months=months)
    assert quarter_target(pk, 1, CUM).value == D(60)
    assert quarter_target(pk, 1, AVG).value == D(20)
    assert quarter_target(pk, 1, LAST).value == D(30)
    partial = YearTargets(annual=None, quarters=(None,) * 4, months={1: D(10), 3: D(30)})
    assert quarter_target(partial, 1, CUM).value is None
    assert quarter_target(partial, 1, LAST).value == D(30)


def test_last_value_tw_iv_target_falls_back_to_the_annual_target():
    pk = YearTargets(annual=D(85), quarters=(None,) * 4)
    assert quarter_target(pk, 4, LAST).value == D(85)
    assert quarter_target(pk, 4, CUM).value is None


@pytest.mark.parametrize(("how", "expected"), [(CUM, THIRD_OF_100), (LAST, D(100)), (AVG, D(100))])
def test_month_target_derived_from_the_tw_target(how, expected):
    assert month_target(PK, 2, how).value == expected


def test_cumulative_month_target_is_an_even_third_of_the_tw_target_at_full_precision():
    value = month_target(PK, 1, CUM).value
    assert value == THIRD_OF_100
    assert capaian(value, value).value == D(100)


def test_month_target_prefers_the_monthly_target():
    pk = YearTargets(annual=None, quarters=(D(90), None, None, None), months={1: D(5)})
    assert month_target(pk, 1, CUM).value == D(5)
    assert month_target(pk, 2, CUM).value == D(30)
    assert month_target(pk, 4, CUM).value is None


@pytest.mark.parametrize(
    ("how", "tw2", "tw4"), [(CUM, D(300), D(1000)), (LAST, D(200), D(400)), (AVG, D(150), D(250))]
)
def test_year_to_date_target(how, tw2, tw4):
    assert year_to_date_target(PK, 2, how).value == tw2
    assert year_to_date_target(PK, 4, how).value == tw4


def test_year_to_date_target_with_a_missing_quarter_is_none_not_understated():
    pk = YearTargets(annual=None, quarters=(D(100), None, D(300), D(400)))
    assert year_to_date_target(pk, 3, CUM).value is None
    assert year_to_date_target(pk, 3, AVG).value is None
    assert year_to_date_target(pk, 3, LAST).value == D(300)


@pytest.mark.parametrize(("how", "expected"), [(CUM, D(500)), (LAST, D(600)), (AVG, D(375))])
def test_year_to_date_month_target_up_to_april(how, expected):
    """TW I 300 and TW II 600, no monthly targets: Jan-Mar 100 each and April 200 (cumulative)."""
    pk = YearTargets(annual=None, quarters=(D(300), D(600), None, None))
    assert year_to_date_month_target(pk, 4, how).value == expected
    assert year_to_date_month_target(pk, 7, how).value is None  # no target yet for July (TW III)


@pytest.mark.parametrize(("how", "expected"), [(CUM, D(1000)), (LAST, D(400)), (AVG, D(250))])
def test_annual_target_from_quarters_when_pk_annual_is_missing(how, expected):
    assert annual_target(PK, how).value == D(1000)
    pk = YearTargets(annual=None, quarters=PK.quarters)
    assert annual_target(pk, how).value == expected


def test_range_bounds_apply_to_every_period():
    pk = YearTargets(annual=None, quarters=(None,) * 4, lower=D(80), upper=D(90))
    rule = IndicatorRule(RANGE, LAST)
    for target in (month_target(pk, 5, rule), quarter_target(pk, 2, rule), year_to_date_target(pk, 3, rule),
                   year_to_date_month_target(pk, 7, rule), annual_target(pk, rule)):
        assert (target.lower, target.upper) == (D(80), D(90))
        assert compute_capaian(D(92), target, rule).rounded == D("102.22")


def test_year_targets_are_validated():
    with pytest.raises(ValueError):
        YearTargets(annual=None, quarters=(D(1), D(2)))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        YearTargets(annual=None, quarters=(None,) * 4, months={13: D(1)})
    with pytest.raises(TypeError):
        YearTargets(annual=1.0, quarters=(None,) * 4)  # type: ignore[arg-type]


# --- a quarter end to end ----------------------------------------------------------------------------------


def test_cumulative_investment_indicator_over_the_first_quarter():
    """Given investment target TW I Rp 300 (million), when Jan-Mar bring is 80, 90, 100, capaian is 90%."""
    rule = IndicatorRule(POS, CUM)
    pk = YearTargets(annual=D(1200), quarters=(D(300), D(300), D(300), D(300)))
    monthly = {1: D(80), 2: D(90), 3: D(100)}
    result = compute_capaian(quarter_realisasi(monthly, 1, rule), quarter_target(pk, 1, rule), rule)
    assert (result.rounded, result.rating, result.tercapai) == (D("90.00"), Rating.TINGGI, False)


def test_satisfaction_index_last_value_year_to_date():
    """Given an IKM target of 82 at TW II, when June's index is 84 (May 80), capaian is 102.44%."""
    rule = IndicatorRule(POS, LAST)
    pk = YearTargets(annual=D(85), quarters=(D(80), D(82), D(84), D(85)))
    result = compute_capaian(year_to_date_realisasi({5: D(80), 6: D(84)}, 6, rule),
                             year_to_date_target(pk, 2, rule), rule)
    assert result.rounded == D("102.44")


def test_permit_days_average_negative_indicator():
    """Given a permit-days target of 5 days, when Jan-Mar average 4, 5, 6 days, capaian is 100%."""
    rule = IndicatorRule(NEG, AVG)
    pk = YearTargets(annual=D(5), quarters=(D(5),) * 4)
    realisasi = quarter_realisasi({1: D(4), 2: D(5), 3: D(6)}, 1, rule)
    assert compute_capaian(realisasi, quarter_target(pk, 1, rule), rule).value == D(100)


def test_engine_ignores_the_callers_decimal_context():
    with localcontext() as ctx:
        ctx.prec = 3
        assert capaian("6.5", 7, NEG).rounded == D("107.14")


# --- the extremes of what can be stored (models.calc.bounds) --------------------------------------------------

EXTREMES = [LARGEST, -LARGEST, STEP, -STEP, D(10) ** 19, D(10) ** 19 - 1, D(0)]


@pytest.mark.parametrize("polarity", list(Polarity))
@pytest.mark.parametrize("formula", list(NegativeFormula))
def test_capaian_of_any_two_storable_extremes_is_computed_rounded_and_rated(polarity, formula):
    for realisasi in EXTREMES:
        for target in EXTREMES:
            point = Target(value=target, lower=min(target, realisasi), upper=max(target, realisasi))
            result = compute_capaian(realisasi, point, polarity, negative_formula=formula)
            assert result.rounded is not None and result.rating is not None, (realisasi, target)


def test_capaian_at_the_extremes():
    assert capaian(D(10) ** 19 - 1, D(10) ** 19).rounded == D("100.00")  # 99.99999999999999999 %
    assert capaian(D(10) ** 19 - 1, D(10) ** 19).value < 100
    assert capaian(LARGEST, STEP).rounded == D("999999999999999999999999999900.00")  # the largest ratio
    assert capaian(STEP, LARGEST).rounded == D("0.00")
    assert capaian(STEP, LARGEST, NEG_T_OVER_R).rounded == D("999999999999999999999999999900.00")
    assert capaian(LARGEST, STEP, NEG).rounded == D("-999999999999999999999999999700.00")  # (2T - R) ÷ T


def test_a_year_of_the_largest_values_against_the_smallest_targets():
    """Twelve months summed (30 digits) against a month target of 0,00000001 ÷ 3 (a cumulative TW split)."""
    rule = IndicatorRule(POS, CUM)
    year = year_to_date_realisasi({month: LARGEST for month in range(1, 13)}, 12, rule)
    assert year == D("1199999999999999999999.99999988")  # exact
    pk = YearTargets(annual=None, quarters=(STEP,) * 4)
    result = compute_capaian(year, month_target(pk, 1, rule), rule)
    assert result.rounded == D("35999999999999999999999999996400.00")
    assert compute_capaian(year, year_to_date_target(pk, 4, rule), rule).rounded == D(
        "2999999999999999999999999999700.00")


def test_a_capaian_beyond_forty_digits_from_an_older_database_is_rounded_not_raised():
    """A realisasi stored beyond the bound by an older version (31 digits) over the smallest target."""
    assert capaian(D("1" + "0" * 30), STEP).rounded == D("1" + "0" * 40)
    assert round_capaian(D("1" + "0" * 60 + ".125")) == D("1" + "0" * 60 + ".13")


# --- properties --------------------------------------------------------------------------------------------

TOL = D("1e-30")
WIDE = Context(prec=80)  # test-side arithmetic must not lose the engine's 40 digits
amounts = st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=4, allow_nan=False,
                      allow_infinity=False)
positive_targets = st.decimals(min_value=D("0.0001"), max_value=D("1000000"), places=4)
optional_amounts = st.none() | amounts


def close(a: D, b: D) -> bool:
    with localcontext(WIDE):
        return abs(a - b) <= TOL * max(D(1), abs(a), abs(b))


@given(realisasi=amounts, target=positive_targets)
def test_positive_capaian_scales_linearly(realisasi, target):
    single = compute_capaian(realisasi, Target(target), POS).value
    double = compute_capaian(realisasi * 2, Target(target), POS).value
    with localcontext(WIDE):
        assert close(double, single * 2)


@given(target=positive_targets)
def test_2t_minus_r_with_realisasi_equal_to_target_is_exactly_100(target):
    assert compute_capaian(target, Target(target), NEG).value == D(100)


@given(
    target=positive_targets,
    polarity=st.sampled_from(list(Polarity)),
    formula=st.sampled_from(list(NegativeFormula)),
)
def test_realisasi_equal_to_target_gives_100_for_every_polarity(target, polarity, formula):
    point = Target(value=target, lower=target, upper=target)
    assert compute_capaian(target, point, polarity, negative_formula=formula).value == D(100)


@given(realisasi=amounts, target=positive_targets)
def test_positive_and_2t_minus_r_are_mirror_images(realisasi, target):
    pos = compute_capaian(realisasi, Target(target), POS).value
    neg = compute_capaian(realisasi, Target(target), NEG).value
    assert close(pos + neg, D(200))


@given(
    realisasi=optional_amounts,
    value=optional_amounts,
    lower=optional_amounts,
    upper=optional_amounts,
    polarity=st.sampled_from(list(Polarity)),
    formula=st.sampled_from(list(NegativeFormula)),
)
def test_compute_never_raises_for_sane_decimals(realisasi, value, lower, upper, polarity, formula):
    result = compute_capaian(realisasi, Target(value, lower, upper), IndicatorRule(polarity, CUM, formula))
    assert result.rule in set(RuleKey)
    if result.value is not None:
        assert result.rating in set(Rating)
        assert isinstance(result.tercapai, bool)
