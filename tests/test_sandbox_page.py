"""The browser sandbox served by the emulator: the page, its API and its live event stream.

Given an emulator with the sandbox enabled for a few demo people, a page (here: aiohttp's
client standing in for the browser) acts as those people, and the bot side is plain Bot
API HTTP calls with the token, the way the real bot talks to Telegram.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from emulator import BotApiEmulator, SandboxPerson
from tests.test_emulator import TOKEN, tiny_png

SARI, BUDI, OUTSIDER = 1001, 1002, 3003
PEOPLE = [
    (SARI, "Sari Wulandari", "Staf · Bidang Perencanaan"),
    SandboxPerson(BUDI, "Budi Santoso", "Sekretaris · Sekretariat"),
]
PAGE_HEADERS = {"X-Sandbox": "1"}


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        emulator.enable_browser(PEOPLE)
        yield emulator


@pytest.fixture
async def page() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client standing in for the sandbox page (it sends the page's header)."""
    async with aiohttp.ClientSession(headers=PAGE_HEADERS) as session:
        yield session


# -- helpers -------------------------------------------------------------------------------
async def bot_call(session: aiohttp.ClientSession, emu: BotApiEmulator, method: str, **params: Any) -> Any:
    """Call the Bot API over HTTP like the bot does; returns the result."""
    async with session.post(f"{emu.base_url}{TOKEN}/{method}", json=params) as response:
        body = await response.json()
    assert body["ok"], body
    return body["result"]


async def bot_upload(
    session: aiohttp.ClientSession, emu: BotApiEmulator, method: str, field: str, data: bytes, name: str, **params: Any
) -> dict[str, Any]:
    """sendPhoto / sendDocument as multipart, the way PTB uploads files."""
    form = aiohttp.FormData(quote_fields=False)  # raw UTF-8 file names, like httpx (PTB) sends
    for key, value in params.items():
        form.add_field(key, str(value))
    form.add_field(field, data, filename=name)
    async with session.post(f"{emu.base_url}{TOKEN}/{method}", data=form) as response:
        body = await response.json()
    assert body["ok"], body
    return body["result"]


async def page_post(page: aiohttp.ClientSession, emu: BotApiEmulator, path: str, **kwargs: Any) -> tuple[int, Any]:
    async with page.post(f"{emu.url}/sandbox/api/{path}", **kwargs) as response:
        return response.status, await response.json()


async def upload(page: aiohttp.ClientSession, emu: BotApiEmulator, person: int, data: bytes, name: str, **fields: str):
    form = aiohttp.FormData(quote_fields=False)  # raw UTF-8 file names, like browsers send
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    for key, value in fields.items():
        form.add_field(key, value)
    return await page_post(page, emu, f"chats/{person}/files", data=form)


class EventStream:
    """Reads the page's Server-Sent Events one JSON payload at a time."""

    def __init__(self, response: aiohttp.ClientResponse):
        self.response = response

    async def next(self, timeout: float = 3.0) -> dict[str, Any]:
        data: list[str] = []
        async with asyncio.timeout(timeout):
            while True:
                line = (await self.response.content.readline()).decode()
                if not line:
                    raise EOFError("event stream ended")
                line = line.rstrip("\n")
                if line.startswith("data: "):
                    data.append(line[len("data: ") :])
                elif not line and data:
                    return json.loads("\n".join(data))

    async def next_of(self, kind: str, timeout: float = 3.0) -> dict[str, Any]:
        """The next event of ``kind`` (others, e.g. the user's own message, are skipped)."""
        while True:
            event = await self.next(timeout)
            if event["type"] == kind:
                return event


@asynccontextmanager
async def events(page: aiohttp.ClientSession, emu: BotApiEmulator) -> AsyncIterator[EventStream]:
    async with page.get(f"{emu.url}/sandbox/api/events") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        stream = EventStream(response)
        assert await stream.next() == {"type": "ready"}  # subscribed: later events reach us
        yield stream


async def updates(session: aiohttp.ClientSession, emu: BotApiEmulator) -> list[dict[str, Any]]:
    """What the bot's next getUpdates returns (and confirms)."""
    result = await bot_call(session, emu, "getUpdates", timeout=0)
    if result:
        await bot_call(session, emu, "getUpdates", offset=result[-1]["update_id"] + 1, timeout=0)
    return result


# -- the page --------------------------------------------------------------------------------
async def test_page_and_static_files_are_served_with_their_types(emu: BotApiEmulator, page) -> None:
    async with page.get(f"{emu.url}/", allow_redirects=False) as root:
        assert root.status == 302 and root.headers["Location"] == "/sandbox/"
    assert emu.browser_url == f"{emu.url}/sandbox/"
    async with page.get(emu.browser_url) as response:
        html = await response.text()
        assert response.content_type == "text/html" and response.charset == "utf-8"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'src="static/sandbox.js"' in html and 'href="static/sandbox.css"' in html
    assert "cdn" not in html.lower() and "https://" not in html  # works offline
    for name, kind, needle in (
        ("sandbox.css", "text/css", ".bubble"),
        ("sandbox.js", "text/javascript", "Ketik pesan…"),
    ):
        async with page.get(f"{emu.url}/sandbox/static/{name}") as response:
            assert response.status == 200 and response.content_type == kind
            assert needle in await response.text()
    async with page.get(f"{emu.url}/sandbox/static/../server.py") as response:
        assert response.status == 404


async def test_sandbox_answers_404_until_enabled_and_only_to_loopback_hosts(page) -> None:
    async with BotApiEmulator() as emu:
        for path in ("/", "/sandbox/", "/sandbox/api/people", "/sandbox/static/sandbox.js"):
            async with page.get(f"{emu.url}{path}", allow_redirects=False) as response:
                assert response.status == 404, path
        emu.enable_browser([(SARI, "Sari")])  # after start is fine too
        async with page.get(f"{emu.url}/sandbox/api/people") as response:
            assert [p["id"] for p in (await response.json())["people"]] == [SARI]
        async with page.get(f"{emu.url}/sandbox/api/people", headers={"Host": "evil.example"}) as response:
            assert response.status == 403  # a DNS-rebinding page cannot read the chats


async def test_people_list_names_the_bot_and_each_person(emu: BotApiEmulator, page) -> None:
    async with page.get(f"{emu.url}/sandbox/api/people") as response:
        body = await response.json()
    assert body["bot"]["id"] == emu.state.bot.id and body["bot"]["is_bot"] is True
    assert body["people"] == [
        {"id": SARI, "name": "Sari Wulandari", "subtitle": "Staf · Bidang Perencanaan"},
        {"id": BUDI, "name": "Budi Santoso", "subtitle": "Sekretaris · Sekretariat"},
    ]
    assert emu.state.users[BUDI].first_name == "Budi Santoso"  # missing users were created
    async with page.get(f"{emu.url}/sandbox/api/chats/{OUTSIDER}") as response:
        assert response.status == 404 and (await response.json())["error"] == "unknown_person"


# -- acting as a person ------------------------------------------------------------------------
async def test_text_typed_on_the_page_reaches_the_bot_as_a_telegram_update(emu: BotApiEmulator, page) -> None:
    status, sent = await page_post(page, emu, f"chats/{SARI}/messages", json={"text": "/isi 2026-01"})
    assert status == 200
    await page_post(page, emu, f"chats/{SARI}/messages", json={"text": "1.234,5 😀"})
    got = await updates(page, emu)
    command, value = got[0]["message"], got[1]["message"]
    assert command == sent["message"]
    assert command["text"] == "/isi 2026-01"
    assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 4}]
    assert command["from"] == {"id": SARI, "is_bot": False, "first_name": "Sari Wulandari", "language_code": "id"}
    assert command["chat"] == {"id": SARI, "type": "private", "first_name": "Sari Wulandari"}
    assert isinstance(command["date"], int) and command["message_id"] == 1
    assert value["text"] == "1.234,5 😀" and "entities" not in value and value["message_id"] == 2

    # Refused: empty text, a person not in the sandbox, and a POST without the page's header.
    assert (await page_post(page, emu, f"chats/{SARI}/messages", json={"text": "  "}))[1]["error"] == "empty_text"
    assert (await page_post(page, emu, f"chats/{OUTSIDER}/messages", json={"text": "hai"}))[0] == 404
    async with aiohttp.ClientSession() as foreign:
        status, body = await page_post(foreign, emu, f"chats/{SARI}/messages", json={"text": "palsu"})
    assert (status, body["error"]) == (403, "missing_header")
    assert await updates(page, emu) == []


async def test_pressing_a_button_queues_a_callback_query_and_streams_the_answer(emu: BotApiEmulator, page) -> None:
    keyboard = {
        "inline_keyboard": [[{"text": "Setujui", "callback_data": "ok:7"}, {"text": "Buka", "url": "https://x.id"}]]
    }
    sent = await bot_call(page, emu, "sendMessage", chat_id=BUDI, text="Formulir Bidang", reply_markup=keyboard)
    async with events(page, emu) as stream:
        status, body = await page_post(
            page, emu, f"chats/{BUDI}/press", json={"message_id": sent["message_id"], "callback_data": "ok:7"}
        )
        assert status == 200
        query = (await updates(page, emu))[0]["callback_query"]
        assert query["id"] == body["query_id"] and query["data"] == "ok:7"
        assert query["from"]["id"] == BUDI and query["message"]["message_id"] == sent["message_id"]
        assert query["message"]["reply_markup"] == keyboard

        await bot_call(
            page, emu, "answerCallbackQuery", callback_query_id=query["id"], text="Disetujui", show_alert=True
        )
        answer = await stream.next_of("callback_answer")
    assert answer == {
        "type": "callback_answer",
        "chat_id": BUDI,
        "message_id": sent["message_id"],
        "query_id": query["id"],
        "text": "Disetujui",
        "show_alert": True,
        "url": None,
    }
    # Once the bot edits the keyboard away, the button is gone; a deleted message is gone too.
    await bot_call(page, emu, "editMessageText", chat_id=BUDI, message_id=sent["message_id"], text="Disetujui")
    stale = {"message_id": sent["message_id"], "callback_data": "ok:7"}
    assert await page_post(page, emu, f"chats/{BUDI}/press", json=stale) == (409, {"ok": False, "error": "button_gone"})
    await bot_call(page, emu, "deleteMessage", chat_id=BUDI, message_id=sent["message_id"])
    assert (await page_post(page, emu, f"chats/{BUDI}/press", json=stale))[1]["error"] == "message_gone"
    assert await updates(page, emu) == []


async def test_uploads_become_photos_and_documents(emu: BotApiEmulator, page) -> None:
    png = tiny_png(64, 48)
    status, body = await upload(page, emu, SARI, png, "bukti.png", caption="Bukti kegiatan")
    assert status == 200
    photo = body["message"]
    assert photo["caption"] == "Bukti kegiatan" and "document" not in photo
    assert (photo["photo"][-1]["width"], photo["photo"][-1]["height"]) == (64, 48)
    assert emu.file_bytes(photo["photo"][-1]["file_id"]) == png

    pdf = b"%PDF-1.4 laporan"
    _, body = await upload(page, emu, SARI, pdf, "Laporan TW1.pdf")
    document = body["message"]["document"]
    assert (document["file_name"], document["mime_type"], document["file_size"]) == (
        "Laporan TW1.pdf",
        "application/pdf",
        len(pdf),
    )
    assert emu.file_bytes(document["file_id"]) == pdf
    _, body = await upload(page, emu, SARI, png, "grafik.png", **{"as": "document"})
    assert body["message"]["document"]["mime_type"] == "image/png" and "photo" not in body["message"]

    got = [u["message"] for u in await updates(page, emu)]
    assert [("photo" in m, "document" in m) for m in got] == [(True, False), (False, True), (False, True)]
    assert got[0]["photo"] == photo["photo"] and got[1]["document"] == document
    assert (await upload(page, emu, SARI, b"", "kosong.txt"))[1]["error"] == "empty_file"


async def test_event_stream_delivers_bot_messages_edits_deletions_and_actions(emu: BotApiEmulator, page) -> None:
    emu.user(OUTSIDER, "Bukan Demo")
    keyboard = {"keyboard": [["Ya", "Tidak"]], "one_time_keyboard": True}
    async with events(page, emu) as stream:
        await bot_call(page, emu, "sendMessage", chat_id=OUTSIDER, text="tidak untuk sandbox")
        await bot_call(page, emu, "sendChatAction", chat_id=SARI, action="typing")
        assert await stream.next() == {"type": "chat_action", "chat_id": SARI, "action": "typing"}

        sent = await bot_call(
            page,
            emu,
            "sendMessage",
            chat_id=SARI,
            text="<b>Realisasi</b> 😀 <i>Januari</i>",
            parse_mode="HTML",
            reply_markup=keyboard,
        )
        event = await stream.next()
        assert event["type"] == "message" and event["chat_id"] == SARI and event["message"] == sent
        assert event["message"]["entities"] == [
            {"type": "bold", "offset": 0, "length": 9},
            {"type": "italic", "offset": 13, "length": 7},  # the emoji counts as 2 UTF-16 units
        ]
        assert event["reply_keyboard"] == keyboard

        buttons = {"inline_keyboard": [[{"text": "Kirim", "callback_data": "send"}]]}
        asked = await bot_call(page, emu, "sendMessage", chat_id=SARI, text="Kirim?", reply_markup=buttons)
        assert (await stream.next())["message"]["reply_markup"] == buttons
        await bot_call(page, emu, "editMessageText", chat_id=SARI, message_id=asked["message_id"], text="Terkirim")
        edited = await stream.next()
        assert edited["type"] == "edited" and edited["message"]["text"] == "Terkirim"
        assert "reply_markup" not in edited["message"] and "edit_date" in edited["message"]

        await page_post(page, emu, f"chats/{SARI}/messages", json={"text": "Ya"})
        own = await stream.next()
        assert own["type"] == "message" and own["message"]["from"]["id"] == SARI and own["message"]["text"] == "Ya"
        await bot_call(page, emu, "deleteMessage", chat_id=SARI, message_id=asked["message_id"])
        assert await stream.next() == {"type": "deleted", "chat_id": SARI, "message_id": asked["message_id"]}

        removed = await bot_call(
            page, emu, "sendMessage", chat_id=SARI, text="ok", reply_markup={"remove_keyboard": True}
        )
        event = await stream.next()
        assert event["message"] == removed and event["reply_keyboard"] is None

        commands = [{"command": "isi", "description": "Isi realisasi"}]
        await bot_call(page, emu, "setMyCommands", commands=commands)
        menus = [await stream.next(), await stream.next()]
    assert menus == [
        {"type": "commands", "chat_id": SARI, "commands": commands},
        {"type": "commands", "chat_id": BUDI, "commands": commands},
    ]


async def test_chat_view_has_history_reply_keyboard_and_commands_per_scope(emu: BotApiEmulator, page) -> None:
    await page_post(page, emu, f"chats/{SARI}/messages", json={"text": "/start"})
    keyboard = {"keyboard": [[{"text": "Status"}]], "resize_keyboard": True}
    await bot_call(page, emu, "sendMessage", chat_id=SARI, text="Halo", reply_markup=keyboard)
    general = [{"command": "start", "description": "Mulai"}]
    own = [{"command": "isi", "description": "Isi realisasi"}, {"command": "status", "description": "Status"}]
    await bot_call(page, emu, "setMyCommands", commands=general)
    await bot_call(page, emu, "setMyCommands", commands=own, scope={"type": "chat", "chat_id": SARI})

    async with page.get(f"{emu.url}/sandbox/api/chats/{SARI}") as response:
        view = await response.json()
    assert view["person"]["subtitle"] == "Staf · Bidang Perencanaan"
    assert [(m["from"]["is_bot"], m.get("text")) for m in view["messages"]] == [(False, "/start"), (True, "Halo")]
    assert view["reply_keyboard"] == keyboard
    assert view["commands"] == own
    async with page.get(f"{emu.url}/sandbox/api/chats/{BUDI}") as response:
        other = await response.json()
    assert other == {"person": other["person"], "messages": [], "reply_keyboard": None, "commands": general}


async def test_files_the_bot_sent_download_with_their_bytes_name_and_type(emu: BotApiEmulator, page) -> None:
    csv = b"indikator,capaian\nIKU 1,95\n"
    sent = await bot_upload(page, emu, "sendDocument", "document", csv, "Rekap TW1 – Bidang.csv", chat_id=SARI)
    async with page.get(f"{emu.url}/sandbox/api/files/{sent['document']['file_id']}?download=1") as response:
        assert await response.read() == csv
        assert response.content_type == "text/csv"
        disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Rekap%20TW1%20%E2%80%93%20Bidang.csv" in disposition

    png = tiny_png(30, 40)
    chart = await bot_upload(page, emu, "sendPhoto", "photo", png, "grafik.png", chat_id=SARI)
    async with page.get(f"{emu.url}/sandbox/api/files/{chart['photo'][-1]['file_id']}") as response:
        assert await response.read() == png
        assert response.content_type == "image/png"  # sniffed: a stored photo says image/jpeg
        assert response.headers["Content-Disposition"].startswith("inline;")

    # A file a person uploads is never shown inline unless it really is an image.
    _, body = await upload(page, emu, SARI, b"<script>alert(1)</script>", "bukti.html")
    async with page.get(f"{emu.url}/sandbox/api/files/{body['message']['document']['file_id']}") as response:
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["Content-Security-Policy"].startswith("sandbox")
    async with page.get(f"{emu.url}/sandbox/api/files/no-such-file") as response:
        assert response.status == 404


async def test_stopping_the_emulator_ends_open_event_streams(page) -> None:
    emu = await BotApiEmulator().start()
    emu.enable_browser(PEOPLE)
    async with events(page, emu) as stream:
        started = time.monotonic()
        await emu.stop()
        assert time.monotonic() - started < 0.8  # not the runner's 1 s shutdown timeout
        with pytest.raises((EOFError, aiohttp.ClientPayloadError)):
            await stream.next(timeout=1.0)


async def test_web_pages_cannot_reach_the_bot_api_or_its_files_behind_the_page(emu: BotApiEmulator) -> None:
    """A cross-site form post or a stored HTML file opened in the page's origin must not act as the bot: with
    the page on, requests that carry a browser's headers are refused; the bot's own (no such headers) pass."""
    async with aiohttp.ClientSession() as bot:
        sent = await bot_upload(bot, emu, "sendDocument", "document", b"<script>alert(1)</script>", "x.html",
                                chat_id=PEOPLE[0][0])
        file_path = (await bot_call(bot, emu, "getFile", file_id=sent["document"]["file_id"]))["file_path"]
        for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "same-origin"}):
            async with bot.post(f"{emu.base_url}{TOKEN}/sendMessage", headers=headers,
                                json={"chat_id": PEOPLE[0][0], "text": "hi"}) as response:
                assert response.status == 403
            async with bot.get(f"{emu.base_file_url}{TOKEN}/{file_path}", headers=headers) as response:
                assert response.status == 403
        async with bot.get(f"{emu.base_file_url}{TOKEN}/{file_path}") as response:
            assert response.status == 200
