"""Numbers as Indonesian staff type them on a phone, and numbers formatted back.

`parse_number` accepts the Indonesian convention (``.`` groups thousands, ``,``
is the decimal mark) and the English one, plus what people actually type around
a number: ``Rp``/``Rp.``/``IDR`` prefixes, the "no cents" mark ``,-``
(``Rp 1.250.000,-``), ``%``/``persen`` and multipliers. Formatting is Babel's.

Never ambiguous: no separator (``1234``); both ``.`` and ``,`` (the last one is
the decimal mark and occurs once, the other must be valid grouping: ``1.234,5``,
``1,234.5``); one separator used twice or more (grouping: ``1.234.567``); spaces
as grouping (``1 234 567``); one separator that cannot be grouping, because
other than three digits follow it (``85,3``, ``1.2345``) or the integer part
starts with ``0`` (``0,123``) or has more than three digits (``1234,567``).

The ambiguity rule
------------------
One separator (``.`` or ``,``) followed by exactly three digits, with an
integer part of 1-3 digits not starting with ``0`` (``1.234``, ``12,500``), is
ambiguous: grouping (1234) or decimal (1.234)? First matching rule wins:

1. Multiplier (``1,250 M``): a comma is the decimal mark (1.25 miliar). A dot
   (``1.250 M``) goes straight to rule 6: once scaled both readings are whole
   numbers, so rules 2-5 cannot tell them apart.
2. Money (``Rp`` prefix, ``,-`` suffix, satuan ``Rp``/``rupiah``) and a dot:
   grouping. Rupiah has no cents in practice; ``Rp 1.250`` is 1250. A comma
   (``Rp 1,250``) is left to the rules below.
3. ``decimals == 0`` (whole-number indicator: NIB count, Rupiah, days): grouping.
4. ``decimals >= 3``: decimal (there ``1,234`` is a normal value).
5. Percentage (``%``/``persen`` suffix, or satuan ``%``, ``persen``,
   ``persentase``), the grouping reading above 100 and the decimal one at most
   100: decimal (``1,234 %`` is 1.234%, not 1234%).
6. Otherwise raise `AmbiguousNumber` with both candidates, grouping first; the
   caller asks the user. A value is never guessed silently.

With ``decimals`` of 1 or 2 and no other context the user is still asked:
``1.234`` may be an unrounded decimal, and asking is cheaper than a value 1000x
off. Candidates are not filtered by ``decimals``; re-validate the one picked.

Multipliers: ``rb``/``ribu`` 10^3, ``jt``/``juta`` 10^6, ``M``/``miliar``/
``milyar`` 10^9, ``T``/``triliun``/``trilyun`` 10^12. Words are case-insensitive
and may end with a dot (``3 jt.``); the single letters are case-sensitive.
Lowercase ``m`` (meter, or "million" to an English reader: 1000x off) and ``t``
(ton) raise `InvalidNumber` with code ``ambiguous_unit``.

`InvalidNumber` codes: ``empty``; ``not_a_number`` (letters, unknown unit,
stray signs, more than 30 digits); ``bad_grouping`` (``1..2``, ``1,2,3.4.5``);
``ambiguous_unit``; ``too_many_decimals`` (``decimals`` given and the value has
more fractional digits, e.g. ``12,5`` for a whole-number indicator: typed values
are never rounded); ``too_large`` and ``too_precise`` (beyond what can be
stored, `models.calc.bounds`: more than 20 digits before the point, e.g. a
doubled paste, or more than 8 after; `.details` names the limit, ``digits`` or
``decimals``). Negative numbers (``-5``, ``−5``) are accepted; refusing them is
the caller's business. `AmbiguousNumber` has code ``ambiguous``.

Returned values are normalised: whole numbers have exponent 0
(``Decimal("1250000000")``, never ``1.25E+9``), others carry no trailing zeros
(``12,50`` -> ``Decimal("12.5")``), and ``-0`` becomes ``0``.

Formatting rounds half up (``2,5`` -> ``3``, as taught in school), not Babel's
half-even: the rounding is done here and Babel lays out the rounded digits.
Formatting, `plain` and `round_half_up` are exact for any finite value, whatever
its size and the caller's Decimal context (a value an older version stored
beyond the bound is shown as it is).
"""

from __future__ import annotations

import copy
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from enum import StrEnum
from functools import lru_cache

from babel import Locale
from babel import numbers as babel_numbers

from models.calc.bounds import INTEGER_DIGITS, SCALE, too_large, too_precise

__all__ = [
    "AmbiguousNumber", "InvalidNumber", "NumberError",
    "format_number", "format_percent", "format_rupiah", "parse_number", "plain", "round_half_up",
]  # fmt: skip

# Enough room for 30 typed digits scaled by 10^12 without any rounding.
_PRECISION = 60
_MAX_DIGITS = 30
_ONE = Decimal(1)
_PERCENT_SATUAN = frozenset({"%", "persen", "persentase", "percent", "percentage"})
_MONEY_SATUAN = frozenset({"rp", "rp.", "rupiah", "idr"})
_MULTIPLIER_WORDS = {
    "rb": 3, "ribu": 3, "jt": 6, "juta": 6,
    "miliar": 9, "milyar": 9, "triliun": 12, "trilyun": 12,
}  # fmt: skip
_MULTIPLIER_LETTERS = {"M": 9, "T": 12}
_EMPTY_VALUE = "\u2013"  # en dash, shown for a missing percentage

_MINUS_SIGNS = "-\u2212\u2013\ufe63\uff0d"
_ODD_SPACES = re.compile(r"[\u00a0\u2007\u2009\u202f]")
_PREFIX_RE = re.compile(r"(?:rp\.?|idr)\s*", re.IGNORECASE)
_UNIT_RE = re.compile(r"(?P<num>.*?)\s*(?P<unit>%|[^\W\d_]+\.?)", re.DOTALL)
_CORE_RE = re.compile(r"[0-9](?:[0-9., ]*[0-9])?")
_SPACE_GROUPED_RE = re.compile(r"(?P<int>[1-9][0-9]{0,2}(?: [0-9]{3})+)(?:[.,](?P<frac>[0-9]+))?")
_GROUPED_RE = {sep: re.compile(rf"[1-9][0-9]{{0,2}}(?:{re.escape(sep)}[0-9]{{3}})+") for sep in ".,"}


class NumberCode(StrEnum):
    """Why a text is not a number (`NumberError.code`); worded as `fill.invalid_<code>`."""

    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    BAD_GROUPING = "bad_grouping"
    AMBIGUOUS_UNIT = "ambiguous_unit"
    TOO_MANY_DECIMALS = "too_many_decimals"
    AMBIGUOUS = "ambiguous"
    TOO_LARGE = "too_large"  # beyond the bound of `models.calc.bounds`: more than 20 digits before the point
    TOO_PRECISE = "too_precise"  # more than 8 decimals
    NEGATIVE = "negative"  # a number, but not admissible for the indicator: below zero (`admissible_problem`)
    NOT_WHOLE = "not_whole"  # a number, but not admissible for the indicator: a fraction of a count or of Rupiah


class NumberError(ValueError):
    """Base: the text could not be read as a number.

    `.code` is a short machine key for the message catalogue; `.text` is the
    input exactly as received; `.details` fill the code's text (the limit).
    """

    code: NumberCode = NumberCode.NOT_A_NUMBER

    def __init__(self, code: NumberCode, text: str, message: str | None = None, **details: object) -> None:
        self.code = NumberCode(code)
        self.text = text
        self.details = details
        super().__init__(message or f"{code}: {text!r}")


class InvalidNumber(NumberError):
    """The text is not a number we accept (see the module docstring for codes)."""


class AmbiguousNumber(NumberError):
    """`1.234`: thousand or one-point-two-three-four?

    `.candidates` holds both readings (grouping first, decimal second), already
    signed, scaled by any multiplier and normalised; the caller must ask the user.
    """

    candidates: tuple[Decimal, Decimal]

    def __init__(self, text: str, candidates: tuple[Decimal, Decimal]) -> None:
        super().__init__(NumberCode.AMBIGUOUS, text, f"ambiguous number {text!r}: {candidates[0]} or {candidates[1]}")
        self.candidates = candidates


@dataclass(frozen=True)
class _Core:
    """The bare digits-and-separators part: one reading, or two when ambiguous."""

    value: Decimal | None
    grouping: Decimal | None = None
    decimal: Decimal | None = None
    separator: str = ""


# --------------------------------------------------------------------------- parsing


def parse_number(text: str, *, decimals: int | None = None, satuan: str | None = None) -> Decimal:
    """Read a number typed by a person; see the module docstring for the rules.

    `decimals` is the indicator's declared number of decimal places (None: not
    declared) and `satuan` its unit; both only help resolve ambiguity, except
    that a value with more fractional digits than `decimals` is refused.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    _check_decimals(decimals)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return _parse(text, decimals, satuan)


def _parse(text: str, decimals: int | None, satuan: str | None) -> Decimal:
    rest = _ODD_SPACES.sub(" ", text).strip()
    if not rest:
        raise InvalidNumber(NumberCode.EMPTY, text)
    satuan_key = (satuan or "").strip().casefold()
    money = satuan_key in _MONEY_SATUAN
    percent = satuan_key in _PERCENT_SATUAN

    negative, rest = _take_sign(rest)
    prefix = _PREFIX_RE.match(rest)
    if prefix:
        money, has_prefix, rest = True, True, rest[prefix.end() :]
        if not negative:  # "Rp -5.000" as well as "-Rp5.000"
            negative, rest = _take_sign(rest)
    else:
        has_prefix = False
    has_dash_suffix = rest.endswith((",-", ".-"))
    if has_dash_suffix:  # "Rp 1.250.000,-": the Indonesian "no cents" mark
        money, rest = True, rest[:-2].rstrip()

    exponent = 0
    unit = _UNIT_RE.fullmatch(rest)
    if unit:
        rest = unit["num"]
        is_percent, exponent = _read_unit(unit["unit"], text)
        if is_percent and (has_prefix or has_dash_suffix):
            raise InvalidNumber(NumberCode.NOT_A_NUMBER, text)
        percent = percent or is_percent

    core = _read_core(rest, text)
    reading = _resolve(core, text, exponent, money, percent, decimals, negative)
    value = _finish(reading, exponent, negative)
    if too_large(value):
        raise InvalidNumber(NumberCode.TOO_LARGE, text, digits=INTEGER_DIGITS)
    if decimals is not None and _frac_digits(value) > decimals:
        raise InvalidNumber(NumberCode.TOO_MANY_DECIMALS, text)
    if too_precise(value):
        raise InvalidNumber(NumberCode.TOO_PRECISE, text, decimals=SCALE)
    return value


def _take_sign(rest: str) -> tuple[bool, str]:
    if rest[:1] and rest[0] in _MINUS_SIGNS:
        return True, rest[1:].lstrip()
    if rest.startswith("+"):
        return False, rest[1:].lstrip()
    return False, rest


def _read_unit(unit: str, text: str) -> tuple[bool, int]:
    """Return (is_percent, power of ten) for a suffix such as ``%``, ``jt`` or ``M``."""
    word = unit.removesuffix(".")
    if word == "%" or word.casefold() == "persen":
        return True, 0
    if word in _MULTIPLIER_LETTERS:
        return False, _MULTIPLIER_LETTERS[word]
    if word in ("m", "t"):
        raise InvalidNumber(NumberCode.AMBIGUOUS_UNIT, text)
    if len(word) > 1 and word.casefold() in _MULTIPLIER_WORDS:
        return False, _MULTIPLIER_WORDS[word.casefold()]
    raise InvalidNumber(NumberCode.NOT_A_NUMBER, text)


def _read_core(core: str, text: str) -> _Core:
    if not _CORE_RE.fullmatch(core):
        raise InvalidNumber(NumberCode.NOT_A_NUMBER, text)
    if sum(ch.isdigit() for ch in core) > _MAX_DIGITS:
        raise InvalidNumber(NumberCode.NOT_A_NUMBER, text)

    if " " in core:
        spaced = _SPACE_GROUPED_RE.fullmatch(core)
        if not spaced:
            raise InvalidNumber(NumberCode.BAD_GROUPING, text)
        return _Core(_digits(spaced["int"].replace(" ", ""), spaced["frac"] or ""))

    dots, commas = core.count("."), core.count(",")
    if dots and commas:
        decimal_sep = "." if core.rfind(".") > core.rfind(",") else ","
        group_sep = "," if decimal_sep == "." else "."
        int_part, _, frac = core.rpartition(decimal_sep)
        if decimal_sep in int_part or not _GROUPED_RE[group_sep].fullmatch(int_part):
            raise InvalidNumber(NumberCode.BAD_GROUPING, text)
        return _Core(_digits(int_part.replace(group_sep, ""), frac))
    if not dots and not commas:
        return _Core(Decimal(core))

    sep = "." if dots else ","
    if dots + commas > 1:
        if not _GROUPED_RE[sep].fullmatch(core):
            raise InvalidNumber(NumberCode.BAD_GROUPING, text)
        return _Core(Decimal(core.replace(sep, "")))

    int_part, _, frac = core.partition(sep)
    if len(frac) != 3 or int_part.startswith("0") or len(int_part) > 3:
        return _Core(_digits(int_part, frac))
    return _Core(None, grouping=Decimal(int_part + frac), decimal=_digits(int_part, frac), separator=sep)


def _resolve(
    core: _Core,
    text: str,
    exponent: int,
    money: bool,
    percent: bool,
    decimals: int | None,
    negative: bool,
) -> Decimal:
    """Apply the ambiguity rule of the module docstring (rules 1-6, in order)."""
    if core.value is not None:
        return core.value
    grouping, decimal = core.grouping, core.decimal
    assert grouping is not None and decimal is not None
    if exponent:  # rule 1; a dot falls through to rule 6
        if core.separator == ",":
            return decimal
    else:
        if money and core.separator == ".":  # rule 2
            return grouping
        if decimals == 0:  # rule 3
            return grouping
        if decimals is not None and decimals >= 3:  # rule 4
            return decimal
        if percent and grouping > 100 >= decimal:  # rule 5
            return decimal
    candidates = (_finish(grouping, exponent, negative), _finish(decimal, exponent, negative))
    raise AmbiguousNumber(text, candidates)


def _digits(int_part: str, frac: str) -> Decimal:
    return Decimal(f"{int_part or '0'}.{frac}" if frac else int_part)


def _finish(reading: Decimal, exponent: int, negative: bool) -> Decimal:
    value = reading.scaleb(exponent)
    return _normalize(-value if negative else value)


def _normalize(value: Decimal) -> Decimal:
    """Whole numbers get exponent 0, others lose trailing zeros; -0 becomes 0."""
    if value.is_zero():
        return Decimal(0)
    if value == value.to_integral_value():
        return value.quantize(_ONE)
    return value.normalize()


def _frac_digits(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _check_decimals(decimals: int | None) -> None:
    if decimals is None:
        return
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"decimals must be a non-negative int or None, not {decimals!r}")


# ------------------------------------------------------------------------ formatting


def format_number(value: Decimal | int | float, decimals: int | None = None, locale: str = "id") -> str:
    """``Decimal("1234.5")`` -> ``"1.234,5"``; with ``decimals=2`` -> ``"1.234,50"``.

    `decimals=None` shows the value's own significant decimals (no trailing
    zeros). Grouping is always on. Rounding is half up.
    """
    number = _to_decimal(value)
    _check_decimals(decimals)
    with _room(number, decimals or 0):
        number, places = _round(number, decimals)
        return babel_numbers.format_decimal(number, format=_pattern(locale, "decimal", places),
                                            locale=_locale(locale))


def format_percent(value: Decimal | None, decimals: int | None = 2, locale: str = "id") -> str:
    """``Decimal("107.14")`` -> ``"107,14%"``: the value is already in percent.

    None (no value yet, e.g. capaian without a target) -> ``"–"`` (en dash).
    `decimals=None` shows the value's own significant decimals.
    """
    if value is None:
        return _EMPTY_VALUE
    number = _to_decimal(value)
    _check_decimals(decimals)
    with _room(number, decimals or 0):
        number, places = _round(number, decimals)
        # Babel's percent pattern multiplies by 100; scaleb(-2) is exact.
        return babel_numbers.format_percent(
            number.scaleb(-2), format=_pattern(locale, "percent", places), locale=_locale(locale)
        )


def format_rupiah(value: Decimal | int, locale: str = "id") -> str:
    """``Decimal("1250000000")`` -> ``"Rp1.250.000.000"`` (no space, no cents).

    The layout and symbol are Babel's (CLDR) for `locale`: ``id`` gives
    ``Rp1.250.000.000``, ``en`` gives ``IDR1,250,000,000``; negative values get a
    leading ``-``. Values are rounded half up to whole Rupiah. `parse_number`
    reads every one of these back.
    """
    number = _to_decimal(value)
    with _room(number, 0):
        number, _ = _round(number, 0)
        return babel_numbers.format_currency(
            number,
            "IDR",
            format=_pattern(locale, "currency", 0),
            currency_digits=False,
            locale=_locale(locale),
        )


def plain(value: Decimal) -> Decimal:
    """``1.25E+9`` -> ``1250000000``, ``85.30000000`` -> ``85.3``: whole numbers get exponent 0, others lose
    trailing zeros, ``-0`` becomes ``0``; exact for any finite value."""
    if type(value) is Decimal and value.is_finite():  # most values are plain already: keep them as they are
        sign, digits, exponent = value.as_tuple()
        if (exponent == 0 and (not sign or digits != (0,))) or (exponent < 0 and digits[-1] != 0):
            return value
    number = _to_decimal(value)
    with _room(number, 0):
        return _normalize(number)


def round_half_up(value: Decimal, places: int) -> Decimal:
    """`value` rounded half up to `places` decimals, as `plain` gives it (``0.666…`` -> ``0.67``, ``2.50`` ->
    ``2.5``); exact for any finite value."""
    number = _to_decimal(value)
    _check_decimals(places)
    with _room(number, places):
        return _normalize(_round(number, places)[0])


def _room(number: Decimal, places: int) -> AbstractContextManager[Context]:
    """A context with room for every digit of `number` and `places` decimals, so rounding to them is never an
    error (a quantize beyond the precision raises InvalidOperation)."""
    digits = max(_PRECISION, len(number.as_tuple().digits), number.adjusted() + places + 2)
    return localcontext(prec=digits, rounding=ROUND_HALF_UP)


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise TypeError(f"expected a Decimal, int or float, not {type(value).__name__}")
    # repr() gives the shortest round-tripping text: 0.1 -> "0.1", not 0.1000000000000000055...
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"cannot format {value!r}")
    return number


def _round(number: Decimal, decimals: int | None) -> tuple[Decimal, int]:
    """Round half up (or just normalise when `decimals` is None); return (value, places)."""
    if decimals is None:
        number = _normalize(number)
        places = _frac_digits(number)
    else:
        number = number.quantize(_ONE.scaleb(-decimals), rounding=ROUND_HALF_UP)
        places = decimals
    if number.is_zero():
        number = abs(number)  # never show "-0,00"
    return number, places


@lru_cache(maxsize=64)
def _locale(locale: str) -> Locale:
    """The parsed locale, once per name: Babel parses a name again on every call it is given (a Laporan of 1200
    rows formats some 4000 numbers, each parsing it several times)."""
    return Locale.parse(locale)


@lru_cache(maxsize=256)
def _pattern(locale: str, kind: str, places: int) -> babel_numbers.NumberPattern:
    """The locale's own decimal/percent/currency pattern with exactly `places` decimals."""
    loc = _locale(locale)
    if kind == "decimal":
        base = loc.decimal_formats[None]
    elif kind == "percent":
        base = loc.percent_formats[None]
    else:
        base = loc.currency_formats["standard"]
    pattern = copy.copy(base)  # the original is shared locale data: never mutate it
    pattern.frac_prec = (places, places)
    return pattern
