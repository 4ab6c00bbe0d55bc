"""Periods as people say them: `april`, `april 2026`, `mei`, `TW1`, `triwulan 1`, `tw 1 2026`, `q1`, `quarter 1`,
and the codes `2026-04`, `2026-TW1`, `2026`, in Bahasa Indonesia and English, case- and space-insensitive.

Pure: no session and no clock of its own; the caller passes today's date (the injected clock's).
"""

from __future__ import annotations

import re
from datetime import date

from models.errors import PeriodWordsCode
from models.plan.periods import PeriodCodeError, PeriodKind, PeriodRef, parse_scope

MAX_SHOWN = 40  # characters of a refused text said back
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a period code may name (as `parse_period_code`)

# Each month's names, by language: the full name first (what `spoken_forms` says), then the short ones.
MONTH_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "id": (("januari", "jan"), ("februari", "feb", "pebruari"), ("maret", "mar"), ("april", "apr"), ("mei",),
           ("juni", "jun"), ("juli", "jul"), ("agustus", "agu", "agt", "ags", "agus"), ("september", "sep", "sept"),
           ("oktober", "okt"), ("november", "nov", "nop", "nopember"), ("desember", "des")),
    "en": (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
           ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
           ("november", "nov"), ("december", "dec")),
}
# The words before a triwulan's number, by language (the first is what `spoken_forms` says).
QUARTER_WORDS: dict[str, tuple[str, ...]] = {"id": ("triwulan", "tw", "kuartal"), "en": ("quarter", "q", "qtr")}

_MONTH_OF = {word: number for names in MONTH_WORDS.values() for number, words in enumerate(names, start=1)
             for word in words}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_quarter_words = "|".join(sorted({w for words in QUARTER_WORDS.values() for w in words}, key=len, reverse=True))
_month_words = "|".join(sorted(_MONTH_OF, key=len, reverse=True))
# After spaces are taken out: "tw12026" is TW1 2026 (a triwulan's number is one digit or a Roman numeral).
_QUARTER = re.compile(rf"^(?:(\d{{4}})-?)?(?:{_quarter_words})-?(iv|i{{1,3}}|[1-4])(?:-?(\d{{4}}))?$")
_MONTH = re.compile(rf"^(?:(\d{{4}})-?)?({_month_words})-?(\d{{4}})?$")
_MONTH_NUMBER = re.compile(r"^(\d{1,2})[-/](\d{4})$")  # 04-2026, 4/2026


class PeriodWordsError(PeriodCodeError):
    """A typed period refused, with its code and the text as typed (`value`); the outer layers word it through
    the catalogue (`period_words.<code>`), which lists the forms accepted."""

    def __init__(self, code: PeriodWordsCode, *, value: str) -> None:
        code = PeriodWordsCode(code)
        super().__init__(code, value)
        self.code = code
        self.value = value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN - 1] + "…"


def parse_period_words(text: str, today: date) -> PeriodRef | int:
    """The month, triwulan or year that `text` names, as a person types it.

    `april`, `April 2026`, `apr`, `mei`/`may`, `2026-04`, `04-2026` → a month; `TW1`, `triwulan 1`, `tw 1 2026`,
    `Triwulan I`, `q1`, `quarter 1`, `2026-TW1`, `2026-Q1` → a triwulan; `2026` → a year (a reporting scope).
    Case and spaces do not matter. A month or triwulan without a year is the most recent such one that is not in
    the future by `today` (the injected clock's date): `april` typed in March 2026 is April 2025, typed on
    1 April 2026 it is April 2026 (the month has begun). Anything else raises `PeriodWordsError`."""
    raw = str(text)
    value = re.sub(r"\s+", "", raw).lower()
    if not value:
        raise PeriodWordsError(PeriodWordsCode.UNKNOWN, value=raw.strip())
    try:
        return _in_range(parse_scope(value), raw)
    except PeriodCodeError:
        pass
    if match := _QUARTER.match(value):
        year = _year(match[1], match[3], raw)
        number = _ROMAN.get(match[2]) or int(match[2])
        return _in_range(_resolve(PeriodKind.QUARTER, number, year, today), raw)
    if match := _MONTH.match(value):
        year = _year(match[1], match[3], raw)
        return _in_range(_resolve(PeriodKind.MONTH, _MONTH_OF[match[2]], year, today), raw)
    if (match := _MONTH_NUMBER.match(value)) and 1 <= int(match[1]) <= 12:
        return _in_range(PeriodRef(PeriodKind.MONTH, int(match[2]), int(match[1])), raw)
    raise PeriodWordsError(PeriodWordsCode.UNKNOWN, value=raw.strip())


def parse_period_only(text: str, today: date) -> PeriodRef:
    """`parse_period_words` for what must be a month or a triwulan (a bare year is refused: `NEEDS_PERIOD`)."""
    scope = parse_period_words(text, today)
    if isinstance(scope, int):
        raise PeriodWordsError(PeriodWordsCode.NEEDS_PERIOD, value=str(text).strip())
    return scope


def parse_quarter(text: str, today: date) -> PeriodRef:
    """`parse_period_words` for what must be a triwulan (a month or a year is refused: `NEEDS_QUARTER`)."""
    scope = parse_period_words(text, today)
    if isinstance(scope, int) or scope.kind is not PeriodKind.QUARTER:
        raise PeriodWordsError(PeriodWordsCode.NEEDS_QUARTER, value=str(text).strip())
    return scope


def most_recent(kind: PeriodKind, number: int, today: date) -> PeriodRef:
    """The latest month (or triwulan) `number` that has begun by `today`: this year's, else last year's."""
    this_year = PeriodRef(kind, today.year, number)
    return this_year if this_year.start_date <= today else PeriodRef(kind, today.year - 1, number)


def spoken_forms(ref: PeriodRef, language: str) -> list[str]:
    """Ways a person names `ref` in `language`, each read back by `parse_period_words` (with its year; the
    forms without a year name the most recent such period)."""
    year = ref.year
    if ref.kind is PeriodKind.MONTH:
        words = MONTH_WORDS[language][ref.number - 1]
        return [ref.code, f"{ref.number:02d}-{year}", *(f"{word} {year}" for word in words),
                f"{words[0].capitalize()} {year}", f"{year} {words[0]}"]
    roman = next(r for r, n in _ROMAN.items() if n == ref.number)
    return [ref.code, *(f"{word} {ref.number} {year}" for word in QUARTER_WORDS[language]),
            *(f"{word}{ref.number} {year}" for word in QUARTER_WORDS[language]),
            f"{QUARTER_WORDS[language][0].capitalize()} {roman.upper()} {year}", f"{year}-Q{ref.number}"]


def _resolve(kind: PeriodKind, number: int, year: int | None, today: date) -> PeriodRef:
    return PeriodRef(kind, year, number) if year is not None else most_recent(kind, number, today)


def _year(before: str | None, after: str | None, raw: str) -> int | None:
    if before and after:  # "2026 april 2026"
        raise PeriodWordsError(PeriodWordsCode.UNKNOWN, value=raw.strip())
    return int(before or after) if (before or after) else None


def _in_range(scope: PeriodRef | int, raw: str) -> PeriodRef | int:
    year = scope if isinstance(scope, int) else scope.year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodWordsError(PeriodWordsCode.UNKNOWN, value=raw.strip())
    return scope
