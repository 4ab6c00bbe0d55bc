"""A number beyond what can be stored, in chat.

Given a member filling their form, when they type a value of 30 digits (a figure pasted twice), then they are told
the limit, nothing is stored and the same question is asked again, so the next value they type is taken (no error
loop until /batal). Given a database an older version wrote with such a value (SQLite kept it as text), then
`/isi` still answers and shows the value as it is, and `/rekap` draws it and counts it.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.collection.realisasi import Realisasi
from models.messaging.chat_state import ChatStep
from models.plan.periods import Period, PeriodKind, PeriodStatus
from tests.chat.conftest import World
from tests.chat.test_full_cycle import press, say
from tests.chat.test_status_language import chat_step, recap_reply

SEKRETARIS, SEKRETARIAT, MODAL = 103, 110, 120
PASTED_TWICE = "600000000000000000000000000000"  # 600.000.000.000 pasted twice over: 30 digits


def open_october(world: World) -> None:
    with world.session() as session:
        session.add(Period(kind=PeriodKind.MONTH, year=2026, number=10, status=PeriodStatus.OPEN))
        session.commit()


def stored_values(world: World) -> list[object]:
    with world.session() as session:
        return list(session.exec(select(Realisasi.value)))


async def test_a_value_beyond_the_bound_is_refused_with_the_limit_and_asked_again(world: World):
    open_october(world)
    await say(world, SEKRETARIAT, "/isi", "Ketik nilai realisasi")

    refused = await say(world, SEKRETARIAT, PASTED_TWICE, "terlalu besar")
    assert refused["text"] == (f"'{PASTED_TWICE}' terlalu besar untuk disimpan: paling banyak 20 angka sebelum koma. "
                               "Periksa apakah angkanya tertempel dua kali.")
    await world.emu.wait_for_bot_message(SEKRETARIAT, "Ketik nilai realisasi")  # the same question again
    assert chat_step(world, SEKRETARIAT) == ChatStep.FILL_VALUE
    assert stored_values(world) == []

    await say(world, SEKRETARIAT, "90", "100,00%")  # the next value is taken: no loop
    assert [str(value) for value in stored_values(world)] == ["90"]


async def test_values_an_older_version_stored_beyond_the_bound_are_shown_not_a_crash(world: World):
    if world.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite kept such values (PostgreSQL's NUMERIC(28, 8) refused them)")
    open_october(world)
    with world.engine.begin() as connection:  # S.1's TW IV target, written by an older version
        connection.exec_driver_sql("UPDATE indicator_targets SET tw4 = ? WHERE indicator_id = "
                                   "(SELECT id FROM indicators WHERE code = 'S.1')", (PASTED_TWICE,))

    question = await say(world, MODAL, "/isi", "Ketik nilai realisasi")
    assert "S.1" in question["text"] and "Rp200.000.000.000.000.000.000.000.000.000" in question["text"]
    await say(world, MODAL, "Rp 55.000.000.000", "jauh dari target")
    await press(world, MODAL, "Ya, benar", "alasan")
    await say(world, MODAL, "Target lama salah tempel", "di bawah target")
    with world.engine.begin() as connection:  # and its realisasi too
        connection.exec_driver_sql("UPDATE realisasi SET value = ?", ("1" + PASTED_TWICE,))

    album, recap = await recap_reply(world, SEKRETARIS, "/rekap 2026-10")
    assert album  # its capaian drawn: 800,00%
    assert recap["text"].startswith("Rekap capaian Oktober 2026\nTercapai: 1 dari 1 indikator")
    await say(world, MODAL, "/isi", "K.3")  # the form goes on: S.1's stored value is far above target now
