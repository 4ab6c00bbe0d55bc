"""`sakip-bot plt add|list|end`: name an acting Sekretaris or Kepala Dinas (Plt/Plh) for a range of days, list
those acting now or planned, end one early; the same domain calls as /plt in chat, audited as the command line."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.config import Settings
from i18n import t
from i18n.codes import text_key
from models.calc.clock import Clock, system_clock
from models.calc.dates import format_date
from models.errors import WorkflowError
from models.office.acting_officials import (
    ACTING_OFFICES,
    ActingKind,
    ActingOfficial,
    appoint,
    current_and_planned,
    end_acting,
    last_day,
)
from models.office.audit import Actor
from models.office.invites import member_by_telegram_id
from models.office.organisation import Member, Role
from models.plan.date_words import DateWordsError, parse_date_words
from models.store.database import session_scope
from reports.wording import acting_title, refusal_words

EXIT_OK, EXIT_PROBLEMS = 0, 1
OFFICE_WORDS = {"sekretaris": Role.SEKRETARIS, "kepala": Role.KEPALA, "kepala_dinas": Role.KEPALA,
                "kepala-dinas": Role.KEPALA}


def add_parser(commands: argparse._SubParsersAction) -> None:
    plt = commands.add_parser("plt", help="acting officials (Plt/Plh Sekretaris or Kepala Dinas): add, list, end",
                              description="Name a member acting Sekretaris or Kepala Dinas for a range of days "
                              "(Plh: Pelaksana Harian, Plt: Pelaksana Tugas); list those acting now or planned; "
                              "end one early. Within its days the acting official holds the office's rights and "
                              "gets its cards and reminders.")
    actions = plt.add_subparsers(dest="plt_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="name an acting official")
    add.add_argument("--jabatan", required=True, help="the office: sekretaris or kepala")
    add.add_argument("--anggota", required=True, help="the member: their Telegram id or their name")
    add.add_argument("--jenis", required=True, help="plt or plh")
    add.add_argument("--mulai", required=True, help="the first day, e.g. 2027-01-10 or \"10 Januari 2027\"")
    add.add_argument("--sampai", required=True, help="the last day (inclusive), e.g. 2027-01-20")
    actions.add_parser("list", help="the acting officials now and planned, with their numbers")
    end = actions.add_parser("end", help="end an acting official's days now (one not begun is called off)")
    end.add_argument("id", type=int, metavar="ID", help="its number, as `plt list` shows it")


def run(args: argparse.Namespace, settings: Settings, engine: Engine, clock: Clock = system_clock) -> int:
    language = settings.default_language
    now = clock().astimezone(settings.timezone)
    try:
        with session_scope(engine) as session:
            if args.plt_action == "add":
                return _add(session, args, settings, now, language)
            if args.plt_action == "end":
                acting = end_acting(session, Actor.cli(), args.id, now=now)
                member = session.get(Member, acting.member_id)
                print(t("cli.acting_ended", language, title=acting_title(acting, language), name=member.name,
                        id=acting.id))
                return EXIT_OK
            return _list(session, now, settings, language)
    except WorkflowError as error:
        print(t(text_key(error.code), language, **refusal_words(error.details, language)), file=sys.stderr)
        return EXIT_PROBLEMS
    except _Refused as refused:
        print(refused.text, file=sys.stderr)
        return EXIT_PROBLEMS


class _Refused(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _member(session: Session, typed: str, language: str) -> Member:
    typed = typed.strip()
    if typed.lstrip("-").isdigit():
        member = member_by_telegram_id(session, int(typed))
        if member is not None and member.active:
            return member
    wanted = typed.casefold()
    found = [m for m in session.exec(select(Member).where(Member.active == True).order_by(Member.id))  # noqa: E712
             if m.name.casefold() == wanted]
    if len(found) == 1:
        return found[0]
    if found:
        raise _Refused(t("cli.acting_ambiguous_member", language, member=typed,
                         names=", ".join(f"{m.name} ({m.telegram_user_id})" for m in found)))
    raise _Refused(t("cli.acting_unknown_member", language, member=typed))


def _add(session: Session, args: argparse.Namespace, settings: Settings, now: datetime, language: str) -> int:
    office = OFFICE_WORDS.get(args.jabatan.strip().casefold())
    if office is None or office not in ACTING_OFFICES:
        raise _Refused(t("cli.acting_unknown_office", language, office=args.jabatan))
    try:
        kind = ActingKind(args.jenis.strip().casefold().rstrip("."))
    except ValueError:
        raise _Refused(t("cli.acting_unknown_kind", language, kind=args.jenis)) from None
    member = _member(session, args.anggota, language)
    try:
        starts = parse_date_words(args.mulai, now.date())
        ends = parse_date_words(args.sampai, now.date())
    except DateWordsError as error:
        raise _Refused(t(text_key(error.code), language, value=error.value)) from None
    acting = appoint(session, Actor.cli(), office, member.id, kind, starts, ends, tz=settings.timezone, now=now)
    print(t("cli.acting_appointed", language, name=member.name, title=acting_title(acting, language),
            days=_days(acting, settings, language), id=acting.id))
    return EXIT_OK


def _days(acting: ActingOfficial, settings: Settings, language: str) -> str:
    return t("acting.days", language, starts=format_date(acting.starts_on, language),
             ends=format_date(last_day(acting, settings.timezone), language))


def _list(session: Session, now: datetime, settings: Settings, language: str) -> int:
    actings = current_and_planned(session, now)
    if not actings:
        print(t("cli.acting_none", language))
    for acting in actings:
        member = session.get(Member, acting.member_id)
        state = t("acting.now" if acting.starts_at <= now else "acting.planned", language)
        print(t("cli.acting_line", language, id=acting.id, title=acting_title(acting, language), name=member.name,
                days=_days(acting, settings, language), state=state))
    return EXIT_OK


__all__ = ["add_parser", "run"]
