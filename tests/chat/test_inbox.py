"""The inbox in a running bot (`bot/inbox.py`, `bot/polling.py`): an update is confirmed to Telegram only once it
is stored; one stored and not handled when the bot stops is handled by the next bot; members are served side
by side while each member's updates are handled one at a time, in order; a second polling process of the same
database is refused."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest
from sqlmodel import select

import handlers.router
from bot.application import build_application, start_application, stop_application
from bot.config import load_settings
from bot.inbox import Inbox
from bot.polling import PollingRefused, PollingStopped
from i18n import t
from models.messaging.inbox import InboxUpdate
from tests.chat.conftest import TOKEN, TestClock, World
from tests.chat.test_restart import ROOT, BotProcess, bots_on, say, start_bot, until

SEKRETARIS, DEWI, RINA = 103, 120, 130


async def test_an_update_is_confirmed_to_telegram_only_once_it_is_stored(world: World, monkeypatch):
    """While the database refuses the inbox's write, Telegram keeps the update (the poller does not ask past
    it); once the write succeeds the update is handled and confirmed."""
    emu = world.emu
    refusing = True
    store = Inbox.store

    def store_unless_refusing(self, updates):
        if refusing:
            raise RuntimeError("the database is away")
        return store(self, updates)

    monkeypatch.setattr(Inbox, "store", store_unless_refusing)
    since = emu.mark()
    await emu.user(SEKRETARIS).send_command("/bantuan")
    await asyncio.sleep(1.5)  # the poller has asked (and failed to store) at least once
    assert [update["update_id"] for update in emu.state.updates]  # not confirmed: Telegram would deliver it again
    assert emu.sent_by_bot(SEKRETARIS) == []
    refusing = False
    await emu.wait_for_bot_message(SEKRETARIS, "/status", since=since)
    await until(lambda: not emu.state.updates, "the update is confirmed")


async def test_an_update_stored_and_not_handled_is_handled_by_the_next_bot(world: World):
    """The bot took the update from Telegram (and confirmed it), then stopped before handling it: the next bot
    handles it from the database, once."""
    emu = world.emu
    await world.application.bot_data.inbox.stop()  # this bot stores updates but handles none
    await emu.user(SEKRETARIS).send_command("/bantuan")
    await until(lambda: not emu.state.updates, "Telegram was told the update arrived")
    await asyncio.sleep(0.3)
    assert emu.sent_by_bot(SEKRETARIS) == []
    await stop_application(world.application)
    world.application = await start_bot(world.engine)
    await emu.wait_for_bot_message(SEKRETARIS, "/status")
    await asyncio.sleep(0.5)
    assert len(emu.sent_by_bot(SEKRETARIS)) == 1
    with world.session() as session:
        assert all(row.handled_at is not None for row in session.exec(select(InboxUpdate)))


async def test_members_are_served_side_by_side_and_each_member_in_order(world: World, monkeypatch):
    """Rina's first message is held in her handler: Dewi is answered meanwhile; Rina's second message waits
    until her first is handled, and they are handled in the order she sent them."""
    emu = world.emu
    held, handled = asyncio.Event(), []
    act = handlers.router.act

    async def act_holding_rina(update, context, work, text, *args, **kwargs):
        if update.effective_user.id == RINA:
            handled.append(f"{text} started")
            if text == "pertama":
                await held.wait()
            handled.append(f"{text} done")
        return await act(update, context, work, text, *args, **kwargs)

    monkeypatch.setattr(handlers.router, "act", act_holding_rina)
    try:
        await emu.user(RINA).send_text("pertama")
        await until(lambda: handled == ["pertama started"], "Rina's first message is in hand")
        await emu.user(RINA).send_text("kedua")
        since = emu.mark()
        await emu.user(DEWI).send_command("/bantuan")
        await emu.wait_for_bot_message(DEWI, "/status", since=since)  # Dewi does not wait behind Rina
        assert handled == ["pertama started"]  # Rina's second message waits behind her first
    finally:
        held.set()
    await until(lambda: len(handled) == 4, "both of Rina's messages are handled")
    assert handled == ["pertama started", "pertama done", "kedua started", "kedua done"]


async def test_a_second_polling_process_of_the_database_is_refused(world: World):
    application = build_application(load_settings(), world.engine, rate_limiter=False, clock=TestClock())
    with pytest.raises(PollingRefused) as refused:
        await start_application(application, timeout=1)
    assert refused.value.reason is PollingStopped.TAKEN
    assert not application.running


async def test_a_second_polling_process_stops_at_once_with_one_line(backend_url, office_engine, tmp_path):
    """`sakip-bot run` twice on one database: the second says in one line that one process polls and several
    use a webhook, and exits 2; the first goes on answering."""
    async with bots_on(backend_url, tmp_path) as (emu, bots):
        await bots.start()
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": emu.base_url,
               "DATABASE_URL": backend_url, "PYTHONPATH": str(ROOT), **BotProcess.QUIET}
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await asyncio.wait_for(second.communicate(), timeout=30)
        assert second.returncode == 2
        assert stderr.decode().strip().splitlines() == [t("cli.polling_taken", "id")]
        await say(emu, SEKRETARIS, "/bantuan", "/status")
