"""Emulated Telegram Bot API server for tests and the browser sandbox.

Start a :class:`BotApiEmulator` inside the running event loop, point a bot at its
``base_url`` / ``base_file_url`` and drive it as fake users::

    async with BotApiEmulator() as emu:
        app = (ApplicationBuilder().token("123456:" + "A" * 35)
               .base_url(emu.base_url).base_file_url(emu.base_file_url).build())
        ...
        alice = emu.user(1001, "Alice")
        await alice.send_command("/start")
        reply = await emu.wait_for_bot_message(alice.chat_id)

``emu.enable_browser([(1001, "Alice", "Staf · Bidang Perencanaan")])`` serves a chat page at
``emu.browser_url`` to talk to the bot as those people (see :mod:`emulator.browser`).

The package speaks raw Bot API JSON over HTTP and does not depend on any Telegram
client library.
"""

from .browser import SandboxPerson
from .client import FakeGroup, FakeUser
from .errors import ApiError
from .faults import Fault, FaultInjector, RateLimiter, RateLimits
from .inspection import Marker
from .registry import Described
from .server import BotApiEmulator
from .state import Call

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "Call",
    "Described",
    "FakeGroup",
    "FakeUser",
    "Fault",
    "FaultInjector",
    "Marker",
    "RateLimiter",
    "RateLimits",
    "SandboxPerson",
]
