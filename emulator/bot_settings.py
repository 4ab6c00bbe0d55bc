"""Bot-level settings: command lists per scope/language, menu buttons, name/descriptions.

Commands are stored per ``(scope, language_code)`` exactly as set; :func:`resolve_commands`
applies Telegram's documented lookup order to tell which list a given user would see.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import bad_request
from .methods import find_chat
from .params import Params
from .registry import api_method
from .state import EmulatorState

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SIMPLE_SCOPES = ("default", "all_private_chats", "all_group_chats", "all_chat_administrators")
_TEXT_LIMITS = {"name": 64, "description": 512, "short_description": 120}


def scope_key(state: EmulatorState, scope: Any) -> tuple[Any, ...]:
    """Normalise a BotCommandScope into a hashable key, validating chats/users."""
    if scope is None:
        return ("default",)
    if not isinstance(scope, dict):
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope.get("type")
    if kind in _SIMPLE_SCOPES:
        return (kind,)
    if kind in ("chat", "chat_administrators", "chat_member"):
        chat = state.find_chat(scope.get("chat_id"))
        if chat is None:
            raise bad_request("chat not found")
        if kind != "chat_member":
            return (kind, chat.id)
        user_id = scope.get("user_id")
        if user_id not in state.users:
            raise bad_request("user not found")
        return (kind, chat.id, int(user_id))
    raise bad_request("unsupported BotCommandScope type")


def _language(p: Params) -> str:
    code = p.get_str("language_code") or ""
    if code and not re.fullmatch(r"[a-z]{2}", code):
        raise bad_request("invalid language code specified")
    return code


def _validate_commands(commands: Any) -> list[dict[str, str]]:
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    cleaned = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = str(command.get("command", "")).lstrip("/")
        description = str(command.get("description", ""))
        if not _COMMAND_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    return cleaned


@api_method("setMyCommands")
async def set_my_commands(api: Any, p: Params) -> bool:
    commands = _validate_commands(p.get_json("commands"))
    key = (scope_key(api.state, p.get_json("scope")), _language(p))
    if commands:
        api.state.commands[key] = commands
    else:
        api.state.commands.pop(key, None)
    return True


@api_method("getMyCommands")
async def get_my_commands(api: Any, p: Params) -> list[dict[str, str]]:
    key = (scope_key(api.state, p.get_json("scope")), _language(p))
    return list(api.state.commands.get(key, []))


@api_method("deleteMyCommands")
async def delete_my_commands(api: Any, p: Params) -> bool:
    api.state.commands.pop((scope_key(api.state, p.get_json("scope")), _language(p)), None)
    return True


def resolve_commands(
    state: EmulatorState,
    chat_id: int,
    user_id: int | None = None,
    language_code: str = "",
    *,
    is_admin: bool = False,
) -> list[dict[str, str]]:
    """Commands a user sees in ``chat_id``, following Telegram's scope precedence."""
    chat = state.chats.get(chat_id)
    private = chat is None or chat.type == "private"
    if private:
        scopes = [("chat", chat_id), ("all_private_chats",), ("default",)]
    else:
        scopes = [("chat_member", chat_id, user_id)]
        if is_admin:
            scopes.append(("chat_administrators", chat_id))
        scopes.append(("chat", chat_id))
        if is_admin:
            scopes.append(("all_chat_administrators",))
        scopes += [("all_group_chats",), ("default",)]
    for scope in scopes:
        for language in ([language_code] if language_code else []) + [""]:
            commands = state.commands.get((scope, language))
            if commands:
                return list(commands)
    return []


@api_method("setChatMenuButton")
async def set_chat_menu_button(api: Any, p: Params) -> bool:
    button = p.get_json("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("can't parse menu button JSON object")
    if "chat_id" in p:
        find_chat(api, p).menu_button = button
    else:
        api.state.default_menu_button = button
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(api: Any, p: Params) -> dict[str, Any]:
    if "chat_id" in p:
        return find_chat(api, p).menu_button or api.state.default_menu_button
    return api.state.default_menu_button


def _text_setting(field: str) -> tuple[Any, Any]:
    async def setter(api: Any, p: Params) -> bool:
        value = p.get_str(field) or ""
        if len(value) > _TEXT_LIMITS[field]:
            raise bad_request(f"bot {field.replace('_', ' ')} is too long")
        api.state.bot_texts[(field, _language(p))] = value
        return True

    async def getter(api: Any, p: Params) -> dict[str, str]:
        language = _language(p)
        value = api.state.bot_texts.get((field, language)) or api.state.bot_texts.get((field, ""), "")
        if field == "name" and not value:
            value = api.state.bot.first_name
        return {field: value}

    return setter, getter


for _field, _suffix in (("name", "Name"), ("description", "Description"), ("short_description", "ShortDescription")):
    _setter, _getter = _text_setting(_field)
    api_method(f"setMy{_suffix}")(_setter)
    api_method(f"getMy{_suffix}")(_getter)
