"""What one typed value costs in the bot's process: SQL statements and CPU time, through the chat's own path.

Each value is typed at the question of one of the member's indicators (asked again as from the form's summary,
and shown in a message, as `act` records it), then handled as `act` handles a message: one transaction running
`handlers.router.route_message` (`handlers.common.act_in_transaction`). Only that transaction is measured.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from handlers.common import NOW, act_in_transaction, record_shown
from handlers.fill import flow
from handlers.router import route_message
from models.calc.clock import system_clock
from models.calc.numbers import format_number
from models.collection.form_filling import context_for, unit_indicators
from models.messaging.chat_state import question_of
from models.office.invites import member_by_telegram_id
from models.plan.indicators import Indicator
from models.plan.periods import Period, PeriodStatus
from models.store.database import create_db_engine, session_scope

TIMEZONE = "Asia/Jakarta"


@dataclass(frozen=True)
class StepCost:
    values: int
    statements: float  # per typed value, the whole transaction (the member, the update marked handled, the step)
    cpu_ms: float  # per typed value, this process's CPU time (time.process_time)


def _ask(engine: sa.Engine, telegram_id: int, indicator_id: int, message_id: int) -> str:
    """Ask the indicator's question, show it in `message_id`; the value to type: its target, or near it."""
    with session_scope(engine) as session:
        session.info[NOW] = system_clock()
        period = session.exec(select(Period).where(Period.status == PeriodStatus.OPEN)).first()
        indicator = session.get(Indicator, indicator_id)
        act_in_transaction(session, telegram_id, None, flow.ask_item, period, indicator, answering=True,
                           timezone=TIMEZONE)
        member = member_by_telegram_id(session, telegram_id)
        record_shown(session, telegram_id, question_of(session, member.id).number, message_id)
        target = context_for(session, indicator, period).target
        value = target.value if target.value is not None else (target.lower or target.upper or 1)
        return format_number(value - (message_id // 2 % 2), None, "id")  # another value each time: a new revision


def typed_value_cost(url: str, telegram_id: int, values: int = 200) -> StepCost:
    """Type `values` values as the member `telegram_id` (of a unit with an open period) and measure them."""
    engine = create_db_engine(url)
    statements = [0]

    def count(*_args: object) -> None:
        statements[0] += 1

    try:
        with Session(engine) as session:
            member = member_by_telegram_id(session, telegram_id)
            period = session.exec(select(Period).where(Period.status == PeriodStatus.OPEN)).first()
            indicators = [indicator.id for indicator in unit_indicators(session, member.unit_id, period)]
        cpu = 0.0
        for number, indicator_id in zip(range(values), itertools.cycle(indicators)):
            message_id = 2 * number + 1000
            text = _ask(engine, telegram_id, indicator_id, message_id)
            sa.event.listen(engine, "before_cursor_execute", count)
            started = time.process_time()
            with session_scope(engine) as session:
                session.info[NOW] = system_clock()
                act_in_transaction(session, telegram_id, message_id + 1, route_message, text, message_id + 1,
                                   None, answering=True, timezone=TIMEZONE)
            cpu += time.process_time() - started
            sa.event.remove(engine, "before_cursor_execute", count)
        return StepCost(values, statements[0] / values, cpu * 1000 / values)
    finally:
        engine.dispose()
