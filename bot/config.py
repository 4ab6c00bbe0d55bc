"""Configuration from the environment and `.env`, validated once at start-up.

Every setting has a plain-word description; a missing or malformed value stops start-up with one line that
names the variable (see `ConfigError`), because an IT officer reading a log must know what to fix.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from i18n import t
from models.calc.clock import OFFICE_TZ
from models.calc.days_off import DaysOff, parse_days_off
from models.calc.working_time import QuietHours
from models.timing.schedule import ScheduleRules
from models.timing.steps import Step, parse_standards
from reports.letterhead import Letterhead, Signatory, format_nip, read_logo

DEFAULT_DATABASE_URL = "sqlite:///data/sakip.db"


def parse_clock(value: str) -> time:
    """`08:00` or `8.00` → a time of day."""
    try:
        hours, minutes = value.strip().replace(".", ":").split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"expected a time of day HH:MM, not {value!r}") from None


def parse_quiet_hours(value: str, weekends: bool) -> QuietHours:
    """`20:00-07:00` → quiet hours; `none` (or empty) → no quiet hours in a day."""
    text = value.strip().lower()
    if text in ("", "none", "tidak", "-"):
        return QuietHours(time(0), time(0), weekends)
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(f"expected HH:MM-HH:MM, e.g. 20:00-07:00, not {value!r}")
    return QuietHours(parse_clock(start), parse_clock(end), weekends)


LANGUAGES = ("id", "en")

# what Telegram accepts as a webhook's secret token (setWebhook: 1-256 characters A-Z, a-z, 0-9, _ and -)
WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def new_webhook_secret() -> str:
    """A fresh random secret Telegram accepts: 43 URL-safe characters (256 bits)."""
    return secrets.token_urlsafe(32)


# `sakip-bot sandbox`: where its throwaway database goes
SANDBOX_FOLDER = Path("data/sandbox")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line naming the variable."""


def _secret_text(value: object) -> object:
    """A secret setting as stripped text (None when empty), whether it comes as text or as a `SecretStr`; any other
    value is left to pydantic's own check."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if not isinstance(value, str):
        return value
    return value.strip() or None


class Settings(BaseSettings):
    """All settings of SAKIP Bot, typed and parsed once here. Environment variables win over `.env`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(
        default=None, description="The bot token from @BotFather (needed to run the bot)."
    )
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path/file.db (default data/sakip.db) or postgresql://user@host/db.",
    )
    timezone: ZoneInfo = Field(default=OFFICE_TZ, description="IANA time zone of the office.")
    default_language: str = Field(default="id", description="Language of new members: id or en.")
    telegram_api_base_url: str | None = Field(
        default=None, description="Base URL of a self-hosted Bot API server or a test server."
    )
    webhook_url: str | None = Field(default=None, description="Public HTTPS URL for webhook mode.")
    webhook_secret: SecretStr | None = Field(
        default=None, description="Secret token Telegram sends with every update in webhook mode (required there; "
        "1-256 characters A-Z a-z 0-9 _ -; `sakip-bot secret` makes one).")
    webhook_listen: str = Field(default="0.0.0.0", description="Address the webhook server listens on.")
    webhook_port: int = Field(default=8443, ge=1, le=65535, description="Port the webhook server listens on.")
    stop_timeout: float = Field(
        default=8, gt=0, le=300,
        description="Seconds a stop (SIGTERM, Ctrl+C) may take to finish the update in hand and the messages being "
                    "sent; keep it below the service manager's own limit (docker stop waits 10).")
    evidence_dir: str = Field(default="data/evidence", description="Folder where evidence files are kept.")
    evidence_max_mb: int = Field(default=20, ge=1, le=20,
                                 description="Largest evidence file accepted, in MB (Telegram lets a bot download "
                                             "at most 20).")
    evidence_quota_mb: int = Field(default=200, ge=1,
                                   description="Evidence files one member may upload in one period, in MB in all.")
    sandbox_host: str = Field(default="127.0.0.1", description="Address of the sandbox's browser page.")
    sandbox_port: int = Field(default=8765, ge=0, le=65535, description="Port of the sandbox's browser page.")
    admin_telegram_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Comma-separated Telegram user ids of the first admins."
    )
    auto_open_periods: bool = Field(default=True, description="Open each month and triwulan by itself when it ends.")
    auto_remind: bool = Field(default=True, description="Send reminders and escalations on schedule.")
    period_open_day: int = Field(default=1, ge=1, le=28,
                                 description="Day of the month after a period on which it opens (1-28).")
    deadline_day: int = Field(default=10, ge=1, le=28,
                              description="Day of the month after a period on which its forms are due (1-28).")
    reminder_time: time = Field(default=time(8, 0), description="Time of day reminders are sent, HH:MM.")
    reminder_days_before: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [3, 1],
        description="Working days before the deadline to remind (then on the day, then daily while overdue), "
                    "e.g. 3,1.")
    escalate_kabid_after: int = Field(default=4, ge=1,
                                      description="Reminders a unit may miss before its head (kabid) is told.")
    escalate_sekretaris_after: int = Field(default=6, ge=1,
                                           description="Reminders a unit may miss before the Sekretaris is told.")
    kabid_review: bool = Field(
        default=False, description="A Bidang's form sent by its staff goes first to its head (kabid) to approve or "
                                   "return, then to the Sekretaris (a unit without a kabid skips the step).")
    snooze_hours: float = Field(default=3, gt=0, le=72, description="How long 'Ingatkan nanti' waits, in hours.")
    agree_undo_minutes: float = Field(default=10, ge=0, le=1440,
                                      description="How long the Kepala Dinas may undo 'Setuju' before the period is "
                                                  "archived, in minutes (0: archived at once).")
    quiet_weekends: bool = Field(default=True, description="No reminders on Saturday and Sunday.")
    national_days_off: bool = Field(
        default=True, description="Indonesia's national holidays and cuti bersama are days off: no reminders, "
                                  "deadlines move to the next working day, the mutu baku clock stops.")
    office_days_off: Annotated[frozenset[date], NoDecode] = Field(
        default_factory=frozenset,
        description="The office's own days off, YYYY-MM-DD separated by commas, or a range YYYY-MM-DD..YYYY-MM-DD "
                    "(e.g. 2026-12-24,2026-12-28..2026-12-31); treated like national holidays.")
    # the defaults below are parsed like a value given (`validate_default`): with QUIET_WEEKENDS, and a working
    # day (`d`) as long as the time outside the quiet hours
    quiet_hours: Annotated[QuietHours, NoDecode] = Field(
        default="20:00-07:00", validate_default=True,
        description="No reminders in this window, HH:MM-HH:MM (or 'none').")
    mutu_baku: Annotated[dict[Step, timedelta], NoDecode] = Field(
        default="", validate_default=True,
        description="Standard time per SOP step, e.g. verifikasi=90m,disposisi=1d "
                    "(m minutes, h hours, d working days); the SOP's by default.")

    # the letterhead (kop surat) and the signature blocks of the documents (the Laporan)
    office_name: str = Field(default="", description="The office's name on the letterhead, e.g. DINAS PENANAMAN "
                             "MODAL DAN PELAYANAN TERPADU SATU PINTU (empty: the name of its top unit).")
    office_parent: str = Field(default="", description="The line above the office's name on the letterhead, e.g. "
                               "PEMERINTAH KABUPATEN PESISIR SELATAN.")
    office_address: str = Field(default="", description="The office's address on the letterhead.")
    office_phone: str = Field(default="", description="The office's telephone on the letterhead (optional).")
    office_email: str = Field(default="", description="The office's email on the letterhead (optional).")
    office_website: str = Field(default="", description="The office's website on the letterhead (optional).")
    office_city: str = Field(default="", description="The city of the documents' date line, e.g. Painan "
                             "(\"Painan, 10 Januari 2027\").")
    office_logo: str = Field(default="", description="Path of the logo (PNG or JPEG) at the letterhead's left; a "
                             "missing or unreadable file gives a letterhead without logo and a warning in the log.")
    kepala_name: str = Field(default="", description="The Kepala Dinas's name in the signature block (empty: a "
                             "line to write it by hand).")
    kepala_nip: str = Field(default="", description="The Kepala Dinas's NIP, 18 digits (spaces allowed).")
    kepala_title: str = Field(default="Kepala Dinas", description="The Kepala Dinas's jabatan as signed, e.g. "
                              "Kepala Dinas Penanaman Modal dan PTSP.")
    kepala_rank: str = Field(default="", description="The Kepala Dinas's pangkat/golongan (optional), e.g. "
                             "Pembina Utama Muda (IV/c).")
    sekretaris_name: str = Field(default="", description="The Sekretaris's name in the verifier's signature block.")
    sekretaris_nip: str = Field(default="", description="The Sekretaris's NIP, 18 digits (spaces allowed).")
    sekretaris_title: str = Field(default="Sekretaris", description="The Sekretaris's jabatan as signed.")
    sekretaris_rank: str = Field(default="", description="The Sekretaris's pangkat/golongan (optional).")

    @field_validator("office_name", "office_parent", "office_address", "office_phone", "office_email",
                     "office_website", "office_city", "office_logo", "kepala_name", "kepala_title", "kepala_rank",
                     "sekretaris_name", "sekretaris_title", "sekretaris_rank")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("kepala_nip", "sekretaris_nip")
    @classmethod
    def _nip_shape(cls, value: str) -> str:
        return format_nip(value) if value.strip() else ""

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        value = _secret_text(value)
        if not isinstance(value, str):
            return value
        head, sep, tail = value.partition(":")
        if not sep or not head.isdigit() or len(tail) < 20:
            raise ValueError("expected the form 123456789:ABC... as given by @BotFather")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+", "postgres:")):
            raise ValueError("expected sqlite:///file.db or postgresql://user@host:port/database")
        return value

    @field_validator("timezone", mode="before")
    @classmethod
    def _known_timezone(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (for example Asia/Jakarta)") from exc

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in LANGUAGES:
            raise ValueError(f"expected one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("telegram_api_base_url", "webhook_url")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret_shape(cls, value: object) -> object:
        value = _secret_text(value)
        if not isinstance(value, str):
            return value
        if not WEBHOOK_SECRET_SHAPE.fullmatch(value):
            raise ValueError("expected 1 to 256 characters A-Z, a-z, 0-9, _ and - (`sakip-bot secret` makes one)")
        return value

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _comma_separated_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            try:
                return [int(part) for part in parts if part]
            except ValueError as exc:
                raise ValueError("expected comma-separated numeric Telegram user ids") from exc
        return value

    @field_validator("reminder_time", mode="before")
    @classmethod
    def _clock_time(cls, value: object) -> object:
        return parse_clock(value) if isinstance(value, str) else value

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _quiet_window(cls, value: object, info: ValidationInfo) -> object:
        """The window, with QUIET_WEEKENDS (declared before it, so already parsed)."""
        return parse_quiet_hours(value, info.data.get("quiet_weekends", True)) if isinstance(value, str) else value

    @field_validator("office_days_off", mode="before")
    @classmethod
    def _office_dates(cls, value: object) -> object:
        return parse_days_off(value) if isinstance(value, str) else value

    @field_validator("reminder_days_before", mode="before")
    @classmethod
    def _days_list(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                days = [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
            except ValueError as exc:
                raise ValueError("expected comma-separated whole days, e.g. 3,1") from exc
            if any(day < 1 or day > 27 for day in days):
                raise ValueError("each day must be between 1 and 27")
            return days
        return value

    @field_validator("mutu_baku", mode="before")
    @classmethod
    def _standards(cls, value: object, info: ValidationInfo) -> object:
        """A working day (`d`) is the time outside the quiet hours (declared before, so already parsed)."""
        if not isinstance(value, str):
            return value
        return parse_standards(value, info.data.get("quiet_hours", QuietHours()).working_day_length())

    def schedule_rules(self) -> ScheduleRules:
        return ScheduleRules(
            tz=self.timezone, quiet=self.quiet_hours,
            days_off=DaysOff(national=self.national_days_off, office=self.office_days_off),
            auto_open=self.auto_open_periods, remind=self.auto_remind, open_day=self.period_open_day,
            deadline_day=self.deadline_day, reminder_time=self.reminder_time,
            days_before=tuple(sorted(set(self.reminder_days_before), reverse=True)),
            escalate_kabid_after=self.escalate_kabid_after, escalate_sekretaris_after=self.escalate_sekretaris_after,
            snooze=timedelta(hours=self.snooze_hours), agree_undo=timedelta(minutes=self.agree_undo_minutes),
            standards=dict(self.mutu_baku), kabid_review=self.kabid_review,
        )

    def letterhead(self) -> Letterhead:
        """The kop surat and signatories of the documents; the logo file is read now (a missing or unreadable
        one is logged and left out)."""
        return Letterhead(
            office=self.office_name, parent=self.office_parent, address=self.office_address,
            phone=self.office_phone, email=self.office_email, website=self.office_website, city=self.office_city,
            logo=read_logo(self.office_logo),
            kepala=Signatory(self.kepala_title or "Kepala Dinas", self.kepala_name, self.kepala_nip,
                             self.kepala_rank),
            sekretaris=Signatory(self.sekretaris_title or "Sekretaris", self.sekretaris_name, self.sekretaris_nip,
                                 self.sekretaris_rank),
        )

    def require_token(self) -> str:
        if self.telegram_bot_token is None:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in .env or the environment"
            )
        return self.telegram_bot_token.get_secret_value()

    def require_webhook_secret(self) -> str | None:
        """The webhook's secret in webhook mode (None when polling). Without it anyone who knows the URL could
        post updates in a member's name, so webhook mode does not start without one."""
        if self.webhook_url is None:
            return None
        if self.webhook_secret is None:
            raise ConfigError(t("cli.webhook_secret_missing", self.default_language))
        return self.webhook_secret.get_secret_value()

    def sqlite_path(self) -> Path | None:
        """The database file for a SQLite URL, else None."""
        if not self.database_url.startswith("sqlite:"):
            return None
        path = self.database_url.split(":///", 1)[-1]
        return None if path in ("", ":memory:") else Path(path)


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line that names the first bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "configuration"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name} is invalid: {message}") from None
