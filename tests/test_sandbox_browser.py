"""The sandbox in a real browser: headless Chromium (Debian's `chromium`, driven by Playwright) opens the page of
`sakip-bot sandbox` (its story dated 15 March 2027: Februari 2027 open), fills the form as the staff member of the
Bidang Pelayanan Perizinan (with a photo as evidence), approves every form as the Sekretaris, reports, sees the
Kepala Dinas's recap with its charts and gives a disposition; then the Tim SAKIP downloads the filed Laporan PDF.
Everything goes through the page as a visitor would use it; the bot is the real one, polling the emulator. On a
360-pixel-wide phone the page opens on that staff member's chat and its composer fits: the text box and the send
button both shown, side by side.

`./dev.sh test` installs Chromium where it can (root with apt-get); elsewhere this test is skipped and says so.
"""

from __future__ import annotations

import asyncio
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.sandbox import running_sandbox
from tests.chat.conftest import TestClock
from tests.test_sandbox_story import MID_MARCH

playwright_api = pytest.importorskip("playwright.async_api", reason="Playwright is installed by ./dev.sh test")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: ./dev.sh test installs Debian's chromium where it "
                       "can (root with apt-get); install it by hand elsewhere"),
    pytest.mark.timeout(240),
]
RINA, SEKRETARIS, KEPALA, TIM = 1022, 1002, 1001, 1003
WAIT = 30.0  # seconds for one step; the charts take a few seconds on a slow machine


def tiny_png() -> bytes:
    """A real 2×2 PNG (the emulator reads its size, as Telegram would)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    pixels = zlib.compress(b"\x00\xff\x00\x00\xff\x00\x00" * 2)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


class ChatPage:
    """One demo person's chat on the sandbox page."""

    def __init__(self, page, person: int):
        self.page = page
        self.person = person
        self.pane = page.locator(f'[data-testid="chat-{person}"]')

    async def open(self) -> ChatPage:
        await self.page.locator(f'[data-testid="person-{self.person}"]').click()
        await self.pane.wait_for(state="visible")
        return self

    def bot_bubbles(self, text: str):
        return self.pane.locator('[data-testid="message"][data-from="bot"]').filter(has_text=text)

    async def until(self, text: str, before: int = 0) -> None:
        """Wait until more than `before` bot bubbles contain `text`."""
        bubbles = self.bot_bubbles(text)
        deadline = asyncio.get_running_loop().time() + WAIT
        while await bubbles.count() <= before:
            if asyncio.get_running_loop().time() > deadline:
                shown = await self.pane.locator('[data-testid="message"]').all_inner_texts()
                raise AssertionError(f"no bot message with {text!r} in chat {self.person}; the chat shows:\n"
                                     + "\n---\n".join(shown[-6:]))
            await asyncio.sleep(0.1)

    async def _then(self, action, expect: str) -> None:
        before = await self.bot_bubbles(expect).count()
        await action()
        await self.until(expect, before)

    async def say(self, text: str, expect: str) -> None:
        async def type_and_send():
            await self.pane.locator('[data-testid="composer-text"]').fill(text)
            await self.pane.locator('[data-testid="composer-send"]').click()
        await self._then(type_and_send, expect)

    async def press(self, label: str, expect: str) -> None:
        button = self.pane.locator('[data-testid="inline-button"]').filter(has_text=label).last
        await button.wait_for(state="visible", timeout=WAIT * 1000)
        await self._then(button.click, expect)

    async def upload(self, path: Path, expect: str) -> None:
        await self._then(lambda: self.pane.locator('[data-testid="composer-file"]').set_input_files(str(path)),
                         expect)


@pytest.fixture
async def sandbox(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("AGREE_UNDO_MINUTES", "0")  # "Setuju" archives at once: the tour goes on to the Laporan
    clock = TestClock()
    clock.now = MID_MARCH
    async with running_sandbox(load_settings(), tmp_path / "sandbox", port=0, clock=clock) as running:
        yield running


async def test_a_visitor_fills_approves_and_sees_the_recap_in_the_browser(sandbox, tmp_path):
    photo = tmp_path / "bukti-nib.png"
    photo.write_bytes(tiny_png())
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="id-ID")
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(sandbox.url)

            # The staff member of the Bidang Pelayanan Perizinan got Februari's form and fills it.
            rina = await ChatPage(page, RINA).open()
            await rina.until("Februari 2027")
            await rina.say("/isi", "P.1")
            await rina.say("104", "bukti dukung")
            await rina.upload(photo, "Tersimpan: 1 berkas")  # evidence, as a photo from the phone
            await rina.press("Lanjut", "P.2")
            await rina.say("93", "bukti dukung")
            await rina.press("Lewati", "P.3")
            await rina.say("6", "bukti dukung")
            await rina.press("Lewati", "Ringkasan formulir")
            await rina.press("Kirim ke Sekretaris", "Kirim formulir ke Sekretaris?")
            await rina.press("Ya, kirim", "terkirim")
            assert await rina.pane.locator('img[data-testid="photo"]').count() == 1  # her evidence, shown

            # The Sekretaris approves the four forms, one message each, then reports to the Kepala Dinas.
            hendra = await ChatPage(page, SEKRETARIS).open()
            await hendra.until("Bidang Pelayanan Perizinan")
            for done in range(4):
                await hendra.press("Setujui", "disetujui dan dikunci")
                assert await hendra.bot_bubbles("disetujui dan dikunci").count() == done + 1
            await hendra.press("Laporkan ke Kepala Dinas", "dikirim ke Kepala Dinas")

            # The Kepala Dinas sees the charts (an album of pictures) and the recap with the disposition buttons.
            ratna = await ChatPage(page, KEPALA).open()
            await ratna.until("Rekap capaian")
            photos = ratna.pane.locator('img[data-testid="photo"]')
            assert await photos.count() >= 2
            await photos.first.scroll_into_view_if_needed()
            assert await photos.first.evaluate("img => img.complete && img.naturalWidth") >= 1000
            for label in ("Setuju", "Beri arahan"):  # on the recap message, which follows the album
                button = ratna.pane.locator('[data-testid="inline-button"]').filter(has_text=label)
                await button.first.wait_for(state="visible", timeout=WAIT * 1000)
            await ratna.press("Setuju", "diarsipkan")

            # The Tim SAKIP receives the period's Laporan as a PDF to download.
            maya = await ChatPage(page, TIM).open()
            document = maya.pane.locator('a[data-testid="document"]').filter(has_text="laporan-2027-02.pdf")
            await document.wait_for(state="visible", timeout=WAIT * 1000)
            answer = await page.request.get(await document.evaluate("link => link.href"))
            assert answer.ok and (await answer.body()).startswith(b"%PDF")
            assert errors == []
        finally:
            await browser.close()


async def test_on_a_phone_the_page_opens_on_rinas_chat_and_its_composer_fits(sandbox):
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 360, "height": 740}, locale="id-ID", has_touch=True,
                                          is_mobile=True, device_scale_factor=2)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(sandbox.url)
            rina = ChatPage(page, RINA)
            await rina.pane.wait_for(state="visible", timeout=WAIT * 1000)  # opened without a tap
            await rina.until("Februari 2027")
            text = rina.pane.locator('[data-testid="composer-text"]')
            send = rina.pane.locator('[data-testid="composer-send"]')
            for control in (text, send):
                await control.wait_for(state="visible", timeout=WAIT * 1000)
            boxes = [await control.bounding_box() for control in (text, send)]
            for box in boxes:
                assert box is not None and box["width"] >= 40 and box["x"] >= 0 and box["x"] + box["width"] <= 360
            typed, sent = boxes
            assert typed["x"] + typed["width"] <= sent["x"]  # side by side, not overlapping
            assert typed["width"] >= 150  # room to type: "Ketik pesan…" on one line, not squeezed by the buttons
            assert await page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing spills sideways
            await rina.say("/isi", "P.1")  # and it works
            assert errors == []
        finally:
            await browser.close()
