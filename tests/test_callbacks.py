"""Callback data: an action and ids only, always within Telegram's 64 bytes, and read back exactly as packed.

Given every button the handlers pack, when it carries the largest ids a database can hand out, then the data
still fits in 64 bytes, unpacks to the same button and ids, and reaches exactly one handler, which routes it;
the data of each button is what it was (buttons already sitting in members' chats carry it); data that would not
fit is refused when packed, never sent for Telegram to reject; data that does not unpack (an older version's
action, ids that are not numbers or not as many as the button carries) is no button at all, and a press of it
is answered as expired on the button itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.admin import handlers as admin
from handlers.callbacks import MAX_BYTES, Button, Pressed, matcher, pack, unpack
from handlers.fill import handlers as fill
from handlers.fill.views import KEEP_NOTE
from handlers.kepala import handlers as kepala
from handlers.measurement import handlers as measurement
from handlers.registry import BUTTONS
from handlers.review import handlers as review

HANDLERS_DIR = Path(__file__).resolve().parent.parent / "handlers"
BIGGEST_ID = 2**63 - 1  # a PostgreSQL BIGINT, the largest id (or Telegram id) the bot can meet

# Every action's data with how many ids it carries, written out: buttons already sent carry these strings, so a
# value must never change, and a new button has to be added here.
ACTIONS: dict[str, int] = {
    "isi.p": 1, "isi.amb": 2, "isi.sure": 1, "isi.retype": 1, "isi.keep": 2, "isi.keep_kendala": 2,
    "isi.keep_tindak_lanjut": 2, "isi.next": 1, "isi.edit": 2, "isi.kirim": 2, "isi.kirimok": 2, "isi.batal": 1,
    "rv.ok": 2, "rv.ret": 2, "rv.t": 2, "rv.arh": 1, "rv.cancel": 1, "kb.ok": 2, "kb.ret": 2,
    "ul.req": 2, "ul.ok": 1, "ul.no": 1, "bk": 1,
    "rp.go": 1, "kd.ok": 1, "kd.arh": 1, "kd.unit": 1,
    "inv.r": 1, "inv.u": 2, "mb.m": 1, "mb.r": 2, "mb.u": 1, "mb.uu": 2, "mb.x": 1,
    "pd.o": 3, "pd.c": 1, "pd.y": 3, "pd.n": 3, "rm.snz": 1, "kd.undo": 1, "kd.pu": 2, "kd.pi": 2, "kd.send": 2,
    "kd.edit": 2, "tl.done": 1,
    "ms.new": 2, "ms.an": 1, "ms.sub": 2, "ms.ok": 2, "ms.ret": 2, "ms.rep": 1, "ms.kok": 1, "ms.karh": 1,
    "ms.ra": 1, "ms.fin": 2, "ms.again": 2, "ms.p": 2,
    "rk.p": 1, "ek.p": 3, "lp.p": 2,
    "lang": 1,
    "tg.rv": 1, "tg.kb": 1, "tg.ul": 1, "tg.rp": 1, "tg.kd": 1,
}
# The journeys whose table (button → work) is what their handler routes through `run_button`.
TABLES = {"fill": fill.BUTTONS, "review": review.BUTTONS, "kepala": kepala.BUTTONS, "measurement": measurement.BUTTONS}


def packed_in_handlers() -> set[str]:
    """The data of every button packed anywhere in handlers/ (`pack(Button.X, …)`, and the keep-note buttons)."""
    found: set[str] = set()
    for path in HANDLERS_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found.update(Button[name].value for name in re.findall(r"\bpack\(Button\.(\w+)", text))
        if re.search(r"\bpack\(KEEP_NOTE\[", text):
            found.update(button.value for button in KEEP_NOTE.values())
    return found


def ids_for(button: Button):
    return st.lists(st.integers(min_value=0, max_value=BIGGEST_ID), min_size=len(button.ids),
                    max_size=len(button.ids))


packed_buttons = st.sampled_from(list(Button)).flatmap(lambda button: st.tuples(st.just(button), ids_for(button)))


def test_every_button_keeps_the_data_of_the_buttons_already_sent():
    assert {button.value: len(button.ids) for button in Button} == ACTIONS


def test_the_handlers_pack_every_button_and_nothing_else():
    found = packed_in_handlers()
    assert found, "no pack(Button...) call found in handlers/"
    assert found == set(ACTIONS)
    bare = [path.name for path in HANDLERS_DIR.rglob("*.py") if re.search(r"\bpack\(f?[\"']", path.read_text())]
    assert bare == [], "pack() takes a Button, not a string"


@given(packed_buttons)
def test_packed_data_fits_in_64_bytes_and_unpacks_to_what_was_packed(button):
    button, ids = button
    data = pack(button, *ids)
    assert len(data.encode("utf-8")) <= MAX_BYTES == 64
    assert unpack(data) == (button, ids)
    assert unpack(data).button is button


@pytest.mark.parametrize("button", list(Button), ids=[button.value for button in Button])
def test_the_largest_ids_still_fit(button: Button):
    data = pack(button, *[BIGGEST_ID] * len(button.ids))
    assert len(data.encode("utf-8")) <= 64
    assert unpack(data) == Pressed(button, [BIGGEST_ID] * len(button.ids))


@pytest.mark.parametrize("button", list(Button), ids=[button.value for button in Button])
def test_every_button_reaches_exactly_one_handler(button: Button):
    data = pack(button, *[BIGGEST_ID] * len(button.ids))
    matching = [callback.__module__ for buttons, callback in BUTTONS if matcher(buttons)(data)]
    assert len(matching) == 1, f"{data!r} reaches {matching}"


def test_each_handler_routes_exactly_the_buttons_registered_for_it():
    """What the registry sends to a journey's handler is what its table runs (or what it handles before)."""
    registered = {callback.__module__: set(buttons) for buttons, callback in BUTTONS}
    for name, table in TABLES.items():
        extra = {Button.REVIEW_TOGGLE} if name == "review" else set()  # toggles edit the keyboard in place
        assert registered[f"handlers.{name}.handlers"] == set(table) | extra, name
    assert set(admin.IN_PLACE) < registered["handlers.admin.handlers"] == admin.BUTTONS
    assert registered["handlers.reminders"] == {Button.REMINDER_SNOOZE}
    assert registered["handlers.evidence"] == {Button.EVIDENCE}
    assert registered["handlers.settings"] == {Button.LANGUAGE}


@given(packed_buttons)
def test_packed_data_reaches_exactly_the_handler_registered_for_its_button(button):
    button, ids = button
    data = pack(button, *ids)
    matching = [buttons for buttons, _ in BUTTONS if matcher(buttons)(data)]
    assert len(matching) == 1 and button in matching[0], f"{data!r} matches {matching}"


@given(st.sampled_from(list(Button)), st.data())
def test_pack_refuses_data_over_64_bytes_and_keeps_what_fits(button, data):
    ids = data.draw(st.lists(st.integers(min_value=-(10**40), max_value=10**40), min_size=len(button.ids),
                             max_size=len(button.ids)))
    expected = "|".join([button.value, *map(str, ids)])
    if len(expected.encode("utf-8")) > 64:
        with pytest.raises(ValueError, match="too long"):
            pack(button, *ids)
    else:
        assert pack(button, *ids) == expected
        assert unpack(expected) == (button, ids)


def test_pack_refuses_the_first_byte_over_the_limit_and_anything_but_a_button_with_its_ids():
    assert len(pack(Button.PERIOD_OPEN, 10**18, 10**18, 10**18)) == 64  # 4 + 3 separators + 3 × 19 digits
    with pytest.raises(ValueError, match="too long"):
        pack(Button.PERIOD_OPEN, 10**19, 10**18, 10**18)
    with pytest.raises(TypeError):
        pack("rv.ok", 1, 2)  # a bare string: every button is a Button
    with pytest.raises(ValueError, match="carries"):
        pack(Button.REVIEW_APPROVE, 12)  # the version is missing
    with pytest.raises(ValueError, match="carries"):
        pack(Button.FILL_NEXT, 1, 2)


@given(st.text(max_size=80))
def test_unpack_never_fails_on_whatever_data_a_button_carries(data):
    pressed = unpack(data)
    assert pressed is None or (isinstance(pressed.button, Button) and all(isinstance(i, int) for i in pressed.ids))


@pytest.mark.parametrize("data", [
    "rv.ok|12|abc", "", "zz.old|1", "rv.ok|12", "rv.ok|1|2|3", "isi.next|", "isi.next|1|2", "rv.ok|+1|2",
    "rv.ok| 1|2", "rv.ok|1_000|2", "rv.ok|١|2", "RV.OK|1|2", "isi.keep_{field}|1", "lang",
])
def test_data_that_is_no_button_of_this_version_unpacks_to_nothing(data):
    assert unpack(data) is None
    assert not any(matcher(buttons)(data) for buttons, _ in BUTTONS)


def test_unpack_reads_the_data_of_buttons_already_sent():
    assert unpack("rv.ok|12|3") == Pressed(Button.REVIEW_APPROVE, [12, 3])
    assert unpack("pd.o|2026|0|11") == Pressed(Button.PERIOD_OPEN, [2026, 0, 11])
    assert unpack("isi.batal|4") == Pressed(Button.FILL_SEND_CANCEL, [4])
    assert unpack("isi.keep_tindak_lanjut|3|7") == Pressed(Button.FILL_KEEP_TINDAK_LANJUT, [3, 7])
    # a question's buttons of older versions, without the question's number: no button of this version
    assert [unpack(data) for data in ("isi.next", "isi.amb|0", "isi.sure", "isi.keep|7")] == [None] * 4
    assert unpack("isi.sendno") is None  # "Batal" of a confirmation of older versions, which named no form
