"""Files in the browser sandbox: serving stored files to the page and classifying uploads.

A stored photo says ``image/jpeg`` whatever its bytes are (Telegram re-encodes photos to
JPEG; the emulator keeps the original bytes), so the page gets the type sniffed from the
bytes.  Only raster images are ever served ``inline``: anything else (an uploaded ``.html``
or ``.svg`` among them) is an attachment under a ``sandbox`` CSP, so a file a person
uploads can never run script in the sandbox page's origin.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from aiohttp import web

from .state import StoredFile

INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# Telegram sends PNG/JPEG/WebP as photos when a person does not choose "send as file";
# a GIF becomes an animation, which the sandbox leaves as a document.
PHOTO_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram's limit for photos; larger images go as files


def sniff_image_type(data: bytes) -> str | None:
    """The MIME type of PNG, JPEG, GIF or WebP bytes, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def sends_as_photo(data: bytes) -> bool:
    """Whether an upload goes out as a photo (like Telegram's default) rather than a file."""
    return sniff_image_type(data) in PHOTO_TYPES and len(data) <= MAX_PHOTO_BYTES


def served_name(stored: StoredFile, content_type: str) -> str:
    """The file name the browser saves: the document's own name, else one from the path."""
    if stored.file_name:
        return stored.file_name
    stem = stored.file_path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    extension = mimetypes.guess_extension(content_type) or ".bin"
    return stem + (".jpg" if extension == ".jpe" else extension)


def content_disposition(disposition: str, file_name: str) -> str:
    """``attachment; filename="..."; filename*=UTF-8''...`` with an ASCII fallback."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in file_name) or "file"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def file_response(stored: StoredFile, *, download: bool) -> web.Response:
    """The stored bytes with their type and name; images inline unless ``download``."""
    sniffed = sniff_image_type(stored.data)
    if stored.kind == "photo":
        content_type = sniffed or "application/octet-stream"
    else:
        content_type = stored.mime_type or "application/octet-stream"
    inline = not download and content_type in INLINE_IMAGE_TYPES and sniffed == content_type
    headers = {
        "Content-Disposition": content_disposition(
            "inline" if inline else "attachment", served_name(stored, content_type)
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, max-age=3600",  # a file_id's bytes never change
    }
    return web.Response(body=stored.data, content_type=content_type, headers=headers)
