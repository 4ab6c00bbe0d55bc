"""Telegram's pace in one chat, shared by every process: about one message a second, after a short burst.

Direct replies (sent by whichever process handles the update) and outbox sends (sent by the leader) go to the
same chats; counted per process, three processes together sent 48 messages in one second to the Sekretaris and
Telegram refused them. So each send first reserves its moment here, in one statement, and waits until then.

The reservation is the generic cell rate algorithm: `due` is the moment the chat's budget is back to full when
nothing more is sent; a send may go when `due` is at most `BURST - 1` intervals ahead, and moves it one
interval on (an album of several photos moves it one interval per photo, at most `BURST`: an album larger than
the burst still goes, once the budget is full). Times are seconds of the wall clock (`time.time()`), which the
processes of one deployment share.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel

INTERVAL = 1.0  # seconds between messages in one chat, on average
BURST = 3  # messages one chat may get at once

# The whole bot's budget, Telegram's ~30 messages a second over all chats, is the row of key `BOT` (no chat has
# id 0), shared by every process like a chat's. Replies to a member's own action reserve their moment in it
# whatever is queued; notices take a moment only when the budget has room beyond what is kept for replies
# (`take_if_free`), so a fan-out of reminders never makes a member wait for the answer to what they just did.
BOT = 0
# Never more than 30 messages in any one second, whichever processes send them: one every 1/27 s, with one
# message of slack for a reply, is at most 1 + 1 + 27 = 29 moments in a second, and one more of margin for
# messages that reach Telegram a little later than their moment, together with the next (a looser burst let
# 39-49 through in the busiest second; at 1/28 s, 31: bench/README.md, the deadline benchmark)
BOT_INTERVAL = 1 / 27
REPLY_BURST = 2  # a reply may go one message ahead of the budget's pace
NOTICE_BURST = 1  # a notice only when nothing is reserved ahead: every reply waiting goes first

class ChatPace(SQLModel, table=True):
    __tablename__ = "chat_pace"

    chat_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    due: float = Field(sa_type=sa.Double)  # when the chat's budget is full again (seconds since the epoch)


def reserve(session: Session, chat_id: int, now: float, interval: float = INTERVAL, burst: int = BURST,
            cost: int = 1) -> float:
    """Reserve the chat's next message (`cost` messages of an album); the seconds to wait before sending it (0: at
    once). The caller commits at once: the row is locked until then, so every other sender to the chat waits."""
    step = interval * max(1, min(cost, burst))
    due = session.execute(_moved_on(session, chat_id, now, step)).scalar_one()
    return max(0.0, due - interval * burst - now)


def take_if_free(session: Session, key: int, now: float, interval: float, burst: int, cost: int = 1) -> float:
    """Take the next moment of `key`'s budget only if it is now (at most `burst` messages ahead): 0 when taken,
    else nothing is taken and the seconds until it might be (others may take it first: ask again then)."""
    step = interval * max(1, min(cost, burst))
    statement = _moved_on(session, key, now, step, only_if=lambda after: after - interval * burst <= now)
    if session.execute(statement).first() is not None:
        return 0.0
    due = session.execute(sa.select(ChatPace.due).where(ChatPace.chat_id == key)).scalar_one()
    return max(interval, max(due, now) + step - interval * burst - now)


def _moved_on(session: Session, key: int, now: float, step: float,
              only_if: Callable[[sa.ColumnElement], sa.ColumnElement] | None = None) -> sa.Insert:
    """The statement that moves `key`'s `due` one `step` on from now or from where it stands (a new row when there
    is none), returning it; `only_if(the due after)`: a condition on the move (no row returned when it fails)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    later = sa.func.greatest if dialect == "postgresql" else sa.func.max  # SQLite's max() of two values
    after = later(ChatPace.due, now) + step
    return insert(ChatPace).values(chat_id=key, due=now + step).on_conflict_do_update(
        index_elements=["chat_id"], set_={"due": after}, where=only_if(after) if only_if else None,
    ).returning(ChatPace.due)


def forget_idle(session: Session, now: float) -> int:
    """Chats whose budget is full again need no row."""
    return session.execute(sa.delete(ChatPace).where(ChatPace.due < now)).rowcount or 0
