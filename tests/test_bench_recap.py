"""The recap benchmark runs end to end on a tiny office.

Given 2 units with 3 monthly indicators each and 3 months of filled forms, when `bench.recap` runs once per step,
then it prints every step (baseline, the three recaps, the progress, the three charts, the Kepala Dinas's report
read and album) with its ratio to the baseline figure, the per-chart averages, the triwulan's total, and the
Kepala's pictures and messages per report and the time to the buttons. No timing is judged: speed is shown by the
benchmark itself, never asserted.
"""

from __future__ import annotations

import re

import pytest

from bench import recap

STEPS = (
    "baseline: empty figure", "recap month (2026-03)", "recap triwulan (2026-TW1)", "recap year (2026)",
    "period_progress (2026-03)", "capaian_pages (triwulan)", "completeness_chart", "trend_chart x 2 IKU",
    "kepala: read (one session)", "kepala: album",
)


def test_tiny_office_prints_every_step_with_its_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    assert recap.main(["--units", "2", "--indicators", "3", "--months", "3", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "2 units x 3 monthly indicators = 6 indicators, 3 months of 2026: 18 realisasi" in out
    lines = out.splitlines()
    for step in STEPS:
        line = next((line for line in lines if line.startswith(step)), None)
        assert line is not None, f"no line for {step!r} in:\n{out}"
        assert re.search(r"\s\d+\.\d+x\s", line), line  # the ratio to the baseline figure
    assert re.search(r"^baseline: empty figure \S+\s+\d+\.\d+\s+1\.0x", out, re.MULTILINE)
    assert "6 rows" in next(line for line in lines if line.startswith("recap triwulan"))
    assert "1 PNG" in next(line for line in lines if line.startswith("capaian_pages"))
    assert "2 PNG" in next(line for line in lines if line.startswith("trend_chart"))
    assert re.search(r"^  capaian_pages \(triwulan\)\s+\d+\.\d+ s  ratio\s+\d+\.\d+x", out, re.MULTILINE)
    # the Kepala Dinas's report: one album and two messages (the recap with the buttons, the PDF)
    assert re.search(r"^kepala: [4-9] pictures in 1 album, 2 messages \(the recap: \d+ characters", out, re.MULTILINE)
    assert re.search(r"^kepala: time to the buttons \d+\.\d+ s \(read \d+\.\d+ s \+ album", out, re.MULTILINE)
    assert re.search(r"^recap \+ charts of one triwulan \(2026-TW1: .*\): \d+\.\d+ s  ratio\s*\d+\.\d+x", out,
                     re.MULTILINE)
