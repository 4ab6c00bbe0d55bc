"""Given the demo office with its people, when they talk to the bot, then it answers."""

from tests.chat.conftest import World


async def test_a_stranger_is_told_how_to_get_an_invitation(world: World):
    stranger = world.emu.user(999, "Orang Asing")
    await stranger.send_command("/start")
    message = await world.emu.wait_for_bot_message(999)
    assert "undangan" in message["text"]


async def test_a_member_is_welcomed_with_the_menu_of_their_role(world: World):
    staff = world.emu.user(130, "Rina")
    await staff.send_command("/start")
    message = await world.emu.wait_for_bot_message(130)
    assert "Rina Perizinan" in message["text"]
    await world.emu.wait_for_call("setMyCommands", lambda call: call.params.get("scope", {}).get("chat_id") == 130)
