"""The browser sandbox: a chat page, served by the emulator, to talk to the bot as demo people.

``emulator.enable_browser(people)`` turns it on; the page is then at ``emulator.browser_url``
(``http://127.0.0.1:<port>/sandbox/``).  Everything a person does on the page goes through
:class:`~emulator.client.FakeUser`, so the bot gets exactly the updates Telegram would send.

Routes on the emulator's own aiohttp app (404 until the sandbox is enabled)::

    GET  /                                 redirect to /sandbox/
    GET  /sandbox/                         the page (emulator/web/index.html)
    GET  /sandbox/static/{name}            sandbox.css, sandbox.js
    GET  /sandbox/api/people               {"bot", "people": [{"id", "name", "subtitle"}], "start": id | null}
    GET  /sandbox/api/chats/{id}           {"person", "messages", "reply_keyboard", "commands"}
    POST /sandbox/api/chats/{id}/messages  {"text"}                        → FakeUser.send_text
    POST /sandbox/api/chats/{id}/press     {"message_id", "callback_data"} → FakeUser.press
    POST /sandbox/api/chats/{id}/files     multipart "file" (+ "caption")  → send_photo / send_document
    GET  /sandbox/api/files/{file_id}      the bytes (?download=1: as an attachment)
    GET  /sandbox/api/events               Server-Sent Events (see emulator/browser_events.py)

The page and its API answer only to a loopback ``Host`` (no DNS rebinding) and POSTs must
carry ``X-Sandbox: 1`` (a header other sites cannot send without a CORS preflight), since
anything that can post here speaks as the demo people.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

from aiohttp import web

from .browser_events import PageEvents
from .browser_files import file_response, sends_as_photo
from .client import FakeUser
from .entities import utf16_len
from .state import EmulatorState
from .text import MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH

STATIC_FILES = {
    "index.html": "text/html",
    "sandbox.css": "text/css",
    "sandbox.js": "text/javascript",
}
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})


@dataclass(frozen=True)
class SandboxPerson:
    """A demo person listed on the page: their Telegram user id, name and role/unit line."""

    user_id: int
    name: str
    subtitle: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.user_id, "name": self.name, "subtitle": self.subtitle}


def as_person(spec: Any) -> SandboxPerson:
    """Accept a :class:`SandboxPerson` or ``(user_id, name[, subtitle])``."""
    if isinstance(spec, SandboxPerson):
        return spec
    user_id, name, *rest = spec
    return SandboxPerson(int(user_id), str(name), str(rest[0]) if rest else "")


class SandboxError(Exception):
    """A refused page request; ``code`` is looked up in the page's strings."""

    def __init__(self, code: str, status: int = 400):
        super().__init__(code)
        self.code = code
        self.status = status


class SandboxHost(Protocol):
    """What the sandbox needs of the emulator that serves it (:class:`~emulator.server.BotApiEmulator`)."""

    state: EmulatorState
    host: str
    browser: BrowserSandbox | None

    def user(self, user_id: int, first_name: str | None = None) -> FakeUser: ...

    def chat_messages(self, chat_id: int) -> list[dict[str, Any]]: ...

    def commands_for(self, chat_id: int, user_id: int | None = None, language_code: str = "") -> list[dict[str, str]]:
        ...

    def add_listener(self, listener: Callable[[str, dict[str, Any]], None]) -> None: ...


class BrowserSandbox:
    """The people shown on the page and what the page may do as them."""

    def __init__(self, emulator: SandboxHost):
        self.emulator = emulator
        self.people: dict[int, SandboxPerson] = {}
        self.start: int | None = None  # whose chat the page opens on (None: the first person's on a wide screen)
        self.events = PageEvents(emulator.state, lambda: set(self.people), self.commands)
        emulator.add_listener(self.events)

    def set_people(self, people: Iterable[Any], start: int | None = None) -> None:
        """Replace the people list; users (and their chats) are created when missing. ``start``: the person
        whose chat the page opens on."""
        listed = [as_person(spec) for spec in people]
        for person in listed:
            self.emulator.user(person.user_id, person.name)
        self.people = {person.user_id: person for person in listed}
        if start is not None and start not in self.people:
            raise ValueError(f"start person {start} is not listed")
        self.start = start

    def fake_user(self, user_id: int) -> FakeUser:
        if user_id not in self.people:
            raise SandboxError("unknown_person", 404)
        return self.emulator.user(user_id)

    def commands(self, user_id: int) -> list[dict[str, str]]:
        """The command menu this person sees in their chat with the bot."""
        user = self.emulator.state.users.get(user_id)
        language = (user.language_code or "") if user else ""
        return self.emulator.commands_for(user_id, user_id, language[:2])

    def chat_view(self, user_id: int) -> dict[str, Any]:
        """Everything the page shows of one chat, as it is now."""
        self.fake_user(user_id)
        chat = self.emulator.state.chats[user_id]
        return {
            "person": self.people[user_id].to_dict(),
            "messages": self.emulator.chat_messages(user_id),
            "reply_keyboard": chat.reply_keyboard,
            "commands": self.commands(user_id),
        }

    def close(self) -> None:
        self.events.close()


# -- routes ----------------------------------------------------------------------------------
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_browser_routes(app: web.Application, emulator: SandboxHost) -> None:
    """Register the sandbox routes; they answer 404 while ``emulator.browser`` is None."""
    routes = _Routes(emulator)
    app.router.add_get("/", routes.guard(routes.root, api=False))
    app.router.add_get("/sandbox", routes.guard(routes.root, api=False))
    app.router.add_get("/sandbox/", routes.guard(routes.page, api=False))
    app.router.add_get("/sandbox/static/{name}", routes.guard(routes.static, api=False))
    app.router.add_get("/sandbox/api/people", routes.guard(routes.people))
    app.router.add_get("/sandbox/api/chats/{user_id:\\d+}", routes.guard(routes.chat))
    app.router.add_post("/sandbox/api/chats/{user_id:\\d+}/messages", routes.guard(routes.send_text))
    app.router.add_post("/sandbox/api/chats/{user_id:\\d+}/press", routes.guard(routes.press))
    app.router.add_post("/sandbox/api/chats/{user_id:\\d+}/files", routes.guard(routes.upload))
    app.router.add_get("/sandbox/api/files/{file_id}", routes.guard(routes.file))
    app.router.add_get("/sandbox/api/events", routes.guard(routes.events))


def _error(code: str, status: int) -> web.Response:
    return web.json_response({"ok": False, "error": code}, status=status)


class _Routes:
    def __init__(self, emulator: SandboxHost):
        self.emulator = emulator

    @property
    def sandbox(self) -> BrowserSandbox:
        sandbox = self.emulator.browser
        assert sandbox is not None  # guard() checked
        return sandbox

    def _host_allowed(self, request: web.Request) -> bool:
        bound = self.emulator.host
        if bound in ANY_ADDRESS:
            return True  # served to the LAN on purpose (e.g. to try it on a phone)
        host = request.url.host or ""
        return host in LOOPBACK_HOSTS or host == bound

    def guard(self, handler: Handler, *, api: bool = True) -> Handler:
        """404 while disabled, 403 for foreign hosts or header-less POSTs, errors as JSON."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            if self.emulator.browser is None:
                raise web.HTTPNotFound()
            if not self._host_allowed(request):
                raise web.HTTPForbidden(text="sandbox answers on the loopback address only")
            if request.method == "POST" and request.headers.get("X-Sandbox") != "1":
                return _error("missing_header", 403)
            try:
                return await handler(request)
            except SandboxError as exc:
                if not api:
                    raise web.HTTPNotFound() from None
                return _error(exc.code, exc.status)

        return guarded

    # -- the page ---------------------------------------------------------------------------
    async def root(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/sandbox/")

    async def page(self, request: web.Request) -> web.StreamResponse:
        return self._static_file("index.html")

    async def static(self, request: web.Request) -> web.StreamResponse:
        return self._static_file(request.match_info["name"])

    @staticmethod
    def _static_file(name: str) -> web.Response:
        if name not in STATIC_FILES:
            raise SandboxError("not_found", 404)
        body = resources.files("emulator.web").joinpath(name).read_bytes()
        headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
        if name == "index.html":
            headers["Content-Security-Policy"] = PAGE_POLICY
        return web.Response(body=body, content_type=STATIC_FILES[name], charset="utf-8", headers=headers)

    # -- reading ----------------------------------------------------------------------------
    async def people(self, request: web.Request) -> web.StreamResponse:
        bot = self.emulator.state.bot
        people = [person.to_dict() for person in self.sandbox.people.values()]
        return web.json_response({"bot": bot.to_dict(), "people": people, "start": self.sandbox.start})

    async def chat(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.sandbox.chat_view(int(request.match_info["user_id"])))

    async def file(self, request: web.Request) -> web.StreamResponse:
        stored = self.emulator.state.files.get(request.match_info["file_id"])
        if stored is None:
            raise SandboxError("no_file", 404)
        return file_response(stored, download=request.query.get("download") == "1")

    async def events(self, request: web.Request) -> web.StreamResponse:
        return await self.sandbox.events.stream(request)

    # -- acting as a person -----------------------------------------------------------------
    async def _json(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            raise SandboxError("bad_request") from None
        if not isinstance(body, dict):
            raise SandboxError("bad_request")
        return body

    async def send_text(self, request: web.Request) -> web.StreamResponse:
        user = self.sandbox.fake_user(int(request.match_info["user_id"]))
        text = (await self._json(request)).get("text")
        if not isinstance(text, str) or not text.strip():
            raise SandboxError("empty_text")
        if utf16_len(text) > MAX_TEXT_LENGTH:
            raise SandboxError("text_too_long")
        message = await user.send_text(text)
        return web.json_response({"ok": True, "message": message})

    async def press(self, request: web.Request) -> web.StreamResponse:
        user = self.sandbox.fake_user(int(request.match_info["user_id"]))
        body = await self._json(request)
        message_id, data = body.get("message_id"), body.get("callback_data")
        if not isinstance(message_id, int) or not isinstance(data, str):
            raise SandboxError("bad_request")
        if message_id not in self.emulator.state.chats[user.chat_id].messages:
            raise SandboxError("message_gone", 409)
        try:
            query_id = await user.press(message_id, data)
        except AssertionError:  # the button is gone (the bot edited the keyboard away)
            raise SandboxError("button_gone", 409) from None
        return web.json_response({"ok": True, "query_id": query_id})

    async def upload(self, request: web.Request) -> web.StreamResponse:
        user = self.sandbox.fake_user(int(request.match_info["user_id"]))
        if request.content_type != "multipart/form-data":
            raise SandboxError("bad_request")
        form = await request.post()
        upload, caption = form.get("file"), form.get("caption") or None
        if not isinstance(upload, web.FileField):
            raise SandboxError("no_file")
        if caption is not None and (not isinstance(caption, str) or utf16_len(caption) > MAX_CAPTION_LENGTH):
            raise SandboxError("caption_too_long")
        data = upload.file.read()
        if not data:
            raise SandboxError("empty_file")
        if sends_as_photo(data) and form.get("as") != "document":
            message = await user.send_photo(data, caption)
        else:
            name = upload.filename or "file"
            message = await user.send_document(data, name, upload.content_type, caption=caption)
        return web.json_response({"ok": True, "message": message})
