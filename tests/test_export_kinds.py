"""Export kinds: every spelling the chat (`/ekspor 2026-TW1 rekap`) and the command line (`--jenis`) accept.

Given the words members have always typed after /ekspor, then each still names the same workbooks, in any case,
and a period code names none; the command line offers exactly its five spellings, the Kertas Kerja by default;
the workbooks are asked for by an `ExportKind`, never a bare string.
"""

from __future__ import annotations

import pytest

from bot.cli import _parser
from reports.export_kinds import COMMAND_LINE_SPELLINGS, ExportKind, export_kind
from reports.workbooks import export_files

K, R, F, S, B = (ExportKind.KERTAS_KERJA, ExportKind.REKAPITULASI, ExportKind.FORMULIR, ExportKind.SEMUA,
                 ExportKind.BUKTI)
CHAT_WORDS = {  # written out: what members may type after the period
    "semua": S, "all": S, "kertas": K, "kertas_kerja": K, "kertas-kerja": K, "rekap": R, "rekapitulasi": R,
    "formulir": F, "form": F, "forms": F, "bukti": B, "evidence": B, "bukti-dukung": B,
}


@pytest.mark.parametrize(("word", "kind"), sorted(CHAT_WORDS.items()))
def test_every_word_of_the_chat_names_its_kind_in_any_case(word: str, kind: ExportKind):
    assert export_kind(word) is kind
    assert export_kind(word.upper()) is kind


@pytest.mark.parametrize("word", ["2026-TW1", "2026", "kertaskerja", "", "rekapitulasi-2026"])
def test_other_words_name_no_kind(word: str):
    assert export_kind(word) is None


def test_the_command_line_offers_its_six_spellings_and_the_kertas_kerja_by_default():
    assert COMMAND_LINE_SPELLINGS == ("kertas-kerja", "rekapitulasi", "formulir", "semua", "bukti", "lkjip")
    assert [export_kind(word) for word in COMMAND_LINE_SPELLINGS] == [K, R, F, S, B, ExportKind.LKJIP]
    args = _parser().parse_args(["export", "--periode", "2026-TW1", "out.xlsx"])
    assert export_kind(args.jenis) is K
    with pytest.raises(SystemExit):
        _parser().parse_args(["export", "--periode", "2026-TW1", "--jenis", "rekap", "out.xlsx"])


def test_the_workbooks_are_asked_for_by_an_export_kind():
    with pytest.raises(TypeError):
        export_files(None, 2026, "semua", "id")
