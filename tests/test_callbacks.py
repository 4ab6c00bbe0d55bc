"""Callback data: an action and ids only, always within Telegram's 64 bytes, and read back exactly as packed.

Given every button action the handlers pack, when it carries the largest ids a database can hand out, then the
data still fits in 64 bytes, unpacks to the same action and ids, and reaches the handler registered for it;
data that would not fit is refused when packed, never sent for Telegram to reject.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.callbacks import MAX_BYTES, pack, pattern, unpack
from handlers.registry import BUTTONS

HANDLERS_DIR = Path(__file__).resolve().parent.parent / "handlers"
BIGGEST_ID = 2**63 - 1  # a PostgreSQL BIGINT, the largest id (or Telegram id) the bot can meet

# Every action the handlers pack, with how many ids it carries (written out, so a new action has to be added).
ACTIONS: dict[str, int] = {
    "isi.p": 1, "isi.amb": 1, "isi.sure": 0, "isi.retype": 0, "isi.keep": 1, "isi.keep_kendala": 1,
    "isi.keep_tindak_lanjut": 1, "isi.next": 0, "isi.edit": 2, "isi.send": 2, "isi.sendok": 2, "isi.sendno": 0,
    "rv.ok": 2, "rv.ret": 2, "rv.t": 2, "rv.arh": 1, "rv.cancel": 1,
    "ul.req": 2, "ul.ok": 1, "ul.no": 1,
    "rp.go": 1, "kd.ok": 1, "kd.arh": 1,
    "inv.r": 1, "inv.u": 2, "mb.m": 1, "mb.r": 2, "mb.u": 1, "mb.uu": 2, "mb.x": 1,
    "pd.o": 3, "pd.c": 1, "rm.snz": 1,
    "ms.new": 2, "ms.an": 1, "ms.sub": 2, "ms.ok": 2, "ms.ret": 2, "ms.rep": 1, "ms.kok": 1, "ms.karh": 1,
    "lang": 1,
}
# f-string actions in the handlers and the values their placeholder takes.
TEMPLATE_VALUES = {"field": ("kendala", "tindak_lanjut")}


def packed_in_handlers() -> set[str]:
    """The action names passed to `pack(...)` anywhere in handlers/, f-strings expanded."""
    found: set[str] = set()
    for path in HANDLERS_DIR.rglob("*.py"):
        for is_template, name in re.findall(r"\bpack\((f?)\"([^\"]+)\"", path.read_text(encoding="utf-8")):
            if not is_template:
                found.add(name)
                continue
            placeholder = re.search(r"\{(\w+)\}", name).group(1)
            found.update(name.replace(f"{{{placeholder}}}", value) for value in TEMPLATE_VALUES[placeholder])
    return found


def ids_for(action: str):
    return st.lists(st.integers(min_value=0, max_value=BIGGEST_ID), min_size=ACTIONS[action],
                    max_size=ACTIONS[action])


packed_buttons = st.sampled_from(sorted(ACTIONS)).flatmap(lambda action: st.tuples(st.just(action), ids_for(action)))


def test_the_table_lists_every_action_the_handlers_pack():
    found = packed_in_handlers()
    assert found, "no pack(...) call found in handlers/"
    assert found - set(ACTIONS) == set(), "actions packed in handlers/ but missing from ACTIONS"
    assert set(ACTIONS) - found == set(), "actions in ACTIONS that no handler packs any more"


@given(packed_buttons)
def test_packed_data_fits_in_64_bytes_and_unpacks_to_what_was_packed(button):
    action, ids = button
    data = pack(action, *ids)
    assert len(data.encode("utf-8")) <= MAX_BYTES == 64
    assert unpack(data) == (action, ids)
    assert re.match(pattern(action), data)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_the_largest_ids_still_fit(action):
    data = pack(action, *[BIGGEST_ID] * ACTIONS[action])
    assert len(data.encode("utf-8")) <= 64
    assert unpack(data) == (action, [BIGGEST_ID] * ACTIONS[action])


@given(packed_buttons)
def test_packed_data_reaches_exactly_the_handler_registered_for_its_action(button):
    action, ids = button
    data = pack(action, *ids)
    matching = [pattern for pattern, _ in BUTTONS if re.match(pattern, data)]
    assert len(matching) == 1, f"{data!r} matches {matching}"


@given(st.text(min_size=1, max_size=40).filter(lambda name: "|" not in name),
       st.lists(st.integers(min_value=0, max_value=BIGGEST_ID), max_size=6))
def test_pack_refuses_data_over_64_bytes_and_keeps_what_fits(action, ids):
    expected = "|".join([action, *map(str, ids)])
    if len(expected.encode("utf-8")) > 64:
        with pytest.raises(ValueError, match="too long"):
            pack(action, *ids)
    else:
        assert pack(action, *ids) == expected
        assert unpack(expected) == (action, ids)


def test_pack_refuses_the_first_byte_over_the_limit():
    assert pack("a" * 64) == "a" * 64
    with pytest.raises(ValueError):
        pack("a" * 65)
    with pytest.raises(ValueError):
        pack("rv.ok", BIGGEST_ID, BIGGEST_ID, BIGGEST_ID)  # 5 + 3 × 20 bytes
    with pytest.raises(ValueError):
        pack("é" * 33)  # 33 characters, 66 bytes: bytes count, not characters


@given(st.text(max_size=80))
def test_unpack_never_fails_on_whatever_data_a_button_carries(data):
    action, ids = unpack(data)
    assert isinstance(action, str) and all(isinstance(i, int) for i in ids)


def test_unpack_of_data_with_a_non_number_id_is_no_action():
    assert unpack("rv.ok|12|abc") == ("", [])
    assert unpack("") == ("", [])
