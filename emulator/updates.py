"""Update delivery: getUpdates long polling and webhooks.

``getUpdates`` honours ``offset``/``limit``/``timeout``/``allowed_updates``, returns as soon
as an update arrives and answers 409 when a newer poll supersedes it or a webhook is set.
With a webhook, :class:`WebhookDeliverer` POSTs the pending updates with the
``X-Telegram-Bot-Api-Secret-Token`` header as Telegram does: up to ``max_connections`` in
parallel across chats, one at a time and in order within a chat, a failed one retried with
backoff before the chat's next.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from typing import Any

import aiohttp

from .errors import ApiError, bad_request
from .params import Params
from .registry import Described, api_method
from .state import update_allowed

_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


@api_method("getUpdates")
async def get_updates(api: Any, p: Params) -> list[dict[str, Any]]:
    state = api.state
    if state.webhook.url:
        raise ApiError(409, WEBHOOK_CONFLICT)
    limit = min(max(p.get_int("limit", 100) or 100, 1), 100)
    timeout = max(0.0, p.get_float("timeout", 0.0))
    allowed = p.get_json("allowed_updates")
    if allowed is not None:
        state.poll_allowed_updates = list(allowed)
    state.poll_generation += 1
    generation = state.poll_generation
    state.updates_signal.notify()  # wakes (and thereby terminates) an older pending poll
    state.confirm_updates(p.get_int("offset", 0) or 0)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if generation != state.poll_generation:
            raise ApiError(409, POLL_CONFLICT)
        if state.webhook.url:
            raise ApiError(409, WEBHOOK_CONFLICT)
        batch = state.take_updates(limit, state.poll_allowed_updates)
        remaining = deadline - loop.time()
        if batch or remaining <= 0 or api.stopping:
            return batch
        await state.updates_signal.wait(remaining)


@api_method("setWebhook")
async def set_webhook(api: Any, p: Params) -> Described:
    url = p.get_str("url") or ""
    if not url:
        return await delete_webhook(api, p)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get_str("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    config = api.state.webhook
    unchanged = config.url == url and config.secret_token == secret
    if p.get_bool("drop_pending_updates"):
        api.state.drop_updates()
    allowed = p.get_json("allowed_updates")
    config.url, config.secret_token = url, secret
    config.max_connections = p.get_int("max_connections", 40) or 40
    config.ip_address = p.get_str("ip_address")
    if allowed is not None:
        config.allowed_updates = list(allowed)
    api.webhooks.restart()
    api.state.updates_signal.notify()
    return Described(True, "Webhook is already set" if unchanged else "Webhook was set")


@api_method("deleteWebhook")
async def delete_webhook(api: Any, p: Params) -> Described:
    if p.get_bool("drop_pending_updates"):
        api.state.drop_updates()
    config = api.state.webhook
    if not config.url:
        return Described(True, "Webhook is already deleted")
    config.url, config.secret_token = "", None
    api.webhooks.restart()
    return Described(True, "Webhook was deleted")


@api_method("getWebhookInfo")
async def get_webhook_info(api: Any, p: Params) -> dict[str, Any]:
    config = api.state.webhook
    info: dict[str, Any] = {
        "url": config.url,
        "has_custom_certificate": False,
        "pending_update_count": len(api.state.updates),
    }
    if config.url:
        info["max_connections"] = config.max_connections
        for key in ("ip_address", "allowed_updates", "last_error_date", "last_error_message"):
            if getattr(config, key):
                info[key] = getattr(config, key)
    return info


def chat_of(update: dict[str, Any]) -> int | str:
    """The chat an update belongs to, for Telegram's one-at-a-time-per-chat webhook order.

    Updates without a chat (inline queries, polls…) are keyed by their sender, and those
    without either each form a sequence of their own.
    """
    for kind, payload in update.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return int(chat["id"])
        sender = payload.get("from") or payload.get("user")
        if isinstance(sender, dict) and "id" in sender:
            return int(sender["id"])
    return f"update-{update['update_id']}"


class WebhookDeliverer:
    """Background task pushing pending updates to the configured webhook URL, as Telegram does.

    Up to ``max_connections`` requests are in flight at once, across chats; within one chat
    the updates go one at a time and in order: the chat's next update is posted only once
    the previous one was answered 2xx, a failed one is retried (with the chat's own
    exponential backoff) before anything newer of that chat. So a slow or failing webhook
    request for one chat never holds another chat's updates.
    """

    def __init__(self, api: Any, retry_delay: float = 0.05, max_retry_delay: float = 1.0, timeout: float = 10.0):
        self._api = api
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.timeout = timeout
        self.delivered = 0

    def restart(self) -> None:
        """(Re)start delivery for the current webhook config; stop it if none is set."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._api.state.webhook.url and not self._api.stopping:
            self._task = asyncio.create_task(self._run(), name="emulator-webhook-delivery")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        """Start a lane for every chat with pending updates and none running; the lanes end with the task."""
        state = self._api.state
        connections = asyncio.Semaphore(max(1, state.webhook.max_connections))
        lanes: dict[int | str, asyncio.Task[None]] = {}
        async with asyncio.TaskGroup() as group:
            while True:
                config = state.webhook
                state.updates = [u for u in state.updates if update_allowed(u, config.allowed_updates)]
                for update in state.updates:
                    chat = chat_of(update)
                    if chat not in lanes:
                        lanes[chat] = group.create_task(
                            self._serve_chat(chat, lanes, connections), name=f"emulator-webhook-chat-{chat}"
                        )
                await state.updates_signal.wait(None)

    async def _serve_chat(
        self, chat: int | str, lanes: dict[int | str, asyncio.Task[None]], connections: asyncio.Semaphore
    ) -> None:
        """Post one chat's pending updates in order, each until it is accepted; end when none is left."""
        state = self._api.state
        delay = self.retry_delay
        while True:
            update = next((u for u in state.updates if chat_of(u) == chat), None)
            if update is None:
                del lanes[chat]
                return
            config = state.webhook
            async with connections:
                error = await self._deliver(update, config.url, config.secret_token)
            if error is None:
                state.drop_updates(update["update_id"])
                self.delivered += 1
                delay = self.retry_delay
                continue
            config.last_error_date, config.last_error_message = int(time.time()), error
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_retry_delay)

    async def _deliver(self, update: dict[str, Any], url: str, secret: str | None) -> str | None:
        if self._session is None:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True, limit=0))
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        try:
            async with self._session.post(
                url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=self.timeout)
            ) as response:
                body = await response.read()
                if not 200 <= response.status < 300:
                    return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"Connection failed: {exc.__class__.__name__}: {exc}"
        await self._run_reply_method(body)
        return None

    async def _run_reply_method(self, body: bytes) -> None:
        """Execute a method returned in the webhook response body, as Telegram does."""
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            return
        if isinstance(payload, dict) and isinstance(payload.get("method"), str):
            params = {k: v for k, v in payload.items() if k != "method"}
            await self._api.call_method(payload["method"], params)
