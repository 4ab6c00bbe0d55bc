"""Which workbooks an export writes, every spelling of each that the chat and the command line accept, and what
refuses an export (`ExportError`).

`/ekspor 2026-TW1 rekap` takes any spelling below (in any case); `sakip-bot export --jenis rekapitulasi` takes the
first spelling of each kind. Both come to an `ExportKind`, which `reports.workbooks.export_files` takes.

Exports hold approved values only; `/ekspor 2026 semua-data` (any spelling of `INCLUDE_DRAFTS_SPELLINGS`) and
`sakip-bot export --termasuk-draf` ask for the values not approved yet too, marked (`export_files(…,
include_drafts=True)`).
"""

from __future__ import annotations

from enum import StrEnum

from models.errors import ExportCode


class ExportKind(StrEnum):
    """The members' order is the chat's: a period button carries a kind's index (`handlers.documents`), so a new
    kind goes at the end."""

    KERTAS_KERJA = "kertas_kerja"  # the Kertas Kerja Pengukuran Kinerja
    REKAPITULASI = "rekapitulasi"
    FORMULIR = "formulir"  # each unit's Formulir Pengumpulan Data (a month or triwulan only)
    SEMUA = "semua"  # all the workbooks (a year: the Kertas Kerja, the Rekapitulasi and the LKjIP tables)
    BUKTI = "bukti"  # the evidence files of a month or triwulan in one ZIP (not among "semua")
    DATA = "data"  # the plain data export, XLSX and CSV, fixed snake_case columns (`reports.data_export`)
    LKJIP = "lkjip"  # the LKjIP's measurement tables of a year (`reports.lkjip`; among "semua" of a year)


SPELLINGS: dict[ExportKind, tuple[str, ...]] = {  # the first is the command line's
    ExportKind.KERTAS_KERJA: ("kertas-kerja", "kertas", "kertas_kerja"),
    ExportKind.REKAPITULASI: ("rekapitulasi", "rekap"),
    ExportKind.FORMULIR: ("formulir", "form", "forms"),
    ExportKind.SEMUA: ("semua", "all"),
    ExportKind.BUKTI: ("bukti", "evidence", "bukti-dukung"),
    ExportKind.DATA: ("data", "csv"),
    ExportKind.LKJIP: ("lkjip",),
}
INCLUDE_DRAFTS_SPELLINGS = ("semua-data", "termasuk-draf", "draf", "all-data", "with-drafts")
INCLUDE_DRAFTS_FLAG = "--termasuk-draf"  # the command line's
COMMAND_LINE_SPELLINGS = tuple(spellings[0] for spellings in SPELLINGS.values())
_KINDS_BY_WORD = {word: kind for kind, spellings in SPELLINGS.items() for word in spellings}


class ExportError(Exception):
    """What cannot be exported; `t(text_key(code), language, **details)` words it (details are text). Here, not
    beside the workbooks, so the chat and the command line catch it without loading openpyxl."""

    def __init__(self, code: ExportCode, **details: str) -> None:
        code = ExportCode(code)
        super().__init__(code, details)
        self.code = code
        self.details = details


def export_kind(word: str) -> ExportKind | None:
    """The kind a word names (any spelling above, in any case), or None."""
    return _KINDS_BY_WORD.get(word.lower())


def includes_drafts(word: str) -> bool:
    """Whether a word asks for the values not approved yet too (any of `INCLUDE_DRAFTS_SPELLINGS`, any case)."""
    return word.lower() in INCLUDE_DRAFTS_SPELLINGS
