"""Settings come from the environment and .env; a bad value stops start-up with one line naming it."""

import pytest

from bot.application import build_application
from bot.cli import main
from bot.config import DEFAULT_DATABASE_URL, ConfigError, load_settings

VARIABLES = ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "TIMEZONE", "DEFAULT_LANGUAGE", "TELEGRAM_API_BASE_URL",
             "WEBHOOK_URL", "WEBHOOK_SECRET", "ADMIN_TELEGRAM_IDS", "WEBHOOK_PORT")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_are_the_embedded_setup():
    settings = load_settings()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.timezone == "Asia/Jakarta"
    assert settings.default_language == "id"
    assert settings.admin_telegram_ids == []
    assert settings.telegram_bot_token is None


def test_values_come_from_dotenv_and_the_environment_wins(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("ADMIN_TELEGRAM_IDS=111, 222\nDEFAULT_LANGUAGE=en\nTIMEZONE=Asia/Makassar\n")
    monkeypatch.setenv("TIMEZONE", "Asia/Jayapura")
    settings = load_settings()
    assert settings.admin_telegram_ids == [111, 222]
    assert settings.default_language == "en"
    assert settings.timezone == "Asia/Jayapura"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("TIMEZONE", "Mars/Olympus"),
        ("DEFAULT_LANGUAGE", "fr"),
        ("ADMIN_TELEGRAM_IDS", "12, abc"),
        ("WEBHOOK_PORT", "99999"),
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
