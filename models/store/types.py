"""Column types that keep values exact on both SQLite and PostgreSQL.

- `DecimalValue`: SQLite has no exact decimal type (SQLAlchemy would go through float and lose digits of a
  Rp 1.234.567.890.123,45 value), so it is stored there as canonical text; PostgreSQL gets NUMERIC(28, 8).
  On both, a value beyond the bound of `models.calc.bounds` (more than 20 digits before the point or more than 8
  decimals) is refused with a ValueError, rather than rounded silently, refused by PostgreSQL as an overflow, or
  kept by SQLite as text no later read could use. A value an older version stored beyond it reads back as it is.
- `UTCDateTime`: SQLite forgets the time zone; values are stored in UTC and always come back tz-aware.
- `enum_type`: enums are stored by their value (`"positif"`), as VARCHAR, so adding a member needs no
  PostgreSQL `ALTER TYPE`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from models.calc.bounds import INTEGER_DIGITS, PRECISION, SCALE, too_large, too_precise
from models.calc.numbers import plain

__all__ = ["SCALE", "DecimalValue", "UTCDateTime", "enum_type", "utcnow"]


class DecimalValue(TypeDecorator[Decimal]):
    impl = sa.Numeric(PRECISION, SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(40))
        return dialect.type_descriptor(sa.Numeric(PRECISION, SCALE, asdecimal=True))

    def process_bind_param(self, value: Decimal | int | str | None, dialect: Dialect) -> object:
        if value is None:
            return None
        value = Decimal(value)
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value}")
        if too_large(value):
            raise ValueError(f"more than {INTEGER_DIGITS} digits before the point: {value}")
        if too_precise(value):
            raise ValueError(f"more than {SCALE} decimals: {value}")
        return format(value, "f") if dialect.name == "sqlite" else value

    def process_result_value(self, value: object, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        # PostgreSQL pads to the column scale (85.30000000); give back the plain value, never 1.25E+9, and
        # whatever its size (an older version stored values beyond the bound on SQLite).
        return plain(Decimal(str(value)))


class UTCDateTime(TypeDecorator[datetime]):
    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_cls: type[Enum]) -> sa.Enum:
    """A VARCHAR column holding the enum's values, returning enum members."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=max(len(str(member.value)) for member in enum_cls) + 8,
        values_callable=lambda cls: [str(member.value) for member in cls],
        validate_strings=True,
    )


def utcnow() -> datetime:
    """The wall clock: only for column defaults (a last resort; the domain writes its timestamps from `now`)."""
    return datetime.now(UTC)
