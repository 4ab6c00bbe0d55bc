"""Column types that keep money exact and time zone-aware, on SQLite and on PostgreSQL.

Given a value of Rupiah or a moment of a submission, when it is stored and read back, then it is the same value:
not a float's neighbour, not a naive time of unknown zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models.calc.bounds import LARGEST, STEP
from models.store.types import DecimalValue, UTCDateTime

JAKARTA = ZoneInfo("Asia/Jakarta")
metadata = sa.MetaData()
samples = sa.Table(
    "type_samples",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("amount", DecimalValue),
    sa.Column("at", UTCDateTime),
)


@pytest.fixture
def table(engine: Engine) -> Iterator[sa.Table]:
    metadata.create_all(engine)
    yield samples
    metadata.drop_all(engine)


def store(engine: Engine, **values: object) -> int:
    with engine.begin() as connection:
        return connection.execute(sa.insert(samples).values(**values)).inserted_primary_key[0]


def load(engine: Engine, row_id: int, column: str) -> object:
    with engine.connect() as connection:
        return connection.execute(sa.select(samples.c[column]).where(samples.c.id == row_id)).scalar_one()


# --------------------------------------------------------------------------------------------- DecimalValue


@pytest.mark.parametrize("value", [
    Decimal("1234567890123.45"),   # Rp 1.234.567.890.123,45: more digits than a float holds
    Decimal("0.00000001"),         # the smallest step of NUMERIC(28, 8)
    Decimal("600000000000"),       # a yearly investment target
    Decimal("-24.65"),             # a negative capaian
    Decimal("85.3"),               # 85.299999999999997... as a float
    Decimal("0"),
])
def test_decimal_value_comes_back_exact(engine, table, value):
    """Given a Decimal, when it is stored and read back, then it is the same number, still a Decimal."""
    row_id = store(engine, amount=value)

    loaded = load(engine, row_id, "amount")

    assert isinstance(loaded, Decimal)
    assert loaded == value
    assert format(loaded, "f") == format(value.normalize(), "f")


def test_whole_decimal_values_have_no_exponent(engine, table):
    """Given Rp 1.250.000.000 (PostgreSQL pads it to 1250000000.00000000), then it reads back as 1250000000."""
    loaded = load(engine, store(engine, amount=Decimal("1250000000.00")), "amount")

    assert str(loaded) == "1250000000"
    assert loaded.as_tuple().exponent == 0


def test_decimal_value_is_text_on_sqlite(engine, table):
    """Given SQLite (no exact decimal type), then the value is stored as canonical text, not as a REAL."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL stores NUMERIC")
    row_id = store(engine, amount=Decimal("1234567890123.45"))
    with engine.connect() as connection:
        stored = connection.exec_driver_sql(
            "SELECT typeof(amount), amount FROM type_samples WHERE id = ?", (row_id,)).one()
    assert tuple(stored) == ("text", "1234567890123.45")


def test_decimal_value_refuses_what_is_not_a_finite_number(engine, table):
    """Given NaN (no amount at all), then it is refused; a missing amount stays None."""
    with pytest.raises(sa.exc.StatementError, match="finite"):
        store(engine, amount=Decimal("NaN"))
    assert load(engine, store(engine, amount=None), "amount") is None


def test_decimal_value_never_rounds_silently(engine, table, request):
    """Given a value finer than 8 decimals (an Excel formula result), then it is kept exactly or refused."""
    value = Decimal("95.33333333333333")
    try:
        row_id = store(engine, amount=value)
    except sa.exc.StatementError:
        return  # refusing is fine
    assert load(engine, row_id, "amount") == value


@pytest.mark.parametrize("value", [LARGEST, -LARGEST, STEP, -STEP, Decimal(10) ** 19, Decimal(10) ** 19 - 1])
def test_the_extremes_of_the_bound_come_back_exact(engine, table, value):
    """Given the largest (20 digits before the point, 8 after) and the smallest non-zero value, then both
    backends give them back the same."""
    assert load(engine, store(engine, amount=value), "amount") == value


@pytest.mark.parametrize(("value", "reason"), [
    (Decimal("600000000000000000000000000000"), "more than 20 digits before the point"),  # pasted twice
    (LARGEST + STEP, "more than 20 digits before the point"),  # 10^20
    (-(LARGEST + STEP), "more than 20 digits before the point"),
    (Decimal("600000000000000000000000000000.123456789"), "more than 20 digits before the point"),
    (Decimal("0.000000001"), "more than 8 decimals"),
])
def test_decimal_value_refuses_what_the_column_cannot_hold(engine, table, value, reason):
    """Given a value beyond NUMERIC(28, 8), then it is refused with a clear error on both backends (SQLite would
    have kept it as text no later read could use), and nothing is stored."""
    with pytest.raises(sa.exc.StatementError, match=reason) as refused:
        store(engine, amount=value)

    assert isinstance(refused.value.orig, ValueError)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(samples)).scalar_one() == 0


def test_a_value_an_older_version_stored_beyond_the_bound_reads_back_as_it_is(engine, table):
    """Given SQLite text of 31 digits (written before the bound), then it reads back as that number."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's NUMERIC(28, 8) never held such a value")
    with engine.begin() as connection:
        for text in ("1600000000000000000000000000000", "1600000000000000000000000000000.12345678900"):
            connection.exec_driver_sql("INSERT INTO type_samples (amount) VALUES (?)", (text,))
    with engine.connect() as connection:
        loaded = connection.execute(sa.select(samples.c.amount).order_by(samples.c.id)).scalars().all()

    assert [str(value) for value in loaded] == ["1600000000000000000000000000000",
                                                "1600000000000000000000000000000.123456789"]


# --------------------------------------------------------------------------------------------- UTCDateTime


def test_utc_datetime_comes_back_aware_in_utc(engine, table):
    """Given a submission at 23:30 WIB on 31 March, then it reads back as 16:30 UTC, the same moment."""
    moment = datetime(2026, 3, 31, 23, 30, 15, 123456, tzinfo=JAKARTA)

    loaded = load(engine, store(engine, at=moment), "at")

    assert loaded.tzinfo is not None and loaded.utcoffset() == timedelta(0)
    assert loaded == moment
    assert (loaded.day, loaded.hour, loaded.minute, loaded.microsecond) == (31, 16, 30, 123456)
    assert loaded.astimezone(JAKARTA).hour == 23


def test_utc_datetime_keeps_utc_values(engine, table):
    moment = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)

    loaded = load(engine, store(engine, at=moment), "at")

    assert loaded == moment and loaded.utcoffset() == timedelta(0)


def test_utc_datetime_refuses_naive_datetimes(engine, table):
    """Given a datetime without a zone (its meaning is unknown), then it is refused and nothing is stored."""
    with pytest.raises(sa.exc.StatementError, match="naive datetime") as refused:
        store(engine, at=datetime(2026, 3, 31, 23, 30))

    assert isinstance(refused.value.orig, ValueError)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(samples)).scalar_one() == 0
