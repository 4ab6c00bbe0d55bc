"""Media methods: sendPhoto, sendDocument, sendMediaGroup and getFile.

Uploads (multipart parts, also via ``attach://`` in media groups) are stored so tests can
read them back with ``emulator.file_bytes(file_id)``; resending by file_id reuses the
stored file and rejects kind mismatches like Telegram (``type of file mismatch``).
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import bad_request
from .files import get_file, resolve_media
from .methods import apply_markup, apply_reply, formatted_text, writable_chat
from .params import Params
from .registry import api_method
from .text import check_caption_length, parse_formatted

GROUPABLE_KINDS = ("photo", "video", "document", "audio")


def _caption_content(api: Any, p: Params) -> dict[str, Any]:
    caption, entities = formatted_text(api, p, "caption", "caption_entities")
    check_caption_length(caption)
    content: dict[str, Any] = {}
    if caption:
        content["caption"] = caption
    if entities:
        content["caption_entities"] = entities
    return content


async def _send_single(api: Any, p: Params, kind: str) -> dict[str, Any]:
    chat = writable_chat(api, p)
    content = _caption_content(api, p)
    media = resolve_media(p, api.state, kind, p.get(kind), kind)
    content[kind] = media
    if p.get_bool("has_spoiler"):
        content["has_media_spoiler"] = True
    apply_reply(chat, p, content)
    apply_markup(chat, p, content)
    return copy.deepcopy(api.state.new_message(chat, api.state.bot, content))


@api_method("sendPhoto")
async def send_photo(api: Any, p: Params) -> dict[str, Any]:
    return await _send_single(api, p, "photo")


@api_method("sendDocument")
async def send_document(api: Any, p: Params) -> dict[str, Any]:
    return await _send_single(api, p, "document")


def _media_item_content(api: Any, p: Params, item: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(item, dict) or item.get("type") not in GROUPABLE_KINDS:
        raise bad_request("can't parse InputMedia: media type must be one of photo, video, document, audio")
    kind = item["type"]
    content: dict[str, Any] = {}
    caption = item.get("caption")
    if caption is not None:
        text, entities = parse_formatted(
            caption, item.get("parse_mode"), item.get("caption_entities"), strict_html=api.strict_html
        )
        check_caption_length(text)
        if text:
            content["caption"] = text
        if entities:
            content["caption_entities"] = entities
    stored_kind = "photo" if kind == "photo" else "document"
    media = resolve_media(p, api.state, f"media_{kind}", item.get("media"), stored_kind)
    content[kind] = media
    return kind, content


@api_method("sendMediaGroup")
async def send_media_group(api: Any, p: Params) -> list[dict[str, Any]]:
    chat = writable_chat(api, p)
    media = p.get_json("media")
    if not isinstance(media, list):
        raise bad_request("can't parse media JSON object")
    if not 2 <= len(media) <= 10:
        raise bad_request("wrong number of media in the group: must include 2-10 items")
    items = [_media_item_content(api, p, item) for item in media]
    kinds = {kind for kind, _ in items}
    for exclusive in ("document", "audio"):
        if exclusive in kinds and len(kinds) > 1:
            raise bad_request(f"{exclusive} can't be mixed with other media types")
    group_id = str(10_000_000 + api.state.next_sequence())
    reply: dict[str, Any] = {}
    apply_reply(chat, p, reply)
    sent = []
    for _, content in items:
        content["media_group_id"] = group_id
        content.update(reply)
        sent.append(copy.deepcopy(api.state.new_message(chat, api.state.bot, content)))
    return sent


@api_method("getFile")
async def get_file_method(api: Any, p: Params) -> dict[str, Any]:
    return get_file(api.state, p.get_str("file_id") or "")
