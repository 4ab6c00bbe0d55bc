"""The notices the domain queues in the outbox: one small frozen dataclass per kind of notification.

A notice says *what* to tell (ids only; the words come at send time, `handlers/notifications.py`). It is stored
as the outbox row's `kind` and JSON `params` (its fields, without those that are None), the format rows have
always had, so rows queued by an older version still decode. Fields added later need a default for that reason.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, ClassVar


class UnknownNotice(ValueError):
    """An outbox row whose kind or params match no notice type (a row of a newer version, or a bug)."""


@dataclass(frozen=True)
class Notice:
    kind: ClassVar[str]

    def params(self) -> dict[str, Any]:
        """The row's params: the fields, without those left None (one type can have two shapes)."""
        return {key: value for key, value in dataclasses.asdict(self).items() if value is not None}

    def params_json(self) -> str:
        return json.dumps(self.params(), sort_keys=True)


# --- collection: a unit's form, its review and unlocks (procedure A) ---

@dataclass(frozen=True)
class PeriodOpened(Notice):
    """A unit member's form is open to fill (SOP step 6)."""

    kind: ClassVar[str] = "period_opened"
    period_id: int


@dataclass(frozen=True)
class ReviewRequest(Notice):
    kind: ClassVar[str] = "review_request"
    form_id: int
    version: int
    resubmission: bool = False


@dataclass(frozen=True)
class FormSent(Notice):
    """The head of a unit (kabid) hears that his staff sent the unit's form to the Sekretaris (`sender_id`; none
    for a file imported by the Tim)."""

    kind: ClassVar[str] = "form_sent"
    form_id: int
    version: int
    sender_id: int | None = None


@dataclass(frozen=True)
class KabidReviewRequest(Notice):
    """The unit's form waits for its kabid's approval before the Sekretaris (the `kabid_review` rule)."""

    kind: ClassVar[str] = "kabid_review_request"
    form_id: int
    version: int
    resubmission: bool = False


@dataclass(frozen=True)
class FormReturned(Notice):
    kind: ClassVar[str] = "form_returned"
    form_id: int
    review_id: int


@dataclass(frozen=True)
class FormApproved(Notice):
    kind: ClassVar[str] = "form_approved"
    form_id: int


@dataclass(frozen=True)
class UnlockAsked(Notice):
    """A unit asks the Sekretaris to unlock an approved indicator."""

    kind: ClassVar[str] = "unlock_request"
    request_id: int


@dataclass(frozen=True)
class UnlockDecided(Notice):
    kind: ClassVar[str] = "unlock_decided"
    request_id: int


# --- reporting: the period to the Kepala Dinas and back ---

@dataclass(frozen=True)
class ReportReady(Notice):
    kind: ClassVar[str] = "report_ready"
    period_id: int


@dataclass(frozen=True)
class KepalaReport(Notice):
    kind: ClassVar[str] = "kepala_report"
    period_id: int


@dataclass(frozen=True)
class DispositionNotice(Notice):
    kind: ClassVar[str] = "disposition_notice"
    period_id: int
    disposition_id: int
    follow_up: bool = False


@dataclass(frozen=True)
class FollowUpDone(Notice):
    """A unit marked the Kepala Dinas's follow-up done, with a note (for the Kepala Dinas)."""

    kind: ClassVar[str] = "follow_up_done"
    follow_up_id: int


@dataclass(frozen=True)
class LaporanDocument(Notice):
    """The filed Laporan: of a period (`period_id`) or of a triwulan's measurement (`cycle_id`, `version`,
    `code`)."""

    kind: ClassVar[str] = "laporan_document"
    period_id: int | None = None
    cycle_id: int | None = None
    version: int | None = None
    code: str | None = None


# --- measurement: procedure B ---

@dataclass(frozen=True)
class MeasurementNotice(Notice):
    """A step of a triwulan's measurement; `version` is the cycle's at queueing (buttons only while current)."""

    cycle_id: int
    version: int


@dataclass(frozen=True)
class MeasurementReady(MeasurementNotice):
    kind: ClassVar[str] = "measurement_ready"


@dataclass(frozen=True)
class MeasurementReview(MeasurementNotice):
    kind: ClassVar[str] = "measurement_review"
    resubmission: bool = False


@dataclass(frozen=True)
class MeasurementReturned(MeasurementNotice):
    kind: ClassVar[str] = "measurement_returned"


@dataclass(frozen=True)
class MeasurementApproved(MeasurementNotice):
    kind: ClassVar[str] = "measurement_approved"


@dataclass(frozen=True)
class MeasurementReport(MeasurementNotice):
    kind: ClassVar[str] = "measurement_report"


@dataclass(frozen=True)
class MeasurementDisposed(MeasurementNotice):
    kind: ClassVar[str] = "measurement_disposed"


# --- timing: reminders and escalations ---

@dataclass(frozen=True)
class ReminderDue(Notice):
    """A reminder's message: sent, edited with the new countdown, or `replace`d (a fresh ping after a snooze)."""

    kind: ClassVar[str] = "reminder"
    reminder_id: int
    replace: bool = False


@dataclass(frozen=True)
class Escalation(Notice):
    """A unit has missed `missed` reminders: its head (`level` kabid), then the Sekretaris, hear of it."""

    kind: ClassVar[str] = "escalation"
    period_id: int
    unit_id: int
    level: str
    missed: int


# --- chat: a reply that could not be sent at once ---

Buttons = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)


@dataclass(frozen=True)
class ReplyPart:
    """One message of a deferred reply, as it was worded: HTML text, its buttons, and the number of the question
    it asks (`models/messaging/chat_state.py: set_state`), if it asks one."""

    text: str
    buttons: Buttons = ()
    question: int | None = None

    @classmethod
    def of(cls, values: ReplyPart | dict[str, Any]) -> ReplyPart:
        """From the row's JSON (lists where the fields hold tuples)."""
        if isinstance(values, ReplyPart):
            return values
        buttons = tuple(tuple((str(label), str(data)) for label, data in row) for row in values.get("buttons", ()))
        return cls(**{**values, "buttons": buttons})


@dataclass(frozen=True)
class DeferredReply(Notice):
    """A reply to a member's own message that Telegram did not take in time (flood waits beyond the retries, a
    timeout, the network): its messages already worded, delivered by the outbox in order. `member_id` marks a
    question it asks as shown once its message is delivered (the notice's own bookkeeping)."""

    kind: ClassVar[str] = "deferred_reply"
    member_id: int
    parts: tuple[ReplyPart, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(ReplyPart.of(part) for part in self.parts))

    def params(self) -> dict[str, Any]:
        """As the row holds them: JSON's lists where the parts hold tuples."""
        return json.loads(json.dumps(super().params()))


NOTICE_TYPES: dict[str, type[Notice]] = {cls.kind: cls for cls in (
    PeriodOpened, ReviewRequest, FormSent, KabidReviewRequest, FormReturned, FormApproved, UnlockAsked, UnlockDecided,
    ReportReady, KepalaReport, DispositionNotice, FollowUpDone, LaporanDocument,
    MeasurementReady, MeasurementReview, MeasurementReturned, MeasurementApproved, MeasurementReport,
    MeasurementDisposed,
    ReminderDue, Escalation,
    DeferredReply,
)}


def decode(kind: str, params: str | dict[str, Any]) -> Notice:
    """The notice of an outbox row; `UnknownNotice` when nothing matches (never a silent default)."""
    notice_type = NOTICE_TYPES.get(kind)
    if notice_type is None:
        raise UnknownNotice(f"unknown notice kind {kind!r}")
    values = json.loads(params) if isinstance(params, str) else params
    try:
        return notice_type(**values)
    except (TypeError, ValueError, AttributeError) as exc:
        raise UnknownNotice(f"{kind} with params {values!r}: {exc}") from exc
