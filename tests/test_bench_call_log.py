"""The deadline benchmark's Telegram figures, from the emulator's log: the busiest second of messages sent (what
Telegram's overall limit of 30 a second counts: an album counts its items, answers to button presses and edits
count nothing) and the calls by method (getUpdates aside)."""

from __future__ import annotations

import json

from bench.call_log import busiest_second, calls_by_method, messages_of
from emulator.state import Call


def call(method: str, at: float, **params: object) -> Call:
    return Call(method, dict(params), at)


def test_the_busiest_second_counts_the_messages_of_any_one_second_window() -> None:
    calls = [call("sendMessage", 100.0 + i * 0.1) for i in range(10)]  # 10 in 0.9 s
    calls += [call("sendMessage", 101.5 + i * 0.05) for i in range(12)]  # 12 from 101.5 to 102.05
    calls += [call("editMessageText", 101.6), call("answerCallbackQuery", 101.6), call("getUpdates", 101.6)]
    assert busiest_second(calls) == 12
    assert busiest_second(calls + [call("sendMessage", 101.1)]) == 13  # within (101.05, 102.05]
    assert busiest_second(calls + [call("sendMessage", 101.0)]) == 12  # not: (100.0, 101.0] holds 9 + 1
    assert busiest_second(calls + [call("sendMessage", 100.45)]) == 12  # (99.45, 100.45]: 5 + 1; later: 12 still
    assert busiest_second(list(reversed(calls))) == 12  # the log's order does not matter
    assert busiest_second([]) == 0
    assert busiest_second(calls, 10.0) == 22  # every message within ten seconds
    assert busiest_second(calls, 0.52) == 11  # (101.53, 102.05]: 101.55 to 102.05


def test_a_window_holds_exactly_one_second() -> None:
    assert busiest_second([call("sendMessage", 10.0), call("sendMessage", 11.0)]) == 1
    assert busiest_second([call("sendMessage", 10.0), call("sendMessage", 10.999)]) == 2


def test_an_album_counts_its_items_in_either_form_of_its_media() -> None:
    items = [{"type": "photo", "media": f"attach://p{i}"} for i in range(4)]
    assert messages_of(call("sendMediaGroup", 1.0, media=items)) == 4
    assert messages_of(call("sendMediaGroup", 1.0, media=json.dumps(items))) == 4
    assert messages_of(call("sendPhoto", 1.0)) == 1
    assert messages_of(call("editMessageReplyMarkup", 1.0)) == 0
    assert busiest_second([call("sendMediaGroup", 5.0, media=items), call("sendMessage", 5.5)]) == 5


def test_calls_by_method_leave_out_the_polling() -> None:
    calls = [call("getUpdates", 1.0), call("sendMessage", 1.1), call("sendMessage", 1.2),
             call("answerCallbackQuery", 1.3)]
    assert calls_by_method(calls) == {"sendMessage": 2, "answerCallbackQuery": 1}
