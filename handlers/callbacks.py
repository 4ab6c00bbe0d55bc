"""Callback data: a button's action and ids only, never names or values, always within Telegram's 64 bytes.

`pack(Button.REVIEW_APPROVE, 12, 3)` → `"rv.ok|12|3"`; `unpack("rv.ok|12|3")` → `Pressed(Button.REVIEW_APPROVE,
[12, 3])`. Every button the bot shows is a `Button`, which also names the ids it carries. Buttons already sitting
in members' chats carry these strings, so a value must never change; data that does not unpack (an action of an
older version of the bot, ids that are not numbers or not as many as the action carries) is `None`: the press
is answered as expired (`handlers.router.on_stale_button`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from enum import StrEnum
from typing import NamedTuple

MAX_BYTES = 64
_ID = re.compile(r"-?[0-9]+")


class Button(StrEnum):
    """What a pressed button asks for: the callback data's first part, then the ids that follow it."""

    ids: tuple[str, ...]

    def __new__(cls, value: str, ids: tuple[str, ...] = ()) -> Button:
        member = str.__new__(cls, value)
        member._value_ = value
        member.ids = ids
        return member

    # form filling (/isi)
    FILL_PERIOD = "isi.p", ("period_id",)
    # The buttons of a question carry its number first (`chat_state.set_state`): a question asked since makes
    # them expired. Their data of older versions (without the number) does not unpack: expired too.
    FILL_AMBIGUOUS = "isi.amb", ("question", "candidate")  # 0: the dots group thousands, 1: a decimal point
    FILL_FAR_OFF_SURE = "isi.sure", ("question",)
    FILL_RETYPE = "isi.retype", ("question",)
    FILL_KEEP = "isi.keep", ("question", "indicator_id")
    FILL_KEEP_KENDALA = "isi.keep_kendala", ("question", "indicator_id")
    FILL_KEEP_TINDAK_LANJUT = "isi.keep_tindak_lanjut", ("question", "indicator_id")
    FILL_NEXT = "isi.next", ("question",)
    FILL_EDIT = "isi.edit", ("period_id", "indicator_id")
    # 'Kirim' and its 'Ya, kirim' carry what identifies the form as shown (`review.form_mark`): a change since
    # refuses them. Those of older versions ("isi.send"/"isi.sendok" with the form's version) are expired.
    FILL_SEND = "isi.kirim", ("form_id", "mark")
    FILL_SEND_CONFIRM = "isi.kirimok", ("form_id", "mark")
    FILL_SEND_CANCEL = "isi.batal", ("form_id",)  # "isi.sendno" of older versions carried no form: expired
    # review by the Sekretaris, and unlocking an approved item
    REVIEW_APPROVE = "rv.ok", ("form_id", "version")
    REVIEW_RETURN = "rv.ret", ("form_id", "version")
    REVIEW_TOGGLE = "rv.t", ("form_id", "indicator_id")
    REVIEW_ARAHAN = "rv.arh", ("form_id",)
    REVIEW_CANCEL = "rv.cancel", ("form_id",)
    # the unit's head (kabid) before the Sekretaris (KABID_REVIEW); his return goes on with the REVIEW_ toggles
    KABID_APPROVE = "kb.ok", ("form_id", "version")
    KABID_RETURN = "kb.ret", ("form_id", "version")
    UNLOCK_REQUEST = "ul.req", ("form_id", "indicator_id")
    UNLOCK_GRANT = "ul.ok", ("request_id",)
    UNLOCK_REFUSE = "ul.no", ("request_id",)
    EVIDENCE = "bk", ("form_id",)  # 📎 Bukti: the form's evidence sent to whoever pressed it
    # report to the Kepala Dinas, and the disposition
    REPORT = "rp.go", ("period_id",)
    KEPALA_AGREE = "kd.ok", ("period_id",)
    KEPALA_ARAHAN = "kd.arh", ("period_id",)
    KEPALA_UNITS = "kd.unit", ("period_id",)  # a period's detail per unit (and its 📎 buttons): the report, /rekap
    KEPALA_AGREE_UNDO = "kd.undo", ("period_id",)  # "↩️ Batalkan" a "Setuju" within its undo window
    # the arahan shown back before it is sent (`handlers.kepala.arahan`): the preview's number first
    KEPALA_PREVIEW_UNIT = "kd.pu", ("question", "unit_id")
    KEPALA_PREVIEW_INDICATOR = "kd.pi", ("question", "indicator_id")
    KEPALA_PREVIEW_SEND = "kd.send", ("question", "period_id")
    KEPALA_PREVIEW_EDIT = "kd.edit", ("question", "period_id")
    FOLLOW_UP_DONE = "tl.done", ("follow_up_id",)  # "✅ Sudah ditindaklanjuti" on a unit's follow-up
    # admin: invitations, members, periods
    INVITE_ROLE = "inv.r", ("role_index",)
    INVITE_UNIT = "inv.u", ("role_index", "unit_id")
    MEMBER = "mb.m", ("member_id",)
    MEMBER_ROLE = "mb.r", ("member_id", "role_index")
    MEMBER_UNITS = "mb.u", ("member_id",)
    MEMBER_MOVE = "mb.uu", ("member_id", "unit_id")
    MEMBER_ACTIVE = "mb.x", ("member_id",)
    PERIOD_OPEN = "pd.o", ("year", "quarterly", "number")  # quarterly: 0 a month, 1 a triwulan
    PERIOD_CLOSE = "pd.c", ("period_id",)
    # "Buka …" (PERIOD_OPEN) asks first: who will be told; "Ya, buka" opens, "Batal" opens nothing
    PERIOD_OPEN_CONFIRM = "pd.y", ("year", "quarterly", "number")
    PERIOD_OPEN_CANCEL = "pd.n", ("year", "quarterly", "number")
    # reminders
    REMINDER_SNOOZE = "rm.snz", ("reminder_id",)
    # Pengukuran Kinerja (procedure B)
    MEASUREMENT_START = "ms.new", ("year", "quarter")
    MEASUREMENT_ANALYSIS = "ms.an", ("cycle_id",)
    MEASUREMENT_RENCANA_AKSI = "ms.ra", ("cycle_id",)
    # The analysis or rencana aksi being typed is complete, or is thrown away and typed again: the draft's
    # question number first, so they do nothing once another question is asked (those of older versions,
    # "ms.done"/"ms.redo" without the number, do not unpack: expired).
    MEASUREMENT_TEXT_DONE = "ms.fin", ("question", "cycle_id")
    MEASUREMENT_TEXT_RESTART = "ms.again", ("question", "cycle_id")
    MEASUREMENT_SUBMIT = "ms.sub", ("cycle_id", "version")
    MEASUREMENT_APPROVE = "ms.ok", ("cycle_id", "version")
    MEASUREMENT_RETURN = "ms.ret", ("cycle_id", "version")
    MEASUREMENT_REPORT = "ms.rep", ("cycle_id",)
    MEASUREMENT_AGREE = "ms.kok", ("cycle_id",)
    MEASUREMENT_ARAHAN = "ms.karh", ("cycle_id",)
    # A period chosen from the buttons /rekap, /ekspor, /laporan and /pengukuran offer without one, as one id
    # (`handlers.period_choice.scope_id`: 202604 April 2026, 202621 Triwulan I 2026, 202600 the year 2026), then
    # what else the command was told.
    RECAP_PERIOD = "rk.p", ("scope",)
    EXPORT_PERIOD = "ek.p", ("scope", "export_kind", "include_drafts")  # export_kind: its index in `ExportKind`
    LAPORAN_PERIOD = "lp.p", ("scope", "measurement")  # measurement: 1 the Pengukuran's Laporan
    MEASUREMENT_PERIOD = "ms.p", ("year", "quarter")
    # settings
    LANGUAGE = "lang", ("language_index",)
    # /tugas: an item's card opened from the list (the card's own buttons then act, as under its notification)
    INBOX_REVIEW = "tg.rv", ("form_id",)  # a form waiting for review: its review card
    INBOX_KABID_REVIEW = "tg.kb", ("form_id",)  # a form his staff sent the kabid first (KABID_REVIEW)
    INBOX_UNLOCK = "tg.ul", ("request_id",)  # an unlock request: its Izinkan / Tolak card
    INBOX_REPORT = "tg.rp", ("period_id",)  # a period every unit has approved: its "Laporkan" card
    INBOX_DISPOSE = "tg.kd", ("period_id",)  # a reported period: the Kepala Dinas's report again


class Pressed(NamedTuple):
    """Callback data read back: the button and its ids."""

    button: Button
    ids: list[int]


def pack(button: Button, *ids: int) -> str:
    """The callback data of `button` with its ids; refuses anything else, and data Telegram would reject."""
    if not isinstance(button, Button):
        raise TypeError(f"callback data is packed from a Button, not {button!r}")
    if len(ids) != len(button.ids):
        raise ValueError(f"{button.name} carries {', '.join(button.ids) or 'no ids'}, not {ids}")
    data = "|".join([button.value, *(str(int(i)) for i in ids)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data}")
    return data


def unpack(data: object) -> Pressed | None:
    """The button and ids in callback data; None for data this version of the bot does not know (expired)."""
    if not isinstance(data, str):
        return None
    action, *parts = data.split("|")
    try:
        button = Button(action)
    except ValueError:
        return None
    if len(parts) != len(button.ids) or not all(_ID.fullmatch(part) for part in parts):
        return None
    return Pressed(button, [int(part) for part in parts])


def matcher(buttons: Collection[Button]) -> Callable[[object], bool]:
    """A `CallbackQueryHandler` pattern: true for data that unpacks to one of `buttons` (the same reading the
    handler then does, so what is routed to a handler always unpacks there)."""
    wanted = frozenset(buttons)

    def matches(data: object) -> bool:
        pressed = unpack(data)
        return pressed is not None and pressed.button in wanted

    return matches
