"""Export kinds: every spelling the chat (`/ekspor 2026-TW1 rekap`) and the command line (`--jenis`) accept.

Given the words members have always typed after /ekspor, then each still names the same workbooks, in any case,
and a period code names none; the command line offers exactly its six spellings and the Laporan, the Kertas Kerja by
default; the workbooks are asked for by an `ExportKind`, never a bare string.
"""

from __future__ import annotations

import pytest

from bot.cli import _parser
from reports.export_kinds import COMMAND_LINE_SPELLINGS, ExportKind, export_kind
from reports.workbooks import export_files

K, R, F, S, B, D = (ExportKind.KERTAS_KERJA, ExportKind.REKAPITULASI, ExportKind.FORMULIR, ExportKind.SEMUA,
                    ExportKind.BUKTI, ExportKind.DATA)
CHAT_WORDS = {  # written out: what members may type after the period
    "semua": S, "all": S, "kertas": K, "kertas_kerja": K, "kertas-kerja": K, "rekap": R, "rekapitulasi": R,
    "formulir": F, "form": F, "forms": F, "bukti": B, "evidence": B, "bukti-dukung": B, "data": D, "csv": D,
}


@pytest.mark.parametrize(("word", "kind"), sorted(CHAT_WORDS.items()))
def test_every_word_of_the_chat_names_its_kind_in_any_case(word: str, kind: ExportKind):
    assert export_kind(word) is kind
    assert export_kind(word.upper()) is kind


@pytest.mark.parametrize("word", ["2026-TW1", "2026", "kertaskerja", "", "rekapitulasi-2026"])
def test_other_words_name_no_kind(word: str):
    assert export_kind(word) is None


def test_the_command_line_offers_its_seven_spellings_and_the_laporan_and_the_kertas_kerja_by_default():
    assert COMMAND_LINE_SPELLINGS == ("kertas-kerja", "rekapitulasi", "formulir", "semua", "bukti", "data", "lkjip")
    assert [export_kind(word) for word in COMMAND_LINE_SPELLINGS] == [K, R, F, S, B, D, ExportKind.LKJIP]
    args = _parser().parse_args(["export", "--periode", "2026-TW1", "out.xlsx"])
    assert export_kind(args.jenis) is K
    assert _parser().parse_args(["export", "--periode", "april 2026", "--jenis", "laporan", "l.pdf"]).jenis == \
        "laporan"
    with pytest.raises(SystemExit):
        _parser().parse_args(["export", "--periode", "2026-TW1", "--jenis", "rekap", "out.xlsx"])


def test_a_period_button_keeps_the_index_of_each_kind_shipped():
    """A /ekspor period button carries its kind's index in `ExportKind`: a kind added goes at the end."""
    assert list(ExportKind)[:5] == [K, R, F, S, B]


def test_the_workbooks_are_asked_for_by_an_export_kind():
    with pytest.raises(TypeError):
        export_files(None, 2026, "semua", "id")
