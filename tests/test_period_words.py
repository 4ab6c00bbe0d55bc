"""Periods as people say them: given any month or triwulan, its canonical code and every spoken form (in Bahasa
Indonesia and English, in any case and spacing) read back as that period; a month or triwulan without a year is
the most recent one begun by the clock's date; and whatever else is typed is refused with the domain's one error,
whose code has a text in both catalogues that lists the forms accepted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from i18n import t
from i18n.codes import text_key
from models.errors import PeriodWordsCode
from models.plan.period_words import (
    FIRST_YEAR,
    LAST_YEAR,
    MONTH_WORDS,
    QUARTER_WORDS,
    PeriodWordsError,
    parse_period_only,
    parse_period_words,
    parse_quarter,
    spoken_forms,
)
from models.plan.periods import PeriodKind, PeriodRef, parse_period_code

TODAY = date(2026, 4, 15)

refs = st.one_of(
    st.builds(PeriodRef, st.just(PeriodKind.MONTH), st.integers(FIRST_YEAR, LAST_YEAR), st.integers(1, 12)),
    st.builds(PeriodRef, st.just(PeriodKind.QUARTER), st.integers(FIRST_YEAR, LAST_YEAR), st.integers(1, 4)),
)
days = st.dates(date(FIRST_YEAR + 1, 1, 1), date(LAST_YEAR, 12, 31))


@st.composite
def typed_as_people_do(draw, text: str) -> str:
    """`text` in any case, with spaces added around and between its parts, or taken out."""
    cased = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in text)
    parts = cased.split(" ")
    glue = draw(st.sampled_from(["", " ", "  ", "\t"]))
    return draw(st.sampled_from(["", " ", "  "])) + glue.join(parts) + draw(st.sampled_from(["", " ", "\n"]))


@given(refs, days)
def test_the_canonical_code_reads_back(ref, today):
    assert parse_period_words(ref.code, today) == ref
    assert parse_period_words(ref.code.lower(), today) == ref


@given(refs, st.sampled_from(["id", "en"]), st.data())
def test_every_spoken_form_with_its_year_reads_back_whatever_the_case_and_spaces(ref, language, data):
    for form in spoken_forms(ref, language):
        typed = data.draw(typed_as_people_do(form))
        assert parse_period_words(typed, TODAY) == ref, typed


@given(refs, st.sampled_from(["id", "en"]), days)
def test_a_name_without_a_year_is_the_most_recent_one_begun(ref, language, today):
    words = MONTH_WORDS[language][ref.number - 1] if ref.kind is PeriodKind.MONTH else \
        [f"{word} {ref.number}" for word in QUARTER_WORDS[language]]
    for word in words:
        found = parse_period_words(word, today)
        assert found.kind is ref.kind and found.number == ref.number
        assert found.start_date <= today  # not in the future
        assert PeriodRef(ref.kind, found.year + 1, ref.number).start_date > today  # and the latest such


@given(st.integers(FIRST_YEAR, LAST_YEAR), days)
def test_a_year_reads_as_the_year(year, today):
    assert parse_period_words(f" {year} ", today) == year


@given(st.text(max_size=30), days)
def test_garbage_never_raises_anything_but_the_domain_error(text, today):
    try:
        found = parse_period_words(text, today)
    except PeriodWordsError as error:
        assert error.code is PeriodWordsCode.UNKNOWN
        assert len(error.value) <= 40
        return
    if isinstance(found, int):
        assert FIRST_YEAR <= found <= LAST_YEAR
    else:  # a real month or triwulan: its code is one the stored periods and files carry
        assert parse_period_code(found.code) == found


@pytest.mark.parametrize("text, expected", [
    ("april", PeriodRef(PeriodKind.MONTH, 2026, 4)),  # this month has begun
    ("mei", PeriodRef(PeriodKind.MONTH, 2025, 5)),  # May 2026 is still to come
    ("May", PeriodRef(PeriodKind.MONTH, 2025, 5)),
    ("april 2026", PeriodRef(PeriodKind.MONTH, 2026, 4)),
    ("Agustus 2025", PeriodRef(PeriodKind.MONTH, 2025, 8)),
    ("2026-04", PeriodRef(PeriodKind.MONTH, 2026, 4)),
    ("TW1", PeriodRef(PeriodKind.QUARTER, 2026, 1)),
    ("triwulan 1", PeriodRef(PeriodKind.QUARTER, 2026, 1)),
    ("tw 1 2026", PeriodRef(PeriodKind.QUARTER, 2026, 1)),
    ("triwulan 3", PeriodRef(PeriodKind.QUARTER, 2025, 3)),
    ("Triwulan IV", PeriodRef(PeriodKind.QUARTER, 2025, 4)),
    ("q1", PeriodRef(PeriodKind.QUARTER, 2026, 1)),
    ("quarter 2", PeriodRef(PeriodKind.QUARTER, 2026, 2)),
    ("2026-TW1", PeriodRef(PeriodKind.QUARTER, 2026, 1)),
    ("2026", 2026),
])
def test_what_an_office_types(text, expected):
    assert parse_period_words(text, TODAY) == expected


@pytest.mark.parametrize("text", ["", "   ", "april 1999", "tw5", "triwulan 0", "2026-13", "13-2026", "bulan lalu",
                                  "2026 april 2026", "q", "apr1", "2101", "x" * 200])
def test_what_names_no_period_is_refused_with_what_was_typed(text):
    with pytest.raises(PeriodWordsError) as refused:
        parse_period_words(text, TODAY)
    assert refused.value.code is PeriodWordsCode.UNKNOWN
    assert refused.value.value == text.strip()[:39] + ("…" if len(text.strip()) > 40 else "")


def test_a_command_that_needs_a_period_or_a_triwulan_says_so():
    assert parse_period_only("april", TODAY) == PeriodRef(PeriodKind.MONTH, 2026, 4)
    with pytest.raises(PeriodWordsError) as year:
        parse_period_only("2026", TODAY)
    assert year.value.code is PeriodWordsCode.NEEDS_PERIOD
    assert parse_quarter("tw 3", TODAY) == PeriodRef(PeriodKind.QUARTER, 2025, 3)
    for text in ("april", "2026"):
        with pytest.raises(PeriodWordsError) as month:
            parse_quarter(text, TODAY)
        assert month.value.code is PeriodWordsCode.NEEDS_QUARTER


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("code", list(PeriodWordsCode))
def test_the_refusal_says_what_was_typed_and_the_forms_accepted(code, language):
    text = t(text_key(code), language, value="kemarin")
    assert "kemarin" in text
    assert "2026-TW1" in text and ("april" in text or code is PeriodWordsCode.NEEDS_QUARTER)


def test_the_most_recent_month_turns_over_on_its_first_day():
    first = date(2026, 5, 1)
    assert parse_period_words("mei", first - timedelta(days=1)) == PeriodRef(PeriodKind.MONTH, 2025, 5)
    assert parse_period_words("mei", first) == PeriodRef(PeriodKind.MONTH, 2026, 5)
    assert parse_period_words("tw2", first - timedelta(days=31)) == PeriodRef(PeriodKind.QUARTER, 2025, 2)
