"""Demo data of a DPMPTSP: the 2026 Perjanjian Kinerja and Triwulan I realisasi (Indonesian CSV, `;`)."""

from pathlib import Path

DEMO_DIR = Path(__file__).parent
DEMO_PK = DEMO_DIR / "pk_dpmptsp_2026.csv"
DEMO_REALISASI = DEMO_DIR / "realisasi_dpmptsp_2026_tw1.csv"
