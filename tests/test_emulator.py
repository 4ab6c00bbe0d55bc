"""Tests for the Bot API emulator, driven by the real python-telegram-bot Application.

Every test talks real HTTP to an emulator started inside the test's event loop; the bot
side is PTB 22 (`Application` with long polling or a webhook, or a bare `Bot`).  Waits use
the emulator's helpers (no blind sleeps) and everything is shut down cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import io
import socket
import struct
import time
import zlib
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from emulator import BotApiEmulator, RateLimits

TOKEN = "123456:" + "A" * 35
ALICE = 1001


def tiny_png(width: int, height: int) -> bytes:
    """A valid, minimal RGB PNG of the given size (stdlib only)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80\x10\x10" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- bot under test ------------------------------------------------------------------------
async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Isi capaian", callback_data="fill:1"),
                InlineKeyboardButton("Nanti", callback_data="later"),
            ]
        ]
    )
    payload = " ".join(context.args) or "-"
    await update.message.reply_text(f"<b>Selamat datang</b> ({payload})", parse_mode="HTML", reply_markup=keyboard)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer(f"ok {query.data}")
    await query.edit_message_text(f"Dipilih: {query.data}")


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(f"echo: {update.message.text}")


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    tg_file = await update.message.photo[-1].get_file()
    buffer = io.BytesIO()
    await tg_file.download_to_memory(buffer)
    context.bot_data["photo_bytes"] = buffer.getvalue()
    await update.message.reply_text(f"foto diterima: {len(buffer.getvalue())} bytes")


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    document = update.message.document
    data = await (await document.get_file()).download_as_bytearray()
    await update.message.reply_text(f"dokumen {document.file_name} ({document.mime_type}): {len(data)} bytes")


async def on_report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    await chat.send_document(document=b"indikator,capaian\nIKU 1,95\n", filename="laporan.csv", caption="Laporan")
    await chat.send_media_group(
        [InputMediaPhoto(tiny_png(40, 30), caption="Grafik 1"), InputMediaPhoto(tiny_png(30, 40))]
    )


def build_app(emu: BotApiEmulator) -> Application:
    app = ApplicationBuilder().token(TOKEN).base_url(emu.base_url).base_file_url(emu.base_file_url).build()
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CommandHandler("report", on_report))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    return app


@contextlib.asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@contextlib.asynccontextmanager
async def webhook(app: Application, secret: str = "rahasia-123") -> AsyncIterator[Application]:
    port = free_port()
    await app.initialize()
    await app.start()
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="tg-hook",
        webhook_url=f"http://127.0.0.1:{port}/tg-hook",
        secret_token=secret,
    )
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def until(condition, timeout: float = 3.0) -> None:
    """Poll a cheap in-process condition (used only where no event exists)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.005)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as tg_bot:
        yield tg_bot


# -- end-to-end flows ---------------------------------------------------------------------
async def test_polling_start_keyboard_and_callback(emu: BotApiEmulator) -> None:
    alice = emu.user(ALICE, "Alice", language_code="id")
    async with polling(build_app(emu)):
        sent = await alice.send_command("/start", "tw1")
        assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
        welcome = await emu.wait_for_bot_message(ALICE)
        assert welcome["text"] == "Selamat datang (tw1)"
        assert welcome["entities"] == [{"type": "bold", "offset": 0, "length": 14}]
        assert welcome["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "fill:1"

        query_id = await alice.press_button("Isi capaian")
        edit = await emu.wait_for_call("editMessageText")
        assert edit.ok and edit.params["text"] == "Dipilih: fill:1"
        assert emu.callback_answer(query_id)["text"] == "ok fill:1"

        # editMessageText without reply_markup drops the keyboard, like Telegram.
        current = emu.sent_by_bot(ALICE)[-1]
        assert current["text"] == "Dipilih: fill:1" and "reply_markup" not in current and "edit_date" in current
        with pytest.raises(AssertionError, match="no bot message in chat 1001 has a button"):
            await alice.press_button("Nanti")

        await alice.send_text("halo & selamat")
        assert (await emu.wait_for_bot_message(ALICE, "echo:"))["text"] == "echo: halo & selamat"
    history = emu.chat_messages(ALICE)
    assert [m["from"]["is_bot"] for m in history] == [False, True, False, True]


async def test_group_chat(emu: BotApiEmulator) -> None:
    alice, budi = emu.user(ALICE, "Alice"), emu.user(1002, "Budi")
    team = emu.group(-1001234, "Tim SAKIP", type="supergroup")
    async with polling(build_app(emu)):
        await alice.send_text_in(team, "rapat jam 9")
        await budi.send_command_in(team, "/start")
        echo = await emu.wait_for_bot_message(team.id, "echo")
        welcome = await emu.wait_for_bot_message(team.id, "Selamat datang")
    assert echo["chat"] == {"id": -1001234, "type": "supergroup", "title": "Tim SAKIP"}
    assert welcome["text"].startswith("Selamat datang")
    assert team.chat.member_ids == {ALICE, 1002}


async def test_user_photo_and_document_download(emu: BotApiEmulator) -> None:
    alice = emu.user(ALICE, "Alice")
    png = tiny_png(64, 48)
    app = build_app(emu)
    async with polling(app):
        sent = await alice.send_photo(png, caption="bukti")
        assert sent["photo"][-1]["width"] == 64 and sent["photo"][0]["width"] == 64
        reply = await emu.wait_for_bot_message(ALICE, "foto diterima")
        assert reply["text"] == f"foto diterima: {len(png)} bytes"
        assert app.bot_data["photo_bytes"] == png

        await alice.send_document(b"%PDF-1.4 fake", "target.pdf")
        reply = await emu.wait_for_bot_message(ALICE, "dokumen")
        assert reply["text"] == "dokumen target.pdf (application/pdf): 13 bytes"
    assert [c.params["file_id"] for c in emu.calls_to("getFile")][0] == sent["photo"][-1]["file_id"]


async def test_bot_uploads_document_and_media_group(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(ALICE, "Alice")
    async with polling(build_app(emu)):
        await alice.send_command("report")
        document = await emu.wait_for_bot_message(ALICE, lambda m: "document" in m)
        first = await emu.wait_for_bot_message(ALICE, lambda m: "media_group_id" in m)
        second = await emu.wait_for_bot_message(ALICE, lambda m: "media_group_id" in m)
    assert document["document"]["file_name"] == "laporan.csv"
    assert document["document"]["mime_type"] == "text/csv"
    assert emu.file_bytes(document["document"]["file_id"]) == b"indikator,capaian\nIKU 1,95\n"
    assert first["media_group_id"] == second["media_group_id"] and first["caption"] == "Grafik 1"
    assert emu.file_bytes(second["photo"][-1]["file_id"]) == tiny_png(30, 40)
    assert (second["photo"][-1]["width"], second["photo"][-1]["height"]) == (30, 40)

    # Re-sending by file_id works; using a document id as a photo is a type mismatch.
    again = await bot.send_photo(ALICE, photo=first.get("photo")[-1]["file_id"])
    assert again.photo[-1].file_id == first["photo"][-1]["file_id"]
    with pytest.raises(BadRequest, match="(?i)type of file mismatch"):
        await bot.send_photo(ALICE, photo=document["document"]["file_id"])
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_document(ALICE, document="no-such-file")
    downloaded = await (await bot.get_file(document["document"]["file_id"])).download_as_bytearray()
    assert bytes(downloaded) == b"indikator,capaian\nIKU 1,95\n"


async def test_webhook_delivery_with_secret_and_retry(emu: BotApiEmulator) -> None:
    alice = emu.user(ALICE, "Alice")
    app = build_app(emu)
    async with webhook(app, secret="rahasia-123"):
        info = await app.bot.get_webhook_info()
        assert info.url.endswith("/tg-hook") and info.pending_update_count == 0
        with pytest.raises(Conflict, match="webhook is active"):
            await app.bot.get_updates()

        await alice.send_text("lewat webhook")
        assert (await emu.wait_for_bot_message(ALICE, "echo"))["text"] == "echo: lewat webhook"

        # A wrong secret makes PTB answer 403; the emulator records the error and retries.
        emu.state.webhook.secret_token = "salah"
        await alice.send_text("kedua")
        await until(lambda: emu.state.webhook.last_error_message is not None)
        assert "403" in (await app.bot.get_webhook_info()).last_error_message
        emu.state.webhook.secret_token = "rahasia-123"
        assert (await emu.wait_for_bot_message(ALICE, "echo"))["text"] == "echo: kedua"
    assert emu.webhooks.delivered == 2


class HookReceiver:
    """A bare webhook endpoint that records every post as it arrives and answers as the test decides."""

    def __init__(self, answer) -> None:  # answer: async (chat_id, text) -> HTTP status
        self.answer = answer
        self.posts: list[tuple[int, str, int]] = []  # (chat, text, status) in the order answered
        self.arrived: list[tuple[int, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        message = (await request.json())["message"]
        chat, text = message["chat"]["id"], message["text"]
        self.arrived.append((chat, text))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            status = await self.answer(chat, text)
        finally:
            self.in_flight -= 1
        self.posts.append((chat, text, status))
        return web.Response(status=status)

    def accepted(self, chat: int) -> list[str]:
        return [text for posted_chat, text, status in self.posts if posted_chat == chat and status == 200]


@contextlib.asynccontextmanager
async def receiving_webhooks(emu: BotApiEmulator, receiver: HookReceiver, max_connections: int):
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    receiver.url = f"http://127.0.0.1:{port}/hook"
    await emu.call_method("setWebhook", {"url": receiver.url, "max_connections": max_connections})
    try:
        yield receiver
    finally:
        await emu.call_method("deleteWebhook", {})
        await runner.cleanup()


async def test_webhook_posts_chats_in_parallel_so_a_slow_chat_holds_only_itself(emu: BotApiEmulator) -> None:
    alice, bob = emu.user(ALICE, "Alice"), emu.user(ALICE + 1, "Bob")
    release_alice = asyncio.Event()

    async def answer(chat: int, text: str) -> int:
        if chat == ALICE:
            await release_alice.wait()
        return 200

    async with receiving_webhooks(emu, HookReceiver(answer), max_connections=40) as hook:
        await alice.send_text("a1")
        await until(lambda: hook.arrived == [(ALICE, "a1")])
        await alice.send_text("a2")
        await bob.send_text("b1")
        await bob.send_text("b2")
        # Bob's updates go through while Alice's first is held; her second waits behind it.
        await until(lambda: hook.accepted(bob.id) == ["b1", "b2"])
        assert (ALICE, "a2") not in hook.arrived
        release_alice.set()
        await until(lambda: hook.accepted(ALICE) == ["a1", "a2"])
    assert emu.webhooks.delivered == 4 and not emu.state.updates


async def test_webhook_keeps_each_chat_in_order_through_failures_within_max_connections(
    emu: BotApiEmulator,
) -> None:
    users = [emu.user(ALICE + n, f"User {n}") for n in range(4)]
    outcomes = iter([500, 200, 200, 502, 500, 200] * 100)  # a fixed pattern: every post may be refused

    async def answer(chat: int, text: str) -> int:
        await asyncio.sleep(0.01)  # long enough for posts of other chats to overlap
        return next(outcomes)

    async with receiving_webhooks(emu, HookReceiver(answer), max_connections=2) as hook:
        for n in range(6):
            for user in users:
                await user.send_text(f"{user.id}-{n}")
        await until(lambda: not emu.state.updates, timeout=15)

    for user in users:
        sent = [f"{user.id}-{n}" for n in range(6)]
        assert hook.accepted(user.id) == sent  # each once, in order
        posted = [text for chat, text in hook.arrived if chat == user.id]
        assert posted == sorted(posted, key=sent.index)  # a refused update is retried before the chat's next
    assert any(status != 200 for _, _, status in hook.posts)
    assert hook.most_in_flight == 2  # in parallel across chats, never beyond max_connections
    assert "Wrong response from the webhook: 50" in (emu.state.webhook.last_error_message or "")


async def test_long_polling_wakes_up_and_conflicts(emu: BotApiEmulator) -> None:
    alice = emu.user(ALICE, "Alice")
    url = f"{emu.base_url}{TOKEN}/getUpdates"
    async with aiohttp.ClientSession() as session:
        first = asyncio.create_task(session.post(url, json={"timeout": 30}))
        await until(lambda: emu.state.poll_generation == 1)
        second = asyncio.create_task(session.post(url, json={"timeout": 30}))
        response = await first
        assert response.status == 409 and "terminated by other getUpdates" in (await response.json())["description"]

        started = time.monotonic()
        await alice.send_text("ping")
        body = await (await second).json()
        assert time.monotonic() - started < 1.0
        assert [u["message"]["text"] for u in body["result"]] == ["ping"]
        offset = body["result"][0]["update_id"] + 1
        confirmed = await (await session.post(url, data={"offset": str(offset), "timeout": "0"})).json()
        assert confirmed == {"ok": True, "result": []}


async def test_raw_protocol_details(emu: BotApiEmulator) -> None:
    emu.user(ALICE, "Alice")
    async with aiohttp.ClientSession() as session:
        malformed = await session.get(f"{emu.base_url}not-a-token/getMe")
        assert malformed.status == 404
        assert await malformed.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        missing = await session.post(f"{emu.base_url}{TOKEN}/sendTelepathy")
        assert await missing.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        # JSON bodies with real objects, lower-case method names and query strings all work.
        keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        sent = await session.post(
            f"{emu.base_url}{TOKEN}/sendmessage", json={"chat_id": ALICE, "text": "hi", "reply_markup": keyboard}
        )
        assert (await sent.json())["result"]["reply_markup"] == keyboard
        me = await (await session.get(f"{emu.base_url}{TOKEN}/getMe?x=1")).json()
        assert me["result"]["username"] == "sakip_test_bot" and me["result"]["is_bot"] is True
        nofile = await session.get(f"{emu.base_file_url}{TOKEN}/photos/nothing.jpg")
        assert nofile.status == 404
    assert [(c.method, c.status) for c in emu.calls] == [("sendTelepathy", 404), ("sendMessage", 200), ("getMe", 200)]
    method, params, timestamp = emu.calls[1]
    assert method == "sendMessage" and params["reply_markup"] == keyboard and timestamp > 0


async def test_ptb_token_and_unknown_method_errors() -> None:
    async with BotApiEmulator(token=TOKEN, bot_username="sakip_test_bot") as emu:
        other = "654321:" + "B" * 35
        async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as bot:
            assert (await bot.get_me()).id == 123456  # bot id defaults to the token prefix
            with pytest.raises(EndPointNotFound):
                await bot.do_api_request("sendTelepathy")
        with pytest.raises(InvalidToken):
            await Bot(other, base_url=emu.base_url).initialize()
        async with aiohttp.ClientSession() as session:  # as Telegram: a token it does not know is 401
            unknown = await session.get(f"{emu.base_url}{other}/getMe")
            assert unknown.status == 401
            assert await unknown.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_queue_semantics_media_groups_and_listeners(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(ALICE, "Alice")
    events: list[str] = []
    emu.add_listener(lambda event, data: events.append(event))
    await alice.send_text("satu")
    await alice.send_text("dua")
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["dua"]
    await alice.send_text("tiga")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
    await alice.send_text("empat")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("B", callback_data="b")]])
    sent = await bot.send_message(ALICE, "x", reply_markup=keyboard)
    query = await alice.press(sent.message_id, "b")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.id for u in updates] == [query]  # the message update was filtered out

    first_message = emu.chat_messages(ALICE)[0]  # user messages are valid reply targets too
    with pytest.raises(BadRequest, match="(?i)wrong number of media"):
        await bot.send_media_group(ALICE, [InputMediaPhoto(tiny_png(2, 2))])
    body = await emu.call_method("sendMessage", {"chat_id": ALICE, "text": "internal", "reply_to_message_id": 1})
    assert body["ok"] and body["result"]["reply_to_message"]["text"] == first_message["text"]
    assert {"update", "bot_message", "call"} <= set(events)


# -- validation -----------------------------------------------------------------------------
async def test_callback_data_limit_is_64_bytes(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(ALICE, "Alice")
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 32)]])  # 64 bytes
    await bot.send_message(ALICE, "ok", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 32 + "a")]])
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(ALICE, "bad", reply_markup=too_long)
    with pytest.raises(BadRequest, match="(?i)Text buttons are unallowed"):
        await bot.send_message(ALICE, "bad", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x")]]))


async def test_text_length_counts_utf16_after_parsing(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(ALICE, "Alice")
    await bot.send_message(ALICE, "a" * 4096)
    await bot.send_message(ALICE, "😀" * 2048)  # 4096 UTF-16 code units
    await bot.send_message(ALICE, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")  # tags do not count
    for text in ("a" * 4097, "😀" * 2048 + "a"):
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(ALICE, text)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(ALICE, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)message caption is too long"):
        await bot.send_photo(ALICE, tiny_png(2, 2), caption="c" * 1025)


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("nilai < 5", "HTML", 'Unsupported start tag "" at byte offset 6'),
        ("<b>tebal", "HTML", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<marquee>x</marquee>", "HTML", 'Unsupported start tag "marquee"'),
        ("<b>x</i>", "HTML", "Unmatched end tag"),
        ("R&D", "HTML", "Unescaped '&'"),
        ("capaian 95.5%", "MarkdownV2", "Character '.' is reserved"),
        ("*tebal", "MarkdownV2", "Can't find end of Bold entity"),
    ],
)
async def test_bad_markup_rejected(emu: BotApiEmulator, bot: Bot, text: str, parse_mode: str, error: str) -> None:
    emu.user(ALICE, "Alice")
    with pytest.raises(BadRequest, match="(?i)can't parse entities") as caught:
        await bot.send_message(ALICE, text, parse_mode=parse_mode)
    # PTB strips "Bad Request: " and applies str.capitalize(), lower-casing the rest.
    assert error.lower() in str(caught.value).lower()


async def test_good_markup_becomes_entities(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(ALICE, "Alice")
    html = await bot.send_message(
        ALICE, '<i>A &amp; B</i> <a href="https://x.id">tautan</a> <tg-spoiler>s</tg-spoiler>', parse_mode="HTML"
    )
    assert html.text == "A & B tautan s"
    assert [(e.type, e.offset, e.length) for e in html.entities] == [
        ("italic", 0, 5),
        ("text_link", 6, 6),
        ("spoiler", 13, 1),
    ]
    md = await bot.send_message(ALICE, r"*Capaian* 95\.5% ✅ _naik_", parse_mode="MarkdownV2")
    assert md.text == "Capaian 95.5% ✅ naik"
    assert [(e.type, e.offset, e.length) for e in md.entities] == [("bold", 0, 7), ("italic", 16, 4)]


async def test_edit_delete_and_callback_errors(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(ALICE, "Alice")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    message = await bot.send_message(ALICE, "teks", reply_markup=keyboard)
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("teks", ALICE, message.message_id, reply_markup=keyboard)
    await bot.edit_message_reply_markup(ALICE, message.message_id, reply_markup=None)
    assert "reply_markup" not in emu.sent_by_bot(ALICE)[-1]
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", ALICE, 999)
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(424242, "siapa?")

    query_id = await alice.press(message.to_dict(), "a", force=True)
    assert await bot.answer_callback_query(query_id) is True
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query("123")

    assert await bot.delete_message(ALICE, message.message_id) is True
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(ALICE, message.message_id)
    assert emu.sent_by_bot(ALICE) == []
    assert len(emu.chat_messages(ALICE, include_deleted=True)) == 1


async def test_blocked_user_gets_forbidden(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.user(ALICE, "Alice")
    alice.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ALICE, "pengingat")
    updates = await bot.get_updates()
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"
    await alice.send_text("/start")  # restarting the bot unblocks it
    await bot.send_message(ALICE, "selamat datang kembali")

    stranger = emu.user(2002, "Tono", started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(stranger.chat_id, "halo")


async def test_bot_commands_scopes(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(ALICE, "Alice")
    await bot.set_my_commands([BotCommand("start", "Mulai"), BotCommand("help", "Bantuan")])
    await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
    await bot.set_my_commands([BotCommand("admin", "Panel admin")], scope=BotCommandScopeChat(ALICE))
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(ALICE))] == ["admin"]
    assert [c.description for c in await bot.get_my_commands(language_code="en")] == ["Start"]
    assert [c["command"] for c in emu.commands_for(ALICE)] == ["admin"]
    await bot.delete_my_commands(scope=BotCommandScopeChat(ALICE))
    assert [c["description"] for c in emu.commands_for(ALICE, language_code="en")] == ["Start"]
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.set_my_commands([BotCommand("x", "y")], scope=BotCommandScopeChat(-5))
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Name", "y")])


# -- faults and limits ------------------------------------------------------------------------
async def test_fault_429_surfaces_as_retry_after(
    emu: BotApiEmulator, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22: opt in to timedelta, avoids deprecation warnings
    emu.user(ALICE, "Alice")
    fault = emu.faults.add(method="sendMessage", kind="429", retry_after=3, times=2)
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(ALICE, "banjir")
        assert caught.value.retry_after == dtm.timedelta(seconds=3)
    await bot.send_message(ALICE, "lolos")
    assert fault.hits == 2 and fault.exhausted
    assert [c.ok for c in emu.calls_to("sendMessage")] == [False, False, True]


async def test_fault_500_timeout_disconnect(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(ALICE, "Alice")
    emu.user(1002, "Budi")
    emu.faults.add(method="sendMessage", kind="500", chat_id=1002)
    await bot.send_message(ALICE, "tidak terdampak")
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(1002, "gagal")
    assert type(caught.value) is NetworkError and "Internal Server Error" in str(caught.value)

    emu.faults.add(method="sendMessage", kind="timeout", hold=5)
    with pytest.raises(TimedOut):
        await bot.send_message(ALICE, "lambat", read_timeout=0.2)

    emu.faults.add(method="sendMessage", kind="disconnect")
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(ALICE, "putus")
    assert not isinstance(caught.value, (TimedOut, BadRequest))

    # process=True: the client times out although Telegram did deliver the message.
    marker = emu.mark()
    emu.faults.add(method="sendMessage", kind="timeout", hold=0.4, process=True)
    with pytest.raises(TimedOut):
        await bot.send_message(ALICE, "terkirim diam-diam", read_timeout=0.1)
    delivered = await emu.wait_for_bot_message(ALICE, since=marker)
    assert delivered["text"] == "terkirim diam-diam"

    emu.faults.add(method="sendMessage", kind="403_blocked", chat_id=ALICE)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(ALICE, "diblokir")


async def test_fault_inside_handler_reaches_error_handler(emu: BotApiEmulator) -> None:
    alice = emu.user(ALICE, "Alice")
    app = build_app(emu)
    errors: list[BaseException] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    app.add_error_handler(on_error)
    emu.faults.add(method="sendMessage", kind="502")
    async with polling(app):
        await alice.send_text("halo")
        failed = await emu.wait_for_call("sendMessage")
        await alice.send_text("lagi")
        await emu.wait_for_bot_message(ALICE, "echo: lagi")
    assert failed.status == 502 and not failed.ok
    assert len(errors) == 1 and type(errors[0]) is NetworkError


async def test_rate_limits_when_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    limits = RateLimits(global_per_second=6, private_burst=3, group_per_minute=2)
    async with BotApiEmulator(enforce_rate_limits=True, rate_limits=limits) as emu:
        for user_id in (1, 2, 3):
            emu.user(user_id)
        group = emu.group(-77, "Grup")
        async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as bot:
            for index in range(3):
                await bot.send_message(1, f"pesan {index}")
            with pytest.raises(RetryAfter):
                await bot.send_message(1, "terlalu cepat")
            await bot.send_message(group.id, "g1")
            await bot.send_message(group.id, "g2")
            with pytest.raises(RetryAfter, match="Retry in"):
                await bot.send_message(group.id, "g3")
            await bot.send_message(2, "global 6")
            with pytest.raises(RetryAfter):
                await bot.send_message(3, "global 7")
            await bot.send_chat_action(1, "typing")  # not a message: never limited


# -- waiting helpers ---------------------------------------------------------------------------
async def test_wait_helpers_report_recent_calls(emu: BotApiEmulator, bot: Bot) -> None:
    emu.user(ALICE, "Alice")
    await bot.send_message(ALICE, "pertama")
    assert (await emu.wait_for_bot_message(ALICE))["text"] == "pertama"
    with pytest.raises(AssertionError, match=r"(?s)No new bot message in chat 1001.*sendMessage"):
        await emu.wait_for_bot_message(ALICE, timeout=0.05)
    with pytest.raises(AssertionError, match="No new deleteMessage call"):
        await emu.wait_for_call("deleteMessage", timeout=0.05)

    waiter = asyncio.create_task(emu.wait_for_bot_message(ALICE, "kedua", timeout=2))
    await bot.send_message(ALICE, "kedua")
    assert (await waiter)["text"] == "kedua"
    emu.mark()
    assert emu.calls_to("sendMessage", since=emu.mark()) == []
