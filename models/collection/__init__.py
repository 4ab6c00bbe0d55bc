"""Procedure A steps 6-10: realisasi, a unit's form and its workflow, form filling, review, recap and progress."""
