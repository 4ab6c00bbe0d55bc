"""Admin journeys as (session, member, input) → screens: invitations, members, periods."""

from __future__ import annotations

from sqlmodel import Session, select

from handlers.callbacks import Button, pack
from handlers.common import now_of
from handlers.days_off import deadline_with_move
from handlers.fill.views import period_name
from handlers.screens import Screen
from i18n import t
from models.calc.dates import format_date, format_datetime
from models.collection.opening import open_period, opening_recipients, set_period_status
from models.errors import ErrorCode, WorkflowError
from models.office.audit import Actor
from models.office.invites import create_invite, invite_link
from models.office.members import members_by_unit, move_member, set_active, toggle_role
from models.office.organisation import Member, Role, Unit
from models.office.permissions import Action, require, roles_of_member
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.timing.schedule import ScheduleRules, check_may_open, due_periods
from reports.wording import esc

ROLES = list(Role)


def role_names(roles: set[Role], language: str) -> str:
    return ", ".join(t(f"role.{role.value}", language) for role in ROLES if role in roles)


# -- invitations -------------------------------------------------------------------------------------------
def invite_roles(session: Session, member: Member) -> list[Screen]:
    require(session, member, Action.INVITE)
    rows = [[(t(f"role.{role.value}", member.language), pack(Button.INVITE_ROLE, index))]
            for index, role in enumerate(ROLES)]
    return [Screen.of(t("admin.invite_choose_role", member.language), rows)]


def invite_units(session: Session, member: Member, role_index: int) -> list[Screen]:
    require(session, member, Action.INVITE)
    units = sorted(session.exec(select(Unit)).all(), key=lambda u: (u.parent_id is not None, u.name))
    rows = [[(unit.name, pack(Button.INVITE_UNIT, role_index, unit.id))] for unit in units]
    return [Screen.of(t("admin.invite_choose_unit", member.language,
                        role=t(f"role.{ROLES[role_index].value}", member.language)), rows)]


def invite_create(session: Session, member: Member, role_index: int, unit_id: int, bot_username: str,
                  timezone: str) -> list[Screen]:
    require(session, member, Action.INVITE)
    unit = session.get(Unit, unit_id)
    invite, token = create_invite(session, ROLES[role_index], unit, Actor.member(member.id),
                                  now=now_of(session))
    language = member.language
    return [Screen.of(t("admin.invite_created", language, role=t(f"role.{ROLES[role_index].value}", language),
                        unit=esc(unit.name), expires=format_datetime(invite.expires_at, timezone, language),
                        link=esc(invite_link(bot_username, token))))]


# -- members -----------------------------------------------------------------------------------------------
def members_list(session: Session, member: Member) -> list[Screen]:
    require(session, member, Action.MANAGE_MEMBERS)
    language = member.language
    blocks, buttons = [t("admin.members_header", language)], []
    for unit, members in members_by_unit(session):
        lines = [f"<b>{esc(unit.name)}</b>"]
        for other, roles in members:
            mark = "" if other.active else " " + t("admin.inactive", language)
            lines.append(f"• {esc(other.name)} — {role_names(roles, language)}{mark}")
            buttons.append([(f"⚙️ {other.name}"[:60], pack(Button.MEMBER, other.id))])
        blocks.append("\n".join(lines))
    return [Screen(blocks, buttons)]


def member_detail(session: Session, admin: Member, member_id: int) -> list[Screen]:
    require(session, admin, Action.MANAGE_MEMBERS, entity="member", entity_id=member_id)
    member = session.get(Member, member_id)
    if member is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    roles = roles_of_member(session, member)
    language = admin.language
    unit = session.get(Unit, member.unit_id)
    text = t("admin.member_detail", language, name=esc(member.name), unit=esc(unit.name),
             roles=role_names(roles, language),
             status=t("admin.active" if member.active else "admin.inactive", language))
    rows = [[(f"{'☑️' if role in roles else '⬜'} {t(f'role.{role.value}', language)}",
              pack(Button.MEMBER_ROLE, member.id, i))] for i, role in enumerate(ROLES)]
    rows.append([(t("admin.move_button", language), pack(Button.MEMBER_UNITS, member.id))])
    rows.append([(t("admin.deactivate_button" if member.active else "admin.activate_button", language),
                  pack(Button.MEMBER_ACTIVE, member.id))])
    return [Screen.of(text, rows)]


def menu_facts(session: Session, member_id: int) -> tuple[int, set[Role], str, bool]:
    member = session.get(Member, member_id)
    return member.telegram_user_id, roles_of_member(session, member), member.language, member.active


def member_toggle_role(session: Session, admin: Member, member_id: int, role_index: int) -> list[Screen]:
    toggle_role(session, admin, member_id, ROLES[role_index], now=now_of(session))
    return member_detail(session, admin, member_id)


def member_units(session: Session, admin: Member, member_id: int) -> list[Screen]:
    require(session, admin, Action.MANAGE_MEMBERS, entity="member", entity_id=member_id)
    units = sorted(session.exec(select(Unit)).all(), key=lambda u: (u.parent_id is not None, u.name))
    rows = [[(unit.name, pack(Button.MEMBER_MOVE, member_id, unit.id))] for unit in units]
    return [Screen.of(t("admin.choose_unit", admin.language), rows)]


def member_move(session: Session, admin: Member, member_id: int, unit_id: int) -> list[Screen]:
    move_member(session, admin, member_id, unit_id, now=now_of(session))
    return member_detail(session, admin, member_id)


def member_toggle_active(session: Session, admin: Member, member_id: int) -> list[Screen]:
    require(session, admin, Action.MANAGE_MEMBERS, entity="member", entity_id=member_id)
    member = session.get(Member, member_id)
    if member is None:
        raise WorkflowError(ErrorCode.NOT_FOUND)
    set_active(session, admin, member_id, not member.active, now=now_of(session))
    return member_detail(session, admin, member_id)


# -- periods -----------------------------------------------------------------------------------------------
def periods_list(session: Session, member: Member, rules: ScheduleRules) -> list[Screen]:
    """Recent periods with their status; "Tutup" for an open one, "Buka" for one closed earlier and for each
    period that is due (`due_periods`: ended, not open yet). "Buka" asks to confirm first (`period_confirm`)."""
    require(session, member, Action.MANAGE_PERIODS)
    language = member.language
    periods = sorted(session.exec(select(Period)).all(), key=lambda p: p.sort_key)
    lines = [t("admin.periods_header", language)]
    buttons = []
    offered = set()
    for period in periods[-8:]:
        status = PeriodStatus(period.status)
        deadline = format_date(period.deadline, language) if period.deadline else "–"
        lines.append(t("admin.period_line", language, period=period_name(period, language),
                       status=t(f"period_status.{status.value}", language), deadline=deadline))
        if status is PeriodStatus.OPEN:
            buttons.append([(t("admin.close_button", language, period=period_name(period, language)),
                             pack(Button.PERIOD_CLOSE, period.id))])
        elif status is PeriodStatus.CLOSED:
            buttons.append([_open_button(period.ref, language)])
            offered.add(period.ref)
    due = [ref for ref in due_periods(session, now_of(session), rules) if ref not in offered]
    buttons.extend([_open_button(ref, language)] for ref in due)
    if not due:
        lines.append(t("admin.nothing_due", language))
    return [Screen.of("\n".join(lines), buttons)]


def _open_button(ref: PeriodRef, language: str) -> tuple[str, str]:
    return (t("admin.open_button", language, period=ref.label(language)),
            pack(Button.PERIOD_OPEN, ref.year, 0 if ref.kind is PeriodKind.MONTH else 1, ref.number))


def _ref(year: int, quarterly: int, number: int) -> PeriodRef:
    return PeriodRef(PeriodKind.QUARTER if quarterly else PeriodKind.MONTH, year, number)


def period_confirm(session: Session, member: Member, year: int, quarterly: int, number: int, rules: ScheduleRules,
                   ) -> list[Screen]:
    """"Buka …": what opening it does (who is told, by when) before anything is opened or sent."""
    require(session, member, Action.MANAGE_PERIODS, entity="period")
    ref = _ref(year, quarterly, number)
    check_may_open(session, ref, now_of(session), rules)
    language = member.language
    count = len(opening_recipients(session, ref))
    deadline = format_date(rules.deadline_for(ref), language)
    ids = (year, quarterly, number)
    return [Screen.of(t("admin.open_confirm", language, period=ref.label(language), count=count, deadline=deadline),
                      [[(t("admin.open_yes", language), pack(Button.PERIOD_OPEN_CONFIRM, *ids)),
                        (t("admin.open_no", language), pack(Button.PERIOD_OPEN_CANCEL, *ids))]])]


def period_open_cancel(session: Session, member: Member, year: int, quarterly: int, number: int) -> list[Screen]:
    """"Batal": nothing is opened, nobody is told."""
    require(session, member, Action.MANAGE_PERIODS, entity="period")
    label = _ref(year, quarterly, number).label(member.language)
    return [Screen.of(t("admin.open_cancelled", member.language, period=label))]


def period_open(session: Session, member: Member, year: int, quarterly: int, number: int, rules: ScheduleRules,
                ) -> list[Screen]:
    """Open a period by hand once confirmed, due like a scheduled one (DEADLINE_DAY, moved off a day off); only
    a due period or one closed earlier (`check_may_open`: the confirmation may be pressed late)."""
    ref = _ref(year, quarterly, number)
    require(session, member, Action.MANAGE_PERIODS, entity="period")
    check_may_open(session, ref, now_of(session), rules)
    period = open_period(session, member, ref, rules.deadline_for(ref), now=now_of(session))
    return [Screen.of(t("admin.period_opened", member.language, period=period_name(period, member.language),
                        deadline=deadline_with_move(period, rules, member.language)))]


def period_close(session: Session, member: Member, period_id: int) -> list[Screen]:
    period = set_period_status(session, member, period_id, PeriodStatus.CLOSED, now=now_of(session))
    return [Screen.of(t("admin.period_closed", member.language, period=period_name(period, member.language)))]
