"""Members who fill their unit's form like people do: type /isi, read the bot's newest message, answer what it
asks, and type /isi again when the bot seems to have stopped answering. Like a careful person, a member looks
again before sending (a question that arrived meanwhile is read first) and answers a question shown twice once.
(A member who answers the second copy of a duplicated question after the next question arrived has the answer
filed under the next one: the bot cannot tell which copy the member was reading. See the closing note of the
delivery issue.)

A question is recognised by what identifies it, not by its wording alone: the buttons by their callback data
(`handlers.callbacks.Button`), the value question by its indicator header ("Indikator n dari m", then the code),
the kendala and tindak lanjut questions by the indicator code they name. What each member typed is recorded, so
the checks can compare it with what the bot stored.
"""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import dataclass, field
from enum import Enum

from emulator.server import BotApiEmulator
from handlers.callbacks import Button, unpack
from tests.chaos.office import ANSWERS, Staff

HEADER = re.compile(r"^Indikator \d+ dari \d+")
KENDALA = re.compile(r"Capaian (\S+) di bawah target\. Apa kendalanya\?")
TINDAK_LANJUT = re.compile(r"Apa tindak lanjut untuk (\S+)\?")
REASON = "Tuliskan alasan singkat"
DONE = ("terkirim ke Sekretaris", "sudah dikirim dan menunggu pemeriksaan", "sudah disetujui dan dikunci")
IDLE = 8.0  # seconds without a new question before a member types /isi again
REFUSED = "TIDAK disimpan"  # an answer the bot did not file (it came before its question was known to be shown)
CALM = 1.5  # seconds a member told so waits before answering again, so answers and questions stop crossing


class Ask(Enum):
    VALUE = "value"
    KENDALA = "kendala"
    TINDAK_LANJUT = "tindak_lanjut"
    REASON = "reason"
    PRESS = "press"  # a button that moves on: evidence skipped, far-off confirmed, Kirim, Ya kirim
    DONE = "done"


@dataclass(frozen=True)
class Question:
    ask: Ask
    code: str | None = None
    callback_data: str | None = None


PRESSED = (Button.FILL_NEXT, Button.FILL_FAR_OFF_SURE, Button.FILL_SEND, Button.FILL_SEND_CONFIRM)


def read_question(message: dict) -> Question | None:
    """What the bot's message asks of the member, if anything."""
    text = message.get("text") or message.get("caption") or ""
    if REFUSED in text:  # the refusal notice on top, the question asked again below it (one message)
        text = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    if any(done in text for done in DONE):
        return Question(Ask.DONE)
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            pressed = unpack(button.get("callback_data"))
            if pressed is not None and pressed.button in PRESSED:
                return Question(Ask.PRESS, callback_data=button["callback_data"])
    lines = text.splitlines()
    for number, line in enumerate(lines[:-1]):
        if HEADER.match(line) and "Ketik nilai realisasi" in text:
            return Question(Ask.VALUE, lines[number + 1].split(" ", 1)[0])
    if found := KENDALA.search(text):
        return Question(Ask.KENDALA, found[1])
    if found := TINDAK_LANJUT.search(text):
        return Question(Ask.TINDAK_LANJUT, found[1])
    if REASON in text:
        return Question(Ask.REASON)
    return None


@dataclass
class Typed:
    """One message a member typed: the update it became, and what it answered."""

    update_id: int
    ask: Ask | None
    code: str | None
    text: str


@dataclass
class Person:
    emu: BotApiEmulator
    staff: Staff
    rng: random.Random
    hasty_notes: bool = False  # types the tindak lanjut 50 ms after the kendala, before it is asked (once each)
    think: tuple[float, float] = (0.15, 0.5)
    typed: list[Typed] = field(default_factory=list)
    pressed: int = 0
    retries: int = 0  # /isi typed again because the bot fell silent
    done: bool = False
    hurried: set[str] = field(default_factory=set)  # indicators whose notes were typed in a hurry

    @property
    def chat_id(self) -> int:
        return self.staff.telegram_id

    async def fill_form(self) -> None:
        """Fill the unit's form until it is sent (by this member or a colleague)."""
        loop = asyncio.get_running_loop()
        acted = 0  # the newest bot message this member has acted on
        acted_text = None  # its text then: a card edited into the next screen (sending the form) is new again
        calmed = 0  # the newest refusal this member has waited after
        await self._type("/isi", None, None)
        quiet_since = loop.time()
        answered_text = None  # the question this member answered last, as shown
        while True:
            refusal = self._newest_refusal(after=max(acted, calmed))
            if refusal is not None:
                calmed = refusal
                await asyncio.sleep(CALM)
                continue
            message, question = self._newest_question(after=acted, seen=acted_text)
            if question is None:
                if loop.time() - quiet_since > IDLE:
                    self.retries += 1
                    await self._type("/isi", None, None)
                    quiet_since = loop.time()
                await self.emu.state.activity_signal.wait(0.5)
                continue
            acted, acted_text, quiet_since = message["message_id"], message.get("text"), loop.time()
            if question.ask is Ask.DONE:
                self.done = True
                return
            if message.get("text") == answered_text and question.ask is not Ask.PRESS:
                continue  # the same question shown twice (a send Telegram took although it timed out): once
            await asyncio.sleep(self.rng.uniform(*self.think))
            newer, _ = self._newest_question(after=acted, seen=acted_text)
            if newer is not None:
                continue  # a new question came while the member was reading: they look again before typing
            answered_text = message.get("text")
            await self._answer(message, question)

    def _newest_refusal(self, after: int) -> int | None:
        for message in reversed(self.emu.sent_by_bot(self.chat_id)):
            if message["message_id"] <= after:
                break
            if REFUSED in (message.get("text") or ""):
                return message["message_id"]
        return None

    def _newest_question(self, after: int, seen: str | None = None) -> tuple[dict | None, Question | None]:
        """The newest bot message after message `after` that asks something, or `after` itself when its text is no
        longer `seen` (edited into the next screen)."""
        for message in reversed(self.emu.sent_by_bot(self.chat_id)):
            if message["message_id"] < after or (message["message_id"] == after and message.get("text") == seen):
                break
            if (question := read_question(message)) is not None:
                return message, question
        return None, None

    async def _answer(self, message: dict, question: Question) -> None:
        code = question.code
        match question.ask:
            case Ask.PRESS:
                if not self._still_has(message, question.callback_data):
                    return  # the keyboard went away while the member read: nothing to press
                self.pressed += 1
                await self.emu.user(self.chat_id).press(message, question.callback_data)
                self._record(Ask.PRESS, None, question.callback_data)
            case Ask.VALUE:
                await self._type(ANSWERS[code].typed, Ask.VALUE, code)
            case Ask.KENDALA:
                await self._type(ANSWERS[code].kendala(code), Ask.KENDALA, code)
                if self.hasty_notes and code not in self.hurried:  # once: told it was too early, one waits
                    self.hurried.add(code)
                    await asyncio.sleep(0.05)
                    await self._type(ANSWERS[code].tindak_lanjut(code), Ask.TINDAK_LANJUT, code)
            case Ask.TINDAK_LANJUT:
                await self._type(ANSWERS[code].tindak_lanjut(code), Ask.TINDAK_LANJUT, code)
            case Ask.REASON:
                await self._type("Data sudah diperiksa ulang", Ask.REASON, None)

    def _still_has(self, message: dict, callback_data: str) -> bool:
        current = self.emu.state.chats[self.chat_id].messages.get(message["message_id"]) or {}
        return any(button.get("callback_data") == callback_data
                   for row in (current.get("reply_markup") or {}).get("inline_keyboard", []) for button in row)

    async def _type(self, text: str, ask: Ask | None, code: str | None) -> None:
        await self.emu.user(self.chat_id).send_text(text)
        self._record(ask, code, text)

    def _record(self, ask: Ask | None, code: str | None, text: str) -> None:
        update = self.emu.state.updates[-1]  # the update just queued (nothing ran in between)
        assert (update.get("message") or update.get("callback_query", {})).get("from", {}).get("id") == self.chat_id
        self.typed.append(Typed(update["update_id"], ask, code, text))


async def fill_forms(people: list[Person], stagger: float = 2.0) -> None:
    """Every member fills at once, each starting at a moment within the first `stagger` seconds."""

    async def one(person: Person) -> None:
        await asyncio.sleep(person.rng.uniform(0, stagger))
        await person.fill_form()

    await asyncio.gather(*(one(person) for person in people))
