"""Wording of the notice that opens a period: each unit member's invitation to fill the form (SOP step 6)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from handlers.callbacks import Button, pack
from handlers.days_off import deadline_with_move
from handlers.fill.views import period_name
from handlers.screens import Screen
from i18n import t
from models.messaging.notices import PeriodOpened
from models.office.organisation import Member
from models.plan.periods import Period
from models.timing.schedule import ScheduleRules


def period_opened(session: Session, member: Member, notice: PeriodOpened, now: datetime,
                  rules: ScheduleRules) -> list[Screen]:
    period = session.get(Period, notice.period_id)
    language = member.language
    deadline = deadline_with_move(period, rules, language)
    return [Screen.of(t("notify.period_opened", language, period=period_name(period, language), deadline=deadline),
                      [[(t("notify.fill_button", language), pack(Button.FILL_PERIOD, period.id))]])]
