"""The office of a chaos run: the demo Perjanjian Kinerja, staff in every unit, November 2026 open, and what each
unit's staff will answer for each of its indicators.

Every answer is unique to its indicator (and so to its unit: each indicator belongs to one unit), so an answer
filed under the wrong indicator, the wrong field or the wrong unit shows in the stored realisasi. Every value is
below its target, so each indicator asks a kendala and a tindak lanjut too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.calc.clock import system_clock
from models.collection.opening import open_period
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.office.audit import Actor
from models.office.organisation import Member, Role, Unit
from models.plan.indicators import Frequency, Indicator
from models.plan.periods import PeriodKind, PeriodRef
from models.store.database import session_scope
from tests.chat.conftest import add_people

NOVEMBER = PeriodRef(PeriodKind.MONTH, 2026, 11)
ADMIN, SEKRETARIS = 101, 103
FIRST_STAFF = 2001  # telegram ids of the staff: 2001, 2002, …


@dataclass(frozen=True)
class Answer:
    """What the staff of the indicator's unit type for it."""

    typed: str
    value: Decimal

    def kendala(self, code: str) -> str:
        return f"Kendala {code}: data sistem terlambat"

    def tindak_lanjut(self, code: str) -> str:
        return f"Tindak lanjut {code}: koordinasi mingguan"


# November's monthly indicators of the demo PK, each below its target (P.3 and P.5 count days: lower is better).
ANSWERS = {
    "S.1": Answer("50000000001", Decimal("50000000001")),
    "K.3": Answer("4", Decimal(4)),
    "P.1": Answer("95", Decimal(95)),
    "P.2": Answer("88,5", Decimal("88.5")),
    "P.3": Answer("8", Decimal(8)),
    "P.4": Answer("97", Decimal(97)),
    "P.5": Answer("6", Decimal(6)),
    "SEK.1": Answer("83", Decimal(83)),
}


@dataclass(frozen=True)
class Staff:
    telegram_id: int
    name: str
    unit: str


def prepare_office(engine: Engine, staff_count: int) -> list[Staff]:
    """The demo PK, the admin, Kepala and Sekretaris, `staff_count` staff spread over the units, and November
    open (its notices to every member queued in the outbox)."""
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
    with Session(engine) as session:
        units = sorted(unit.name for unit in session.exec(select(Unit)) if unit.parent_id is not None)
        monthly = set(session.exec(select(Indicator.code).where(Indicator.frequency == Frequency.MONTHLY)))
    assert monthly == set(ANSWERS), f"the demo's monthly indicators changed: {sorted(monthly)}"
    staff = [Staff(FIRST_STAFF + n, f"Staf {n + 1:02d}", units[n % len(units)]) for n in range(staff_count)]
    people = {ADMIN: ("Budi Admin", Role.ADMIN, None), 102: ("Ibu Kepala", Role.KEPALA, None),
              SEKRETARIS: ("Pak Sekretaris", Role.SEKRETARIS, "Sekretariat")}
    people |= {person.telegram_id: (person.name, Role.STAF, person.unit) for person in staff}
    add_people(engine, people)
    with session_scope(engine) as session:
        admin = session.exec(select(Member).where(Member.telegram_user_id == ADMIN)).one()
        open_period(session, admin, NOVEMBER, date(2026, 12, 10), now=system_clock())
    return staff


def everyone(staff: list[Staff]) -> dict[int, str]:
    """Telegram id → name of every person who has opened the bot."""
    return {ADMIN: "Budi Admin", 102: "Ibu Kepala", SEKRETARIS: "Pak Sekretaris"} | {
        person.telegram_id: person.name for person in staff}
