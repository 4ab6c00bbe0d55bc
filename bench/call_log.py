"""Figures from the emulator's own log of the Bot API calls: what the bot asked of Telegram, whatever it believes.

`calls_by_method` counts a run's calls (getUpdates aside: the polling's receiving side, which the webhook rows do
not have); `busiest_second` is the most messages sent in any one second (or any longer window), across every
process, against Telegram's overall limit of about 30 messages a second.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from emulator.faults import SENDING_METHODS
from emulator.state import Call

TELEGRAM_LIMIT = 30  # messages a second, the whole bot (Telegram's FAQ; the emulator's overall bucket)
RECEIVING = frozenset({"getUpdates"})


def calls_by_method(calls: Iterable[Call]) -> Counter[str]:
    """The calls the bot made, by method, refused ones (429) included: each was a request to Telegram."""
    return Counter(call.method for call in calls if call.method not in RECEIVING)


def messages_of(call: Call) -> int:
    """How many messages a call puts in a chat, as Telegram's limit counts them: an album counts its items."""
    if call.method.lower() not in SENDING_METHODS:
        return 0
    if call.method.lower() == "sendmediagroup":
        media = call.params.get("media")
        if isinstance(media, str):
            try:
                media = json.loads(media)
            except ValueError:
                media = None
        return len(media) if isinstance(media, list) and media else 1
    return 1


def busiest_second(calls: Iterable[Call], seconds: float = 1.0) -> int:
    """The most messages sent (refused ones included) within any window (t - seconds, t], by the emulator's arrival
    times of the calls: with the default, the busiest second; with 10, what a burst was followed by."""
    sends = sorted((call.timestamp, count) for call in calls if (count := messages_of(call)))
    most, in_window, first = 0, 0, 0
    for timestamp, count in sends:
        in_window += count
        while sends[first][0] <= timestamp - seconds:
            in_window -= sends[first][1]
            first += 1
        most = max(most, in_window)
    return most
