"""Procedure B: the Pengukuran Kinerja of a triwulan and its review, report, disposition and archive."""
