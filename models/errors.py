"""Refusals of the domain: what the SOP does not allow now, as a code the outer layers word for the user."""

from __future__ import annotations


class WorkflowError(Exception):
    """A change the SOP does not allow now; `.code` keys the message shown to the user."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code, details)
        self.code = code
        self.details = details
