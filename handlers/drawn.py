"""Notices drawn in two steps (`handlers.notifications.Wording.draw`) may end with a document drawn only when its
turn to be sent comes: a long PDF never keeps the messages before it, and their buttons, waiting."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from handlers.screens import Document, Part, Screen, parts_of


@dataclass(frozen=True)
class LaterDocument:
    """A document a drawn notice sends last, drawn only when its turn to be sent comes (in the chart pool): a
    long PDF never keeps the messages before it, and their buttons, waiting."""

    draw: Callable[[], Document]


@dataclass
class LaterDocumentPart(Part):
    """The part that sends a `LaterDocument` (`Notifications.send` draws it first)."""

    later: LaterDocument | None = None


def drawn_now(items: Sequence[Screen | LaterDocument]) -> list[Screen]:
    """A drawn notice's screens with its later documents drawn now (for callers that are not the worker)."""
    return [Screen([], media=item.draw()) if isinstance(item, LaterDocument) else item for item in items]


def parts_later(items: Sequence[Screen | LaterDocument]) -> list[Part]:
    parts: list[Part] = []
    for item in items:
        parts += [LaterDocumentPart("", later=item)] if isinstance(item, LaterDocument) else parts_of([item])
    return parts
