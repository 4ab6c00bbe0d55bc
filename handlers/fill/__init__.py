"""Form filling (`/isi`): unit members enter the realisasi indicator by indicator, with evidence (SOP A6-7)."""
