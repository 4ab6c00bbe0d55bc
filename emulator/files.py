"""File storage helpers: file ids, photo size sets, documents and input-file resolution.

Every stored blob gets a ``file_id`` / ``file_unique_id`` and a ``file_path`` under which
it can be downloaded from ``/file/bot<token>/<file_path>``.  Photos become a list of
``PhotoSize`` objects (all sizes share the same bytes, each with its own file_id).
"""

from __future__ import annotations

import mimetypes
import struct
from typing import Any

from .errors import bad_request
from .params import Params, UploadedFile
from .state import EmulatorState, StoredFile

MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
_PHOTO_SIDES = (90, 320, 800, 1280)
_EXTENSIONS = {"photo": "jpg", "document": "dat", "video": "mp4", "audio": "mp3", "voice": "oga"}


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width/height of PNG, GIF or JPEG bytes, or None if unknown."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:2] == b"\xff\xd8":
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                index += 1
                continue
            marker = data[index + 1]
            length = struct.unpack(">H", data[index + 2 : index + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return width, height
            index += 2 + length
    return None


def store_file(
    state: EmulatorState,
    data: bytes,
    kind: str,
    *,
    file_name: str | None = None,
    mime_type: str | None = None,
) -> StoredFile:
    """Register ``data`` and return the new :class:`StoredFile`."""
    number = state.next_sequence()
    extension = _EXTENSIONS.get(kind, "dat")
    if file_name and "." in file_name:
        extension = file_name.rsplit(".", 1)[1][:8] or extension
    stored = StoredFile(
        file_id=f"{kind.upper()[:3]}-{number:06d}-emu",
        file_unique_id=f"U{number:06d}",
        data=data,
        kind=kind,
        file_path=f"{kind}s/file_{number}.{extension}",
        file_name=file_name,
        mime_type=mime_type,
    )
    state.files[stored.file_id] = stored
    state.file_paths[stored.file_path] = stored.file_id
    return stored


def store_photo(state: EmulatorState, data: bytes) -> list[dict[str, Any]]:
    """Store a photo and return its PhotoSize list (smallest first, like Telegram)."""
    width, height = image_size(data) or (1280, 960)
    longest = max(width, height, 1)
    sides = [side for side in _PHOTO_SIDES if side < longest] + [min(longest, 2560)]
    sizes = []
    for side in sides:
        scale = side / longest
        stored = store_file(state, data, "photo", mime_type="image/jpeg")
        sizes.append(
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(data),
                "width": max(1, round(width * scale)),
                "height": max(1, round(height * scale)),
            }
        )
    for size in sizes:
        state.photo_sets[size["file_id"]] = sizes
    return sizes


def store_document(state: EmulatorState, data: bytes, file_name: str | None, mime_type: str | None) -> dict[str, Any]:
    """Store a document and return its Document object."""
    guessed = mimetypes.guess_type(file_name)[0] if file_name else None
    mime = guessed or mime_type or "application/octet-stream"
    stored = store_file(state, data, "document", file_name=file_name, mime_type=mime)
    return document_object(stored)


def document_object(stored: StoredFile) -> dict[str, Any]:
    document: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return document


def _upload_for(params: Params, field: str, value: Any) -> UploadedFile | None:
    if isinstance(value, str) and value.startswith("attach://"):
        upload = params.files.get(value[len("attach://") :])
        if upload is None:
            raise bad_request(f"wrong file identifier/HTTP URL specified (missing upload {value})")
        return upload
    if value is None:
        return params.files.get(field)
    return None


def resolve_media(params: Params, state: EmulatorState, field: str, value: Any, kind: str) -> dict[str, Any] | list:
    """Turn an input file (upload, ``attach://``, URL or file_id) into stored media.

    Returns a PhotoSize list for ``kind == "photo"``, otherwise a Document-like object.
    """
    upload = _upload_for(params, field, value)
    if upload is not None:
        if kind == "photo":
            return store_photo(state, upload.data)
        return store_document(state, upload.data, upload.filename, upload.content_type)
    if not isinstance(value, str) or not value:
        raise bad_request(f"there is no {kind} in the request")
    if value.startswith(("http://", "https://")):
        # The emulator cannot fetch URLs; remember an empty placeholder instead.
        if kind == "photo":
            return store_photo(state, b"")
        return store_document(state, b"", value.rsplit("/", 1)[-1] or None, None)
    stored = state.files.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if (stored.kind == "photo") != (kind == "photo"):
        raise bad_request("type of file mismatch")
    if kind == "photo":
        return state.photo_sets[value]
    return document_object(stored)


def get_file(state: EmulatorState, file_id: str) -> dict[str, Any]:
    """Implementation of getFile."""
    stored = state.files.get(file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > MAX_DOWNLOAD_SIZE:
        raise bad_request("file is too big")
    return stored.describe()
