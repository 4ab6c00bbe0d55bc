#!/usr/bin/env bash
# SAKIP Bot developer entry point; does all set-up on a fresh machine with Python 3.11+.
#   ./dev.sh run          set up, create/upgrade the SQLite database, run the bot (long polling); without a
#                         TELEGRAM_BOT_TOKEN, the sandbox (its own database only: no office database is made)
#   ./dev.sh test [ARGS]  set up, run the whole test suite (extra ARGS go to pytest)
#   ./dev.sh lint         set up, run ruff and the layer contract (import-linter)
set -euo pipefail
cd "$(dirname "$0")"

pick_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "dev.sh: Python 3.11 or newer is needed (python3.11 not found)" >&2
  return 1
}

setup() {
  local stamp=.venv/.installed wanted
  wanted=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ ! -x .venv/bin/python ]; then
    "$(pick_python)" -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[test]'
    echo "$wanted" > "$stamp"
  fi
}

setup_browser() {
  # The sandbox's browser test drives Debian's Chromium; install it where we may (root with apt), else the test
  # is skipped and says why.
  command -v chromium >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "dev.sh: installing Chromium for the browser test (apt-get install chromium)" >&2
    { apt-get install -y -qq chromium >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }; } ||
      echo "dev.sh: Chromium could not be installed; the browser test will be skipped" >&2
  fi
  return 0
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  run)
    setup
    [ -f .env ] || cp .env.example .env
    # The office's database is made only for a real bot: without a token `run` starts the sandbox, which has
    # its own (a bad .env is reported by `run` itself).
    if .venv/bin/python -c 'import sys; from bot.config import load_settings
sys.exit(0 if load_settings().telegram_bot_token else 1)' 2>/dev/null; then
      .venv/bin/sakip-bot init
    fi
    exec .venv/bin/sakip-bot run "$@"
    ;;
  test)
    setup
    setup_browser
    # Three workers on two cores: the chat tests mostly wait (on the emulator, on pacing), so a third fills the
    # gaps; SAKIP_TEST_WORKERS=0 runs everything in one process.
    exec .venv/bin/python -m pytest -n "${SAKIP_TEST_WORKERS:-3}" "$@"
    ;;
  lint)
    setup
    .venv/bin/ruff check .
    .venv/bin/lint-imports
    ;;
  *)
    echo "usage: ./dev.sh run | ./dev.sh test [pytest arguments] | ./dev.sh lint" >&2
    exit 2
    ;;
esac
