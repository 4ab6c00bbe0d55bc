"""Fault injection and Telegram-like flood limits.

:class:`FaultInjector` lets a test make chosen calls fail: ``"429"`` (flood wait with
``retry_after``), ``"500"``/``"502"`` (server errors), ``"timeout"`` (hold the request,
then drop the connection, optionally after processing it), ``"slow"`` (hold the request,
then perform and answer it as usual), ``"disconnect"`` (drop the connection at once),
``"403_blocked"`` or any ``"400"``/custom error description.

:class:`RateLimiter` (enabled with ``BotApiEmulator(enforce_rate_limits=True)``) answers
429 when the bot exceeds ~30 messages/s overall, ~1 message/s per private chat (small
bursts tolerated, as on Telegram) or 20 messages/minute per group.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, too_many_requests

FAULT_KINDS = ("429", "500", "502", "timeout", "slow", "disconnect", "403_blocked", "400", "error")
SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendmediagroup",
        "sendvideo",
        "sendaudio",
        "sendvoice",
        "sendanimation",
        "sendsticker",
        "sendlocation",
        "sendcontact",
        "sendpoll",
        "copymessage",
        "forwardmessage",
        "sendvenue",
        "senddice",
        "sendvideonote",
    }
)


@dataclass
class Fault:
    """One injected failure rule; ``hits`` counts how often it fired."""

    kind: str
    method: str | None = None
    chat_id: int | str | None = None
    times: int | None = 1
    retry_after: int = 1
    hold: float = 10.0
    process: bool = False
    description: str | None = None
    error_code: int | None = None
    when: Callable[[dict[str, Any]], bool] | None = None
    hits: int = 0

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        if self.method is None and method.lower() in ("getupdates", "getme", "setwebhook", "deletewebhook"):
            return False  # catch-all faults target "real work", not the bot's bootstrap/polling
        if self.chat_id is not None and str(params.get("chat_id")) != str(self.chat_id):
            return False
        return self.when is None or bool(self.when(params))

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def error(self) -> ApiError | None:
        """The error response for error-type faults (None for timeout/disconnect)."""
        if self.kind == "429":
            return too_many_requests(self.retry_after)
        if self.kind == "500":
            return ApiError(500, self.description or "Internal Server Error")
        if self.kind == "502":
            return ApiError(502, self.description or "Bad Gateway")
        if self.kind == "403_blocked":
            return ApiError(403, self.description or "Forbidden: bot was blocked by the user")
        if self.kind == "400":
            return ApiError(400, self.description or "Bad Request: injected failure")
        if self.kind == "error":
            return ApiError(self.error_code or 400, self.description or "Bad Request: injected failure")
        return None


class FaultInjector:
    """Ordered list of :class:`Fault` rules; the first matching one fires."""

    def __init__(self) -> None:
        self.rules: list[Fault] = []

    def add(
        self,
        method: str | None = None,
        kind: str = "500",
        *,
        times: int | None = 1,
        retry_after: int = 1,
        chat_id: int | str | None = None,
        hold: float = 10.0,
        process: bool = False,
        description: str | None = None,
        error_code: int | None = None,
        when: Callable[[dict[str, Any]], bool] | None = None,
    ) -> Fault:
        """Inject a failure for ``method`` (None = any non-polling method).

        ``times=None`` keeps the fault forever; ``chat_id`` targets one chat; ``when`` is
        an extra predicate on the request params.  For ``kind="timeout"`` the request is
        held ``hold`` seconds and then dropped; ``process=True`` performs it anyway (the
        message is sent although the client saw a timeout, like on real networks).
        ``kind="slow"`` holds it ``hold`` seconds, then performs and answers it as usual.
        """
        kind = str(kind)
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        fault = Fault(
            kind=kind,
            method=method,
            chat_id=chat_id,
            times=times,
            retry_after=retry_after,
            hold=hold,
            process=process,
            description=description,
            error_code=error_code,
            when=when,
        )
        self.rules.append(fault)
        return fault

    def match(self, method: str, params: dict[str, Any]) -> Fault | None:
        """Find, count and return the fault that applies to this call, if any."""
        for fault in self.rules:
            if fault.matches(method, params):
                fault.hits += 1
                return fault
        return None

    def clear(self) -> None:
        self.rules.clear()

    def remove(self, fault: Fault) -> None:
        self.rules.remove(fault)


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float = -1.0
    updated: float = 0.0

    def wait_time(self, now: float, cost: float) -> float:
        if self.tokens < 0:
            self.tokens, self.updated = self.capacity, now
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        cost = min(cost, self.capacity)  # a request larger than the burst still gets through
        return 0.0 if self.tokens >= cost else (cost - self.tokens) / self.per_second

    def take(self, cost: float) -> None:
        self.tokens -= min(cost, self.capacity)


@dataclass
class RateLimits:
    """Flood limits; Telegram documents ~30 msg/s overall, 1/s per chat, 20/min per group."""

    global_per_second: float = 30.0
    private_per_second: float = 1.0
    private_burst: float = 3.0
    group_per_minute: float = 20.0


@dataclass
class RateLimiter:
    """Token buckets per chat plus one global bucket."""

    limits: RateLimits = field(default_factory=RateLimits)
    clock: Callable[[], float] = time.monotonic
    _global: _Bucket | None = None
    _chats: dict[int, _Bucket] = field(default_factory=dict)

    def check(self, method: str, chat_id: int | None, chat_type: str | None, cost: int = 1) -> None:
        """Raise a 429 ApiError if sending now would exceed a limit, else consume tokens."""
        if method.lower() not in SENDING_METHODS:
            return
        now = self.clock()
        if self._global is None:
            self._global = _Bucket(self.limits.global_per_second, self.limits.global_per_second)
        buckets = [self._global]
        if chat_id is not None:
            bucket = self._chats.get(chat_id)
            if bucket is None:
                if chat_type == "private":
                    bucket = _Bucket(self.limits.private_burst, self.limits.private_per_second)
                else:
                    bucket = _Bucket(self.limits.group_per_minute, self.limits.group_per_minute / 60)
                self._chats[chat_id] = bucket
            buckets.append(bucket)
        wait = max(bucket.wait_time(now, cost) for bucket in buckets)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        for bucket in buckets:
            bucket.take(cost)
