"""The numbers the office can store: the one bound every number meets before it is kept.

Every stored number (targets, range bounds, realisasi) is a `models.store.types.DecimalValue`: NUMERIC(28, 8) on
PostgreSQL, canonical text on SQLite held to the same rule, so a value reads back the same on both. That is at
most `INTEGER_DIGITS` (20) digits before the point and `SCALE` (8) after: from `STEP` (0,00000001) up to `LARGEST`
(99.999.999.999.999.999.999,99999999), and the same below zero. Beyond it is a mistake (a doubled paste), never
a figure an office signs.

Each door refuses beyond it, by these predicates: typed (`models.calc.numbers.parse_number`: codes `too_large`,
`too_precise`), imported (`models.exchange.problems.cell_number`: `baris N, kolom X`), stored
(`DecimalValue` raises rather than keep what PostgreSQL refuses or SQLite cannot read back the same). Reads stay
robust for values an older version stored beyond it: they are shown as they are, never a crash.

The arithmetic of admissible values stays exact where it must: a sum of a year of months has at most 30
significant digits and a capaian at most 34 (`models.calc.capaian` computes in 40).
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["INTEGER_DIGITS", "LARGEST", "LIMIT", "PRECISION", "SCALE", "STEP", "too_large", "too_precise"]

PRECISION = 28  # significant digits of a stored number
SCALE = 8  # decimals of a stored number
INTEGER_DIGITS = PRECISION - SCALE
LIMIT = Decimal(10) ** INTEGER_DIGITS  # the first magnitude too large to store
STEP = Decimal(1).scaleb(-SCALE)  # the smallest non-zero magnitude
LARGEST = LIMIT - STEP


def too_large(value: Decimal) -> bool:
    """More than `INTEGER_DIGITS` digits before the point (a finite value)."""
    return abs(value) >= LIMIT


def too_precise(value: Decimal) -> bool:
    """A non-zero digit beyond `SCALE` decimals (`1.500000000` is fine: trailing zeros are not precision).

    Read from the digits, so no Decimal context can make it round or raise."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int), "a finite value"
    beyond = -exponent - SCALE
    return beyond > 0 and any(digits[-beyond:])
