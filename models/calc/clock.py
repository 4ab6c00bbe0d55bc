"""The office's time: its time zone, and the one clock every part of the bot is given.

Nothing in the domain reads the wall clock: a function that acts takes `now` (an aware datetime), and the
outer layers get it from a `Clock` injected by the composition root (`bot/application.py`): the system clock in
production, a test's clock in tests, so the chat, the scheduler, delivery and the test agree on the date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

OFFICE_TIMEZONE = "Asia/Jakarta"  # the office's IANA time zone unless the settings say otherwise (WIB)
OFFICE_TZ = ZoneInfo(OFFICE_TIMEZONE)

Clock = Callable[[], datetime]
"""Now, as an aware datetime (in UTC from the system clock; any zone from a test's clock)."""


def system_clock() -> datetime:
    """The wall clock, in UTC: the default `Clock`."""
    return datetime.now(UTC)


__all__ = ["OFFICE_TIMEZONE", "OFFICE_TZ", "Clock", "system_clock"]
