"""A button of an older version of the bot: answered as expired on the button itself, never ignored.

Given a member's chat, when their client sends callback data this version does not know (an action that is no
more, ids that are not numbers or not as many as the button carries, a language that is no more), then the press
is answered with the expired text as an alert on the button, nothing else is sent and no call fails. (A stranger
gets the invitation hint instead: tests/chat/test_permissions.py.)
"""

from __future__ import annotations

import asyncio

import pytest

from i18n import t
from tests.chat.conftest import World

RINA = 130


async def answered(world: World, query_id: str) -> dict:
    for _ in range(100):
        if (answer := world.emu.callback_answer(query_id)) is not None:
            return answer
        await asyncio.sleep(0.05)
    raise AssertionError(f"query {query_id} was never answered")


# (the last three: a question's buttons before they carried its number)
@pytest.mark.parametrize("data", ["zz.old|1", "rv.ok|12", "isi.p|abc", "lang|7", "ms.kok|1|2", "isi.next|1",
                                  "isi.next", "isi.amb|0", "isi.keep|7"])
async def test_a_press_of_data_this_version_does_not_know_gets_the_expired_alert(world: World, data: str):
    emu = world.emu
    await emu.user(RINA).send_command("/bantuan")
    message = await emu.wait_for_bot_message(RINA, "Perintah untuk Anda")
    sent = len(emu.calls_to("sendMessage"))

    query_id = await emu.user(RINA).press(message, data, force=True)

    answer = await answered(world, query_id)
    assert (answer["text"], answer["show_alert"]) == (t("common.expired_button", "id"), True)
    await asyncio.sleep(0.3)
    assert len(emu.calls_to("sendMessage")) == sent
    assert [call for call in emu.calls if not call.ok and call.method != "getUpdates"] == []
