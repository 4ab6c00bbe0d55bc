"""The whole bot's budget of messages, shared by every process, with replies ahead of notices (`bot/pacing.py`,
`models/messaging/pace.py`), on SQLite and PostgreSQL.

Given Telegram's overall limit (the emulator answers 429 beyond about 30 messages a second over all chats), when
two bot processes, each with the production rate limiter on its own connections to one database, send at once
to 90 different chats, then no send is refused: the two keep one budget, not 29 a second each. Given a fan-out
of notices that fills the budget for seconds, when a reply to a member's action is sent meanwhile, then it goes
within a fraction of a second, not behind the queue. And in the database: a notice takes a moment only when the
budget has room beyond the replies' share, and leaves it untouched when it has not.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy.engine import Engine
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.pacing import ChatPacer, sending_notices
from emulator import BotApiEmulator
from models.messaging.pace import BOT, BOT_INTERVAL, NOTICE_BURST, REPLY_BURST, reserve, take_if_free
from models.store.database import create_db_engine, session_scope

TOKEN = "123456:budget-test-token-abcdefghij"
FIRST_CHAT = 8_000_000
T0 = 1_800_000_000.0


def test_a_notice_takes_a_moment_only_beyond_the_replies_share(engine: Engine):
    with session_scope(engine) as session:
        waits = [take_if_free(session, BOT, T0, BOT_INTERVAL, NOTICE_BURST) for _ in range(NOTICE_BURST + 2)]
    assert waits[:NOTICE_BURST] == [0.0] * NOTICE_BURST
    assert all(wait > 0 for wait in waits[NOTICE_BURST:]), waits  # refused: nothing taken
    with session_scope(engine) as session:
        # a reply still goes at once, up to the replies' burst
        assert [reserve(session, BOT, T0, BOT_INTERVAL, REPLY_BURST) for _ in range(REPLY_BURST - NOTICE_BURST)] \
            == pytest.approx([0.0] * (REPLY_BURST - NOTICE_BURST), abs=1e-6)
        assert reserve(session, BOT, T0, BOT_INTERVAL, REPLY_BURST) > 0
        # once the budget has room again, a notice is taken
        assert take_if_free(session, BOT, T0 + 2, BOT_INTERVAL, NOTICE_BURST) == 0.0


def test_never_more_than_thirty_messages_in_any_second(engine: Engine):
    """Replies arriving forty at a time, twice a second, for five seconds: the moments reserved for them hold
    Telegram's limit in every window of one second, not only on average."""
    moments = []
    with session_scope(engine) as session:
        for number in range(400):
            now = T0 + (number // 40) * 0.5
            moments.append(now + reserve(session, BOT, now, BOT_INTERVAL, REPLY_BURST))
    moments.sort()
    busiest = max(sum(1 for moment in moments if end - 1 < moment <= end) for end in moments)
    assert busiest <= 30, busiest
    assert moments[-1] - moments[0] < 400 * BOT_INTERVAL  # and no slower than the budget's pace


async def send_all(bot: ExtBot, chats: range, *, notices: bool = False) -> list[float]:
    """One message to each chat at once; when each one was answered (seconds of `time.perf_counter`)."""
    async def one(chat: int) -> float:
        if notices:
            with sending_notices():
                await bot.send_message(chat, f"pemberitahuan {chat}")
        else:
            await bot.send_message(chat, f"balasan {chat}")
        return time.perf_counter()

    return list(await asyncio.gather(*(one(chat) for chat in chats)))


def production_bot(emu: BotApiEmulator, engine: Engine) -> ExtBot:
    return ExtBot(TOKEN, base_url=emu.base_url, rate_limiter=ChatPacer(engine, overall_max_rate=29, max_retries=3),
                  request=HTTPXRequest(connection_pool_size=128))


async def test_two_processes_keep_one_budget(backend_url: str, engine: Engine):
    second_engine = create_db_engine(backend_url)
    try:
        async with BotApiEmulator(token=TOKEN, enforce_rate_limits=True) as emu:
            for chat in range(FIRST_CHAT, FIRST_CHAT + 90):
                emu.user(chat, f"Pegawai {chat}")
            first, second = production_bot(emu, engine), production_bot(emu, second_engine)
            async with first, second:
                started = time.perf_counter()
                await asyncio.gather(send_all(first, range(FIRST_CHAT, FIRST_CHAT + 45)),
                                     send_all(second, range(FIRST_CHAT + 45, FIRST_CHAT + 90)))
                elapsed = time.perf_counter() - started
            refused = [call for call in emu.calls if call.status == 429]
            delivered = {int(call.params["chat_id"]) for call in emu.calls
                         if call.method == "sendMessage" and call.status == 200}
    finally:
        second_engine.dispose()
    assert not refused, f"{len(refused)} sends refused: each process kept a budget of its own"
    assert delivered == set(range(FIRST_CHAT, FIRST_CHAT + 90))
    assert elapsed >= (90 - REPLY_BURST) * BOT_INTERVAL * 0.9  # one budget: 29 a second in all


async def test_a_reply_goes_before_a_fan_out_of_notices(engine: Engine):
    async with BotApiEmulator(token=TOKEN, enforce_rate_limits=True) as emu:
        for chat in range(FIRST_CHAT, FIRST_CHAT + 121):
            emu.user(chat, f"Pegawai {chat}")
        bot = production_bot(emu, engine)
        async with bot:
            fan_out = asyncio.create_task(send_all(bot, range(FIRST_CHAT, FIRST_CHAT + 120), notices=True))
            await asyncio.sleep(1.0)  # the notices fill the budget for about four seconds
            asked = time.perf_counter()
            [answered] = await send_all(bot, range(FIRST_CHAT + 120, FIRST_CHAT + 121))
            notices_done = max(await fan_out)
        refused = [call for call in emu.calls if call.status == 429]
    assert not refused
    assert answered - asked < 0.5, f"the reply waited {answered - asked:.2f} s behind the notices"
    assert notices_done > answered + 1.0  # the fan-out was still going: the reply went ahead of it
