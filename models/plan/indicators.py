"""Performance indicators of the Perjanjian Kinerja and their yearly targets.

An indicator sits in the Renstra tree (tujuan → sasaran → program → kegiatan → sub kegiatan) through `parent_id`,
is reported by one unit, monthly or quarterly, and carries the settings the capaian engine needs: polarity,
the negative formula, and how its values aggregate over periods.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.calc.capaian import Aggregation, IndicatorRule, NegativeFormula, Polarity, YearTargets
from models.calc.numbers import InvalidNumber, NumberCode
from models.plan.periods import PeriodKind
from models.store.types import DecimalValue, UTCDateTime, enum_type, utcnow


class IndicatorLevel(StrEnum):
    TUJUAN = "tujuan"
    SASARAN = "sasaran"
    PROGRAM = "program"
    KEGIATAN = "kegiatan"
    SUBKEGIATAN = "subkegiatan"


class IndicatorKind(StrEnum):
    IKU = "IKU"
    IKK = "IKK"
    OTHER = "lainnya"


class Frequency(StrEnum):
    MONTHLY = "bulanan"
    QUARTERLY = "triwulanan"


def period_kind_of(frequency: Frequency | str) -> PeriodKind:
    """The kind of period an indicator of this frequency is collected in: monthly in months, else in triwulan."""
    return PeriodKind.MONTH if Frequency(frequency) is Frequency.MONTHLY else PeriodKind.QUARTER


def frequency_of(kind: PeriodKind | str) -> Frequency:
    """The frequency of the indicators collected in this kind of period (`period_kind_of` the other way)."""
    return Frequency.MONTHLY if PeriodKind(kind) is PeriodKind.MONTH else Frequency.QUARTERLY


class Indicator(SQLModel, table=True):
    __tablename__ = "indicators"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=sa.String(50), unique=True)
    name: str = Field(sa_type=sa.Text)
    level: IndicatorLevel = Field(sa_type=enum_type(IndicatorLevel))
    parent_id: int | None = Field(default=None, foreign_key="indicators.id", index=True)
    kind: IndicatorKind = Field(sa_type=enum_type(IndicatorKind))
    satuan: str = Field(sa_type=sa.String(50))
    polarity: Polarity = Field(sa_type=enum_type(Polarity))
    negative_formula: NegativeFormula = Field(
        default=NegativeFormula.TWO_T_MINUS_R, sa_type=enum_type(NegativeFormula)
    )
    aggregation: Aggregation = Field(sa_type=enum_type(Aggregation))
    decimals: int = Field(default=2)
    unit_id: int = Field(foreign_key="units.id", index=True)
    frequency: Frequency = Field(sa_type=enum_type(Frequency))
    definisi_operasional: str | None = Field(default=None, sa_type=sa.Text)
    sumber_data: str | None = Field(default=None, sa_type=sa.Text)
    target_renstra: Decimal | None = Field(default=None, sa_type=DecimalValue)  # at the end of the Renstra period
    tahun_renstra: int | None = Field(default=None)  # the Renstra's last year, the year of `target_renstra`
    # This indicator is the realisasi anggaran (Rupiah) of that program or kegiatan (an `indicators.id`; no foreign
    # key, so the column can be dropped again on SQLite; indicators are never deleted); its annual target is the pagu.
    budget_of_id: int | None = Field(default=None, index=True)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def rule(self) -> IndicatorRule:
        return IndicatorRule(
            polarity=Polarity(self.polarity),
            aggregation=Aggregation(self.aggregation),
            negative_formula=NegativeFormula(self.negative_formula),
        )


class ValueKind(StrEnum):
    """What an indicator's values are, from its satuan (and name): which values it admits, which example fits."""

    COUNT = "count"  # whole, ≥ 0 (NIB, izin, dokumen, orang, …; or no decimals and no percent or money satuan)
    MONEY = "money"  # Rupiah: whole, ≥ 0
    DURATION = "duration"  # hari, jam, menit, bulan: ≥ 0
    PERCENT = "percent"  # ≥ 0 (no cap at 100: the PK has no column that says so)
    GROWTH = "growth"  # a growth rate (pertumbuhan, laju): may be negative
    OTHER = "other"  # no sign rule


PERCENT_SATUAN = frozenset({"%", "persen", "persentase", "percent", "percentage"})
MONEY_SATUAN = frozenset({"rp", "rp.", "rupiah", "idr"})
DURATION_SATUAN = frozenset({"hari", "jam", "menit", "detik", "minggu", "bulan", "tahun"})
COUNT_SATUAN = frozenset({
    "nib", "izin", "ijin", "dokumen", "berkas", "orang", "jiwa", "unit", "kegiatan", "laporan", "kali", "buah",
    "paket", "perusahaan", "pelaku", "investor", "proyek", "desa", "kelurahan", "kecamatan", "sekolah", "lembaga",
    "sertifikat", "pengaduan", "rekomendasi", "layanan", "aplikasi", "sistem", "lokasi", "titik", "kelompok",
    "koperasi", "peserta", "kk", "rumah", "ekor", "judul", "naskah", "surat", "kasus", "permohonan",
})
GROWTH_WORDS = ("pertumbuhan", "laju", "growth")
NON_NEGATIVE = frozenset({ValueKind.COUNT, ValueKind.MONEY, ValueKind.DURATION, ValueKind.PERCENT})
WHOLE = frozenset({ValueKind.COUNT, ValueKind.MONEY})


def value_kind(indicator: Indicator) -> ValueKind:
    """The kind of an indicator's values, by default from its satuan (first word) and name."""
    satuan = " ".join(indicator.satuan.casefold().split())
    first = satuan.split(" ")[0] if satuan else ""
    if any(word in f"{satuan} {indicator.name.casefold()}" for word in GROWTH_WORDS):
        return ValueKind.GROWTH
    if satuan in PERCENT_SATUAN or first in PERCENT_SATUAN:
        return ValueKind.PERCENT
    if satuan in MONEY_SATUAN or first in MONEY_SATUAN:
        return ValueKind.MONEY
    if first in DURATION_SATUAN:
        return ValueKind.DURATION
    if first in COUNT_SATUAN or indicator.decimals == 0:
        return ValueKind.COUNT
    return ValueKind.OTHER


def admissible_problem(value: Decimal, indicator: Indicator) -> NumberCode | None:
    """Why `value` cannot be this indicator's realisasi (`NEGATIVE`, `NOT_WHOLE`), or None when it can."""
    kind = value_kind(indicator)
    if kind in NON_NEGATIVE and value < 0:
        return NumberCode.NEGATIVE
    if kind in WHOLE and value != value.to_integral_value():
        return NumberCode.NOT_WHOLE
    return None


def check_admissible(value: Decimal, indicator: Indicator) -> None:
    """Raise `InvalidNumber` (its code from `admissible_problem`, with the satuan) unless `value` is admissible."""
    problem = admissible_problem(value, indicator)
    if problem is not None:
        raise InvalidNumber(problem, format(value, "f"), satuan=indicator.satuan)


def _start_of_year(context) -> date:
    """`valid_from` when none is given: the PK of a year applies from 1 January."""
    return date(context.get_current_parameters()["year"], 1, 1)


class IndicatorTarget(SQLModel, table=True):
    """The targets of one indicator for one year: annual, per triwulan (Rencana Aksi) and a range.

    A year's Perjanjian Kinerja is its rows valid from 1 January; a PK Perubahan adds rows valid from its date
    (`valid_from`), and an indicator it drops gets a row marked `dropped`. Which row applies to a period:
    `models.plan.pk`."""

    __tablename__ = "indicator_targets"
    __table_args__ = (sa.UniqueConstraint("indicator_id", "year", "valid_from"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicators.id", index=True)
    year: int
    valid_from: date | None = Field(default=None, sa_type=sa.Date, nullable=False,
                                    sa_column_kwargs={"default": _start_of_year})
    dropped: bool = Field(default=False)
    annual: Decimal | None = Field(default=None, sa_type=DecimalValue)
    tw1: Decimal | None = Field(default=None, sa_type=DecimalValue)
    tw2: Decimal | None = Field(default=None, sa_type=DecimalValue)
    tw3: Decimal | None = Field(default=None, sa_type=DecimalValue)
    tw4: Decimal | None = Field(default=None, sa_type=DecimalValue)
    target_min: Decimal | None = Field(default=None, sa_type=DecimalValue)
    target_max: Decimal | None = Field(default=None, sa_type=DecimalValue)


class MonthlyTarget(SQLModel, table=True):
    """An optional monthly target; without one the engine derives it from the triwulan target."""

    __tablename__ = "monthly_targets"
    __table_args__ = (sa.UniqueConstraint("indicator_id", "year", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicators.id", index=True)
    year: int
    month: int
    value: Decimal = Field(sa_type=DecimalValue)


def indicator_order(indicator: Indicator) -> tuple:
    """Renstra order (tujuan, sasaran, program, kegiatan, sub kegiatan), then codes naturally: P.2 before P.10."""
    parts = indicator.code.replace("-", ".").split(".")
    code_key = tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts)
    return (list(IndicatorLevel).index(IndicatorLevel(indicator.level)), code_key)


def year_targets(target: IndicatorTarget | None, monthly: list[MonthlyTarget] = ()) -> YearTargets:
    """The engine's view of a year's targets (all None when the PK has none for that year)."""
    months = {m.month: m.value for m in monthly}
    if target is None:
        return YearTargets(annual=None, quarters=(None, None, None, None), months=months)
    return YearTargets(
        annual=target.annual,
        quarters=(target.tw1, target.tw2, target.tw3, target.tw4),
        months=months,
        lower=target.target_min,
        upper=target.target_max,
    )
