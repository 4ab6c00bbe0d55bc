"""Registry mapping Bot API method names to their emulated implementations.

Method names are case-insensitive in the Bot API, so lookups are lower-cased while the
canonical spelling (``sendMessage``) is kept for the call log.  A handler is an async
callable ``handler(emulator, params)`` returning the ``result`` value, or
:class:`Described` to add a ``description`` next to it (as setWebhook does).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

Handler = Callable[[Any, Any], Awaitable[Any]]


class Described(NamedTuple):
    """A successful result plus the ``description`` field Telegram sometimes adds."""

    result: Any
    description: str


class MethodRegistry:
    """Case-insensitive name -> handler table."""

    def __init__(self, handlers: dict[str, Handler] | None = None):
        self._handlers: dict[str, tuple[str, Handler]] = {}
        for name, handler in (handlers or {}).items():
            self.add(name, handler)

    def add(self, name: str, handler: Handler) -> None:
        self._handlers[name.lower()] = (name, handler)

    def lookup(self, name: str) -> tuple[str, Handler] | None:
        return self._handlers.get(name.lower())

    def names(self) -> list[str]:
        return sorted(canonical for canonical, _ in self._handlers.values())

    def copy(self) -> MethodRegistry:
        clone = MethodRegistry()
        clone._handlers = dict(self._handlers)
        return clone


DEFAULT_METHODS = MethodRegistry()


def api_method(name: str) -> Callable[[Handler], Handler]:
    """Decorator registering ``handler`` under ``name`` in the default registry."""

    def register(handler: Handler) -> Handler:
        DEFAULT_METHODS.add(name, handler)
        return handler

    return register
