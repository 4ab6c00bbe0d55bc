"""The :class:`BotApiEmulator`: an aiohttp server speaking the Telegram Bot API.

Routes ``/bot<token>/<method>`` to the emulated methods, ``/file/bot<token>/<path>`` to
stored files and, once enabled, ``/sandbox/`` to the browser sandbox; applies fault
injection and optional flood limits, records every call and manages its own lifecycle
inside the caller's event loop::

    async with BotApiEmulator() as emu:
        app = ApplicationBuilder().token(TOKEN).base_url(emu.base_url) \\
            .base_file_url(emu.base_file_url).build()
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

from . import bot_settings, media_methods, methods, updates  # noqa: F401  (register methods)
from .browser import BrowserSandbox, SandboxPerson, add_browser_routes
from .client import FakeGroup, FakeUser
from .errors import ApiError, not_found, unauthorized
from .faults import FaultInjector, RateLimiter, RateLimits
from .inspection import InspectionMixin
from .params import Params, read_params
from .registry import DEFAULT_METHODS, Described, Handler
from .state import Call, Chat, EmulatorState, User
from .updates import WebhookDeliverer

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_LOGGER = logging.getLogger(__name__)


class BotApiEmulator(InspectionMixin):
    """In-process fake of ``api.telegram.org`` for tests and the sandbox."""

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_id: int | None = None,
        bot_username: str = "sakip_test_bot",
        bot_first_name: str = "SAKIP Test Bot",
        host: str = "127.0.0.1",
        port: int = 0,
        enforce_rate_limits: bool = False,
        rate_limits: RateLimits | None = None,
        strict_html: bool = True,
        callback_query_ttl: float = 15.0,
        webhook_retry_delay: float = 0.05,
    ):
        if token is not None and not TOKEN_RE.match(token):
            raise ValueError("token must look like a real bot token: <digits>:<20+ url-safe chars>")
        if bot_id is None:
            bot_id = int(token.split(":", 1)[0]) if token else 123456
        self.token = token
        self.host = host
        self.port = port
        self.strict_html = strict_html
        self.callback_query_ttl = callback_query_ttl
        bot = User(id=bot_id, first_name=bot_first_name, username=bot_username, is_bot=True)
        self.state = EmulatorState(bot)
        self.methods = DEFAULT_METHODS.copy()
        self.faults = FaultInjector()
        self.rate_limiter = RateLimiter(rate_limits or RateLimits()) if enforce_rate_limits else None
        self.webhooks = WebhookDeliverer(self, retry_delay=webhook_retry_delay)
        self.internal_errors: list[BaseException] = []
        self._fake_users: dict[int, FakeUser] = {}
        self.browser: BrowserSandbox | None = None
        self._runner: web.AppRunner | None = None
        self._stop_event = asyncio.Event()
        self._stopping = False
        self._init_inspection()

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def stopping(self) -> bool:
        return self._stopping

    @property
    def url(self) -> str:
        if self._runner is None:
            raise RuntimeError("emulator is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url(...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self.url}/file/bot"

    @property
    def browser_url(self) -> str:
        """The sandbox chat page (after :meth:`enable_browser`)."""
        return f"{self.url}/sandbox/"

    async def start(self) -> BotApiEmulator:
        if self._runner is not None:
            return self
        self._stopping = False
        self._stop_event = asyncio.Event()
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        add_browser_routes(app, self)  # 404 until enable_browser()
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is None:
            return
        self._stopping = True
        self._stop_event.set()
        self.state.updates_signal.notify()
        self.state.activity_signal.notify()
        await self.webhooks.stop()
        if self.browser is not None:
            self.browser.close()  # end the page's event streams so shutdown does not wait for them
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- world building -------------------------------------------------------------------
    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
        started: bool = True,
    ) -> FakeUser:
        """Get or create a user (and the private chat with the bot) to act as in tests.

        ``started=False`` models a user who never opened the bot: sending to them fails
        with 403 until they send something.
        """
        if user_id in self._fake_users:
            return self._fake_users[user_id]
        if user_id <= 0:
            raise ValueError("user ids are positive; group chat ids are negative")
        user = User(
            id=user_id,
            first_name=first_name or f"User {user_id}",
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )
        self.state.users[user_id] = user
        self.state.chats[user_id] = Chat(
            id=user_id,
            type="private",
            first_name=user.first_name,
            last_name=last_name,
            username=username,
            member_ids={user_id},
        )
        self._fake_users[user_id] = FakeUser(self, user)
        return self._fake_users[user_id]

    def group(self, chat_id: int, title: str, *, type: str = "group", username: str | None = None) -> FakeGroup:
        """Get or create a group/supergroup (negative ``chat_id``) the bot is a member of."""
        if chat_id >= 0:
            raise ValueError("group chat ids must be negative (supergroups look like -100...)")
        if type not in ("group", "supergroup", "channel"):
            raise ValueError("type must be group, supergroup or channel")
        chat = self.state.chats.get(chat_id)
        if chat is None:
            chat = Chat(id=chat_id, type=type, title=title, username=username)
            self.state.chats[chat_id] = chat
        return FakeGroup(self, chat)

    def enable_browser(self, people: Iterable[SandboxPerson | tuple[int, str] | tuple[int, str, str]],
                       start: int | None = None) -> None:
        """Serve the sandbox chat page at :attr:`browser_url` for these people.

        ``people`` are :class:`~emulator.browser.SandboxPerson` or ``(user_id, name[, subtitle])``
        tuples (subtitle: role and unit).  Users missing so far are created like :meth:`user`.
        ``start``: the user id whose chat the page opens on, on any screen.
        Callable before or after :meth:`start`; calling it again replaces the list.
        """
        if self.browser is None:
            self.browser = BrowserSandbox(self)
        self.browser.set_people(people, start)

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue a hand-made update (e.g. ``"my_chat_member"``); returns the Update dict."""
        return self.state.push_update(kind, payload)

    def register_method(self, name: str, handler: Handler) -> None:
        """Add or override a method: ``async def handler(emulator, params) -> result``."""
        self.methods.add(name, handler)

    def add_listener(self, listener: Callable[[str, dict[str, Any]], None]) -> None:
        """Call ``listener(event, data)`` on bot messages, edits, deletions, updates, calls."""
        self.state.listeners.append(listener)

    # -- request pipeline -----------------------------------------------------------------
    def _token_error(self, token: str) -> ApiError | None:
        """As Telegram: 404 Not Found for a malformed token, 401 Unauthorized for a well-formed one it does not
        know (any well-formed token is accepted when the emulator was started without one)."""
        if not TOKEN_RE.match(token):
            return not_found()
        if self.token is not None and token != self.token:
            return unauthorized()
        return None

    async def call_method(self, method: str, values: dict[str, Any]) -> dict[str, Any]:
        """Run a method without HTTP (no fault injection) and return the response body."""
        params = Params(values)
        found = self.methods.lookup(method)
        call = Call(found[0] if found else method, params.log_view(), time.time())
        call.status, call.response = await self._execute(found, params)
        self.state.record_call(call)
        return call.response

    async def _execute(self, found: tuple[str, Handler] | None, params: Params) -> tuple[int, dict[str, Any]]:
        if found is None:
            error = not_found()
            return error.code, error.to_json()
        name, handler = found
        try:
            self._check_rate_limit(name, params)
            result = await handler(self, params)
        except ApiError as exc:
            return exc.code, exc.to_json()
        except Exception as exc:  # an emulator bug: surface it instead of hanging the bot
            _LOGGER.exception("emulated method %s crashed", name)
            self.internal_errors.append(exc)
            return 500, {"ok": False, "error_code": 500, "description": f"Internal Server Error: {exc!r}"}
        if isinstance(result, Described):
            return 200, {"ok": True, "result": result.result, "description": result.description}
        return 200, {"ok": True, "result": result}

    def _check_rate_limit(self, method: str, params: Params) -> None:
        if self.rate_limiter is None:
            return
        chat = None
        with contextlib.suppress(ApiError):
            chat = self.state.find_chat(params.chat_id())
        media = params.get_json("media") if method == "sendMediaGroup" else None
        cost = len(media) if isinstance(media, list) and media else 1
        self.rate_limiter.check(method, chat.id if chat else None, chat.type if chat else None, cost)

    def _from_a_browser(self, request: web.Request) -> bool:
        """With the sandbox page on, a web page must not reach the Bot API or the files behind the page's back
        (a cross-site form post, or a stored HTML file opened in the page's origin). Bots send neither header;
        browsers send at least one of them with every request."""
        return self.browser is not None and ("Origin" in request.headers or "Sec-Fetch-Site" in request.headers)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        arrived = time.time()
        if self._from_a_browser(request):
            return self._respond(403, ApiError(403, "Forbidden: the Bot API is not for web pages").to_json())
        if (refused := self._token_error(request.match_info["token"])) is not None:
            return self._respond(refused.code, refused.to_json())
        found = self.methods.lookup(request.match_info["method"])
        name = found[0] if found else request.match_info["method"]
        try:
            params = await read_params(request)
        except ApiError as exc:
            call = Call(name, {}, arrived)
            call.status, call.response = exc.code, exc.to_json()
            self.state.record_call(call)
            return self._respond(exc.code, exc.to_json())
        call = Call(name, params.log_view(), arrived)
        fault = self.faults.match(name, params.values) if found else None
        if fault is not None and fault.kind in ("timeout", "slow"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop_event.wait(), fault.hold)
        if fault is not None and fault.kind == "slow":
            fault = None  # held, and now performed as usual
        if fault is not None and fault.error() is None:
            if fault.kind == "timeout" and fault.process:
                await self._execute(found, params)
            self.state.record_call(call)
            return self._drop_connection(request)
        if fault is not None:
            error = fault.error()
            status, body = error.code, error.to_json()
        else:
            status, body = await self._execute(found, params)
        call.status, call.response = status, body
        self.state.record_call(call)
        return self._respond(status, body)

    @staticmethod
    def _respond(status: int, body: dict[str, Any]) -> web.Response:
        return web.json_response(body, status=status, dumps=lambda obj: json.dumps(obj, ensure_ascii=False))

    @staticmethod
    def _drop_connection(request: web.Request) -> web.StreamResponse:
        """Abort the TCP connection; aiohttp then quietly fails to write the dummy response."""
        transport = request.transport
        if transport is not None:
            transport.abort()
        return web.Response(status=500)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if self._from_a_browser(request):
            return self._respond(403, ApiError(403, "Forbidden: the Bot API is not for web pages").to_json())
        if (refused := self._token_error(request.match_info["token"])) is not None:
            return self._respond(refused.code, refused.to_json())
        file_id = self.state.file_paths.get(request.match_info["path"])
        if file_id is None:
            return self._respond(404, not_found().to_json())
        stored = self.state.files[file_id]
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")
