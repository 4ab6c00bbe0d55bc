"""The SOP's steps, their numbers in the SOP and their standard durations (mutu baku), from the settings."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from models.calc.working_time import QuietHours


class Step(StrEnum):
    DISTRIBUSI = "distribusi"  # A6: forms distributed to every unit
    PENGISIAN = "pengisian"  # A7: units fill and hand in their forms
    VERIFIKASI_KABID = "verifikasi_kabid"  # A7 too: a Bidang's head approves its form on (only with KABID_REVIEW)
    REKAP = "rekap"  # A8: the Tim recaps (automatic)
    LAPORAN_SEKRETARIS = "laporan_sekretaris"  # A9: recap reported to the Sekretaris (automatic)
    VERIFIKASI = "verifikasi"  # A10: the Sekretaris approves or returns
    LAPORAN_KEPALA = "laporan_kepala"  # A11: the Sekretaris reports to the Kepala Dinas
    DISPOSISI = "disposisi"  # A11 output: the Kepala Dinas's disposition
    ARSIP = "arsip"  # A12: archived (automatic with the disposition)
    UKUR_LAPORAN = "ukur_laporan"  # B7: the Tim reports the measurement recap to the Sekretaris
    UKUR_VERIFIKASI = "ukur_verifikasi"  # B8: the Sekretaris approves or returns it
    UKUR_LAPORAN_KEPALA = "ukur_laporan_kepala"  # B9: the Sekretaris reports it to the Kepala Dinas
    UKUR_DISPOSISI = "ukur_disposisi"  # B9 output: the Kepala Dinas's disposition
    UKUR_ARSIP = "ukur_arsip"  # B10: archived (automatic with the disposition)


SOP_NUMBER = {Step.DISTRIBUSI: "6", Step.PENGISIAN: "7", Step.VERIFIKASI_KABID: "7", Step.REKAP: "8",
              Step.LAPORAN_SEKRETARIS: "9", Step.VERIFIKASI: "10", Step.LAPORAN_KEPALA: "11", Step.DISPOSISI: "11",
              Step.ARSIP: "12",
              Step.UKUR_LAPORAN: "7", Step.UKUR_VERIFIKASI: "8", Step.UKUR_LAPORAN_KEPALA: "9",
              Step.UKUR_DISPOSISI: "9", Step.UKUR_ARSIP: "10"}


AUTOMATIC = frozenset({Step.REKAP, Step.LAPORAN_SEKRETARIS, Step.ARSIP, Step.UKUR_ARSIP})


# The kabid's check has no standard in the SOP (it is part of step 7's day); the Sekretaris's 90 minutes is ours.
DEFAULT_STANDARDS_TEXT = ("distribusi=10m,pengisian=1d,verifikasi_kabid=90m,rekap=120m,laporan_sekretaris=40m,"
                          "verifikasi=90m,laporan_kepala=40m,disposisi=1d,arsip=10m,ukur_laporan=40m,ukur_verifikasi=100m,"
                          "ukur_laporan_kepala=40m,ukur_disposisi=1d,ukur_arsip=10m")


def _parse(text: str, working_day: timedelta) -> dict[Step, timedelta]:
    standards = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        name, sep, amount = part.partition("=")
        try:
            step = Step(name.strip().lower())
        except ValueError:
            raise ValueError(f"unknown step {name.strip()!r} (known: {', '.join(s.value for s in Step)})") from None
        amount = amount.strip().lower()
        unit = amount[-1:] if amount else ""
        if not sep or unit not in ("m", "h", "d") or not (amount[:-1].isascii() and amount[:-1].isdigit()):
            raise ValueError(f"{part!r}: expected a whole number with m, h or d, e.g. verifikasi=90m")
        number = int(amount[:-1])
        standards[step] = {"m": timedelta(minutes=number), "h": timedelta(hours=number),
                           "d": working_day * number}[unit]
    return standards


def parse_standards(text: str, working_day: timedelta) -> dict[Step, timedelta]:
    """`verifikasi=90m,pengisian=1d,...` → standards; `m` minutes, `h` hours, `d` working days (the time
    outside quiet hours in a weekday). Steps not named keep the SOP's default. ValueError names the bad part."""
    return {**_parse(DEFAULT_STANDARDS_TEXT, working_day), **_parse(text, working_day)}


DEFAULT_STANDARDS: dict[Step, timedelta] = parse_standards("", QuietHours().working_day_length())
