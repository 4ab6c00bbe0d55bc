"""Bot API error responses raised by emulated methods.

Every failure a method can produce is an :class:`ApiError`; the server turns it into the
same JSON envelope real Telegram uses::

    {"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API error with HTTP status code, description and optional parameters."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """400 error with Telegram's ``Bad Request: `` prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """403 error with Telegram's ``Forbidden: `` prefix."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 flood-wait error carrying ``parameters.retry_after``."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


def not_found() -> ApiError:
    """404 returned for unknown methods and malformed tokens."""
    return ApiError(404, "Not Found")


def unauthorized() -> ApiError:
    """401 returned for well-formed tokens the emulator does not accept."""
    return ApiError(401, "Unauthorized")


class EntityParseError(Exception):
    """Raised by the text parsers; becomes ``Bad Request: can't parse entities: ...``."""
