"""Callback data: an action name and ids only, never names or values, always within Telegram's 64 bytes.

`pack("rv.ok", 12, 3)` → `"rv.ok|12|3"`; ids are integers, so even the largest ids fit easily.
"""

from __future__ import annotations

import re

MAX_BYTES = 64


def pack(action: str, *ids: int) -> str:
    data = "|".join([action, *(str(int(i)) for i in ids)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data}")
    return data


def unpack(data: str) -> tuple[str, list[int]]:
    action, *rest = (data or "").split("|")
    try:
        return action, [int(part) for part in rest]
    except ValueError:
        return "", []


def pattern(action: str) -> str:
    """A regex for CallbackQueryHandler matching one action."""
    return "^" + re.escape(action) + r"(\|-?\d+)*$"
