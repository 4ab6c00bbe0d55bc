"""One rule, one place: the stored period of a code, frequency against period kind, the periods' order, and the
charts' words from the catalogue."""

from __future__ import annotations

import random
from dataclasses import asdict

import pytest

from i18n import t
from models.plan.indicators import Frequency, frequency_of, period_kind_of
from models.plan.periods import Period, PeriodCodeError, PeriodKind, PeriodRef, PeriodStatus, find_period
from reports.charts import CATALOGUE_KEYS, Bar, capaian_chart, chart_texts

MARCH = PeriodRef(PeriodKind.MONTH, 2026, 3)
TW1 = PeriodRef(PeriodKind.QUARTER, 2026, 1)


def test_find_period_by_ref_or_code_and_none_when_not_stored(session):
    for ref in (MARCH, TW1, PeriodRef(PeriodKind.MONTH, 2025, 3)):
        session.add(Period(kind=ref.kind, year=ref.year, number=ref.number, status=PeriodStatus.OPEN))
    session.commit()

    assert find_period(session, MARCH).ref == MARCH
    assert find_period(session, "2026-03").ref == MARCH
    assert find_period(session, "2026-TW1").ref == find_period(session, TW1).ref == TW1
    assert find_period(session, PeriodRef(PeriodKind.MONTH, 2026, 4)) is None
    assert find_period(session, "2026-TW3") is None
    with pytest.raises(PeriodCodeError):
        find_period(session, "maret")


def test_frequency_and_period_kind_both_ways():
    assert period_kind_of(Frequency.MONTHLY) is PeriodKind.MONTH
    assert period_kind_of(Frequency.QUARTERLY) is PeriodKind.QUARTER
    assert frequency_of(PeriodKind.MONTH) is Frequency.MONTHLY
    assert frequency_of(PeriodKind.QUARTER) is Frequency.QUARTERLY
    # values as the database gives them back
    assert period_kind_of("bulanan") is PeriodKind.MONTH and frequency_of("triwulan") is Frequency.QUARTERLY
    for frequency in Frequency:
        assert frequency_of(period_kind_of(frequency)) is frequency


def test_periods_in_time_order_a_triwulan_after_its_months():
    expected = [
        PeriodRef(PeriodKind.MONTH, 2025, 12), PeriodRef(PeriodKind.QUARTER, 2025, 4),
        PeriodRef(PeriodKind.MONTH, 2026, 1), PeriodRef(PeriodKind.MONTH, 2026, 2), MARCH, TW1,
        PeriodRef(PeriodKind.MONTH, 2026, 4), PeriodRef(PeriodKind.MONTH, 2026, 12),
        PeriodRef(PeriodKind.QUARTER, 2026, 4),
    ]
    shuffled = expected[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=lambda ref: ref.sort_key) == sorted(shuffled) == expected
    assert max(shuffled) == PeriodRef(PeriodKind.QUARTER, 2026, 4) and MARCH < TW1 <= TW1
    rows = [Period(kind=ref.kind.value, year=ref.year, number=ref.number) for ref in shuffled]
    assert [period.ref for period in sorted(rows, key=lambda period: period.sort_key)] == expected


def test_chart_words_come_from_the_catalogue():
    for language in ("id", "en"):
        assert asdict(chart_texts(language)) == {name: t(key, language) for name, key in CATALOGUE_KEYS.items()}
    # a chart given no texts speaks Indonesian, whatever its locale
    assert capaian_chart([Bar("A.1", "x")], locale="en").values == (t("chart.no_data", "id"),)
    assert capaian_chart([Bar("A.1", "x")]).png == capaian_chart([Bar("A.1", "x")], chart_texts("id")).png
