"""The budget line of a program or kegiatan: its pagu and the realisasi anggaran spent against it.

A PK row of a program or kegiatan may give its `pagu` (Rupiah). The import then adds, for that year, one more
indicator to the PK, `ANG.<kode>` "Realisasi anggaran <kode> …", reported monthly by the Sekretariat in Rupiah,
cumulative, its annual target the pagu (`Indicator.budget_of_id` points to the program or kegiatan). So the
realisasi anggaran is entered like any indicator: an item of the Sekretariat's form in `/isi`, a row of its
realisasi file (`kode` `ANG.P.1`), reviewed and approved with the rest, and its capaian is the serapan anggaran
(realisasi ÷ pagu). A pagu changed in a PK Perubahan (APBD-P) re-targets the line from its date; a year whose
file gives no pagu for a program has no budget line for it, as any indicator the year's PK leaves out.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from models.calc.capaian import Aggregation, NegativeFormula, Polarity
from models.errors import ProblemCode
from models.exchange.pk_apply import PkRow
from models.exchange.problems import RowProblem
from models.office.organisation import Unit, UnitKind
from models.plan.indicators import Frequency, Indicator, IndicatorKind, IndicatorLevel

BUDGET_PREFIX = "ANG."
BUDGET_SATUAN = "Rp"
BUDGETED_LEVELS = (IndicatorLevel.PROGRAM, IndicatorLevel.KEGIATAN, IndicatorLevel.SUBKEGIATAN)
DEFAULT_BUDGET_UNIT = "Sekretariat"
CODE_LIMIT = Indicator.__table__.c.code.type.length


def budget_code(code: str) -> str:
    return BUDGET_PREFIX + code


def budget_unit_name(session: Session, rows: list[PkRow]) -> str:
    """Who enters the realisasi anggaran: the office's Sekretariat (stored, or the file's), else `Sekretariat`."""
    stored = session.exec(select(Unit.name).where(Unit.kind == UnitKind.SEKRETARIAT).order_by(Unit.id)).first()
    if stored:
        return stored
    return next((row.unit_name for row in rows if row.unit_name.lower().startswith("sekretariat")),
                DEFAULT_BUDGET_UNIT)


def check_pagu(number: int, code: str | None, level: IndicatorLevel | None, pagu: Decimal | None,
               problems: list[RowProblem]) -> None:
    """A pagu is whole Rupiah, not negative, on a program or kegiatan row whose budget code fits."""
    if pagu is None:
        return
    if pagu < 0:
        problems.append(RowProblem(number, "pagu", ProblemCode.NEGATIVE, value=pagu, satuan=BUDGET_SATUAN))
    elif pagu != pagu.to_integral_value():
        problems.append(RowProblem(number, "pagu", ProblemCode.NOT_WHOLE, value=pagu, satuan=BUDGET_SATUAN))
    if level is not None and level not in BUDGETED_LEVELS:
        problems.append(RowProblem(number, "pagu", ProblemCode.PAGU_NOT_PROGRAM, level=level.value))
    if code is not None and len(budget_code(code)) > CODE_LIMIT:
        problems.append(RowProblem(number, "kode", ProblemCode.BUDGET_CODE_TOO_LONG, kode=code,
                                   budget_code=budget_code(code), limit=CODE_LIMIT))


def budget_row(row: PkRow, unit_name: str) -> PkRow:
    """The PK line of `row`'s budget: the same level and parent, the pagu as its annual target."""
    return PkRow(
        row=row.row,
        code=budget_code(row.code),
        unit_name=unit_name,
        parent_code=row.parent_code,
        year=row.year,
        indicator={
            "name": f"Realisasi anggaran {row.code} {row.indicator['name']}", "level": row.indicator["level"],
            "kind": IndicatorKind.OTHER, "satuan": BUDGET_SATUAN, "polarity": Polarity.POSITIVE,
            "negative_formula": NegativeFormula.TWO_T_MINUS_R, "aggregation": Aggregation.CUMULATIVE,
            "frequency": Frequency.MONTHLY, "decimals": 0, "definisi_operasional": None, "sumber_data": None,
        },
        targets={"annual": row.pagu, "tw1": None, "tw2": None, "tw3": None, "tw4": None,
                 "target_min": None, "target_max": None},
        decimals_given=True,
        budget_of=row.code,
    )


def with_budget_rows(session: Session, rows: list[PkRow]) -> list[PkRow]:
    """The file's rows and, after each one with a pagu, its budget line."""
    unit_name = budget_unit_name(session, rows)
    result = []
    for row in rows:
        result.append(row)
        if row.pagu is not None:
            result.append(budget_row(row, unit_name))
    return result
