"""Procedure A steps 11-12: the report to the Kepala Dinas, the disposition and the archive."""
