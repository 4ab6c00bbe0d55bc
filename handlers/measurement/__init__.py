"""Pengukuran Kinerja (`/pengukuran`): the Tim prepares, the Sekretaris reviews and reports, the Kepala disposes (B)."""
