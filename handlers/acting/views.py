"""What /plt shows: the acting officials now and planned, the steps of naming one, and what was done."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from handlers.callbacks import Button, pack
from handlers.screens import Screen
from i18n import t
from models.calc.dates import format_date
from models.office.acting_officials import ACTING_OFFICES, ActingKind, ActingOfficial, last_day
from models.office.organisation import Member, Role
from reports.wording import acting_title, esc

KINDS = list(ActingKind)  # a kind's button carries its index here


def office_name(office: Role, language: str) -> str:
    return t(f"role.{office.value}", language)


def days(starts: date, ends: date, language: str) -> str:
    return t("acting.days", language, starts=format_date(starts, language), ends=format_date(ends, language))


def overview(actings: list[tuple[ActingOfficial, Member]], now: datetime, tz: tzinfo, language: str) -> Screen:
    """The acting officials acting now or later, each with its button to end it; then the buttons to name one."""
    lines, rows = [t("acting.header", language)], []
    for acting, member in actings:
        title = acting_title(acting, language)
        state = t("acting.now" if acting.starts_at <= now else "acting.planned", language)
        lines.append(t("acting.line", language, title=title, name=esc(member.name), state=state,
                       days=days(acting.starts_on, last_day(acting, tz), language)))
        rows.append([(t("acting.end_button", language, title=title, name=member.name)[:60],
                      pack(Button.ACTING_END, acting.id))])
    if not actings:
        lines.append(t("acting.none", language))
    rows += [[(t("acting.new_button", language, office=office_name(office, language)),
               pack(Button.ACTING_NEW, index))] for index, office in enumerate(ACTING_OFFICES)]
    return Screen.of("\n".join(lines), rows)


def choose_member(office_index: int, candidates: list[Member], language: str) -> Screen:
    office = ACTING_OFFICES[office_index]
    rows = [[(member.name[:60], pack(Button.ACTING_MEMBER, office_index, member.id))] for member in candidates]
    return Screen.of(t("acting.choose_member", language, office=office_name(office, language)), rows)


def choose_kind(office_index: int, member: Member, language: str) -> Screen:
    office = ACTING_OFFICES[office_index]
    rows = [[(t(f"acting.kind_button.{kind.value}", language),
              pack(Button.ACTING_KIND, office_index, member.id, index))] for index, kind in enumerate(KINDS)]
    return Screen.of(t("acting.choose_kind", language, name=esc(member.name),
                       office=office_name(office, language)), rows)


def named(kind: ActingKind, office: Role, member: Member, language: str) -> str:
    """"Plh. Sekretaris Budi", for the questions."""
    title = t("acting.title", language, kind=t(f"acting.kind.{kind.value}", language),
              office=office_name(office, language))
    return t("acting.titled_name", language, title=title, name=esc(member.name))


def ask_from(who: str, number: int, language: str) -> Screen:
    return Screen.of(t("acting.ask_from", language, who=who), question=number)


def ask_until(who: str, starts: date, number: int, language: str) -> Screen:
    return Screen.of(t("acting.ask_until", language, who=who, starts=format_date(starts, language)),
                     question=number)


def appointed(acting: ActingOfficial, member: Member, language: str) -> Screen:
    return Screen.of(t("acting.appointed", language, name=esc(member.name), title=acting_title(acting, language),
                       days=days(acting.starts_on, acting.ends_on, language)))


def ended(acting: ActingOfficial, member: Member, language: str) -> Screen:
    return Screen.of(t("acting.ended", language, name=esc(member.name), title=acting_title(acting, language)))
