"""Settings come from the environment and .env; a bad value stops start-up with one line naming it."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr

from bot.application import build_application
from bot.cli import main
from bot.config import DEFAULT_DATABASE_URL, ConfigError, load_settings
from models.calc.days_off import DaysOff
from models.calc.working_time import QuietHours
from models.timing.schedule import ScheduleRules
from models.timing.steps import DEFAULT_STANDARDS, Step

VARIABLES = ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "TIMEZONE", "DEFAULT_LANGUAGE", "TELEGRAM_API_BASE_URL",
             "WEBHOOK_URL", "WEBHOOK_SECRET", "ADMIN_TELEGRAM_IDS", "WEBHOOK_PORT", "REMINDER_TIME", "QUIET_HOURS",
             "QUIET_WEEKENDS", "MUTU_BAKU")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_are_the_embedded_setup():
    settings = load_settings()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.timezone.key == "Asia/Jakarta"
    assert settings.default_language == "id"
    assert settings.admin_telegram_ids == []
    assert settings.telegram_bot_token is None


def test_values_come_from_dotenv_and_the_environment_wins(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("ADMIN_TELEGRAM_IDS=111, 222\nDEFAULT_LANGUAGE=en\nTIMEZONE=Asia/Makassar\n")
    monkeypatch.setenv("TIMEZONE", "Asia/Jayapura")
    settings = load_settings()
    assert settings.admin_telegram_ids == [111, 222]
    assert settings.default_language == "en"
    assert settings.timezone.key == "Asia/Jayapura"


def test_values_are_parsed_once_into_their_types(monkeypatch):
    token = "123456:" + "A" * 35
    for name, value in {"TELEGRAM_BOT_TOKEN": token, "TIMEZONE": "Asia/Makassar", "REMINDER_TIME": "9.30",
                        "QUIET_HOURS": "21:00-06:00", "QUIET_WEEKENDS": "false",
                        "MUTU_BAKU": "verifikasi=90m,disposisi=1d"}.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert isinstance(settings.telegram_bot_token, SecretStr) and token not in repr(settings)
    assert settings.require_token() == token
    assert settings.timezone == ZoneInfo("Asia/Makassar")
    assert settings.reminder_time == time(9, 30)
    assert settings.quiet_hours == QuietHours(time(21), time(6), weekends=False)
    rules = settings.schedule_rules()
    assert (rules.tz, rules.quiet, rules.reminder_time) == (settings.timezone, settings.quiet_hours, time(9, 30))
    # a working day (`d`) is the time outside these quiet hours: 06:00-21:00
    assert rules.standards[Step.VERIFIKASI] == timedelta(minutes=90)
    assert rules.standards[Step.DISPOSISI] == timedelta(hours=15)
    assert rules.standards[Step.ARSIP] == DEFAULT_STANDARDS[Step.ARSIP]


def test_the_defaults_are_parsed_with_the_other_values(monkeypatch):
    """QUIET_WEEKENDS applies to the default window; the SOP's standards count a working day outside the quiet
    hours given."""
    monkeypatch.setenv("QUIET_WEEKENDS", "false")
    assert load_settings().quiet_hours == QuietHours(time(20), time(7), weekends=False)
    monkeypatch.setenv("QUIET_HOURS", "21:00-06:00")
    assert load_settings().schedule_rules().standards[Step.DISPOSISI] == timedelta(hours=15)  # the SOP's 1d


def test_the_office_time_zone_is_the_schedule_s_by_default():
    assert load_settings().schedule_rules().tz == ScheduleRules().tz == ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("REMINDER_TIME", "25"),
        ("QUIET_HOURS", "malam"),
        ("MUTU_BAKU", "verifikasi=soon"),
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("TIMEZONE", "Mars/Olympus"),
        ("DEFAULT_LANGUAGE", "fr"),
        ("ADMIN_TELEGRAM_IDS", "12, abc"),
        ("WEBHOOK_PORT", "99999"),
        ("OFFICE_DAYS_OFF", "2026-13-01"),
        ("OFFICE_DAYS_OFF", "24-12-2026"),
        ("OFFICE_DAYS_OFF", "2026-12-31..2026-12-24"),
        ("NATIONAL_DAYS_OFF", "kadang"),
    ],
)
def test_a_malformed_value_names_its_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    message = str(error.value)
    assert message.startswith(f"{name} is invalid")
    assert "\n" not in message


def test_a_deployment_without_a_token_says_which_variable_is_missing(monkeypatch, capsys):
    """Without a token `run` starts the sandbox (tests/test_sandbox_cli.py), but not for a deployment."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://sakip@127.0.0.1:5432/sakip")
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "TELEGRAM_BOT_TOKEN" in err
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.go.id/hook")
    assert main(["run"]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


def test_the_bot_without_a_token_says_which_variable_is_missing():
    # the sandbox runs `run` without one: tests/test_sandbox_cli.py
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        build_application(load_settings(), engine=None)


def test_a_malformed_value_stops_the_cli_with_one_line(monkeypatch, capsys):
    monkeypatch.setenv("TIMEZONE", "Nowhere/Town")
    assert main(["init"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [err]
    assert "TIMEZONE" in err


def test_webhook_mode_does_not_start_without_its_secret(monkeypatch, capsys):
    """Without WEBHOOK_SECRET anyone who knows the URL could post updates in a member's name."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:" + "A" * 35)
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.go.id/hook")
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [err]
    assert err.startswith("sakip-bot: WEBHOOK_SECRET belum diisi") and "sakip-bot secret" in err


@pytest.mark.parametrize("value", ["rahasia kantor", "a" * 257, "kunci+rahasia", "kata/sandi"])
def test_a_webhook_secret_telegram_would_refuse_names_its_variable(monkeypatch, capsys, value):
    monkeypatch.setenv("WEBHOOK_SECRET", value)
    assert main(["init"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [err]
    assert err.startswith("sakip-bot: WEBHOOK_SECRET is invalid") and "sakip-bot secret" in err


def test_sakip_bot_secret_prints_a_line_for_dotenv_that_webhook_mode_accepts(monkeypatch, capsys, tmp_path):
    assert main(["secret"]) == 0
    out, err = capsys.readouterr()
    line = out.strip()
    assert re.fullmatch(r"WEBHOOK_SECRET=[A-Za-z0-9_-]{43}", line)
    assert ".env" in err  # the hint goes to stderr, so `sakip-bot secret >> .env` appends the line alone
    assert main(["secret"]) == 0
    assert capsys.readouterr().out.strip() != line  # a new one each time
    (tmp_path / ".env").write_text(f"WEBHOOK_URL=https://bot.example.go.id/hook\n{line}\n")
    assert load_settings().require_webhook_secret() == line.removeprefix("WEBHOOK_SECRET=")


def test_office_days_off_are_read_as_dates_and_become_days_off_of_the_schedule(monkeypatch):
    """OFFICE_DAYS_OFF takes dates and ranges; the schedule skips them like national holidays, which stay on."""
    monkeypatch.setenv("OFFICE_DAYS_OFF", " 2026-12-31 , 2026-12-28..2026-12-29;2026-12-24")
    settings = load_settings()
    assert settings.office_days_off == {date(2026, 12, 24), date(2026, 12, 28), date(2026, 12, 29),
                                        date(2026, 12, 31)}
    rules = settings.schedule_rules()
    assert rules.days_off == DaysOff(national=True, office=settings.office_days_off)
    # Monday 28 December's reminder: not the 28th, 29th (office), 30th is open
    assert rules.at_reminder_time(date(2026, 12, 28)) == datetime(2026, 12, 30, 8, tzinfo=rules.tz)
    assert not rules.hours.is_working_day(date(2026, 12, 31))
    monkeypatch.setenv("NATIONAL_DAYS_OFF", "false")
    assert load_settings().schedule_rules().days_off == DaysOff(national=False, office=settings.office_days_off)
    monkeypatch.delenv("OFFICE_DAYS_OFF")
    monkeypatch.delenv("NATIONAL_DAYS_OFF")
    assert load_settings().schedule_rules().days_off == DaysOff() == ScheduleRules().days_off


def test_a_bad_office_day_off_is_refused_naming_the_setting_and_the_part(monkeypatch):
    monkeypatch.setenv("OFFICE_DAYS_OFF", "2026-12-24,2026-02-30")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value) == (
        "OFFICE_DAYS_OFF is invalid: expected dates YYYY-MM-DD separated by commas (or a range "
        "YYYY-MM-DD..YYYY-MM-DD), e.g. 2026-12-24,2026-12-31, not '2026-02-30'")
    monkeypatch.setenv("OFFICE_DAYS_OFF", "2026-01-01..2027-06-30")
    with pytest.raises(ConfigError, match=r"OFFICE_DAYS_OFF is invalid: the range .* is longer than a year"):
        load_settings()
