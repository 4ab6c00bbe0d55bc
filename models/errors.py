"""Refusals of the domain: what the SOP does not allow now, as a code the outer layers word for the user.

Every code is a member of an enum, so a code that has no text is a failing test (`tests/test_error_codes.py`),
never a user's surprise. The values are the catalogue's key names (and what the audit log stores), so they
never change; `i18n.codes.text_key` maps each code to its text:

| enum | carried by | worded as |
|---|---|---|
| `ErrorCode` | `WorkflowError` (here) | `error.<code>` |
| `InviteCode` | `models.office.invites.InviteError` | `chat.invite_<code>` |
| `SpreadsheetCode` | `models.exchange.problems.SpreadsheetError` | `spreadsheet.<code>` |
| `ProblemCode` | `models.exchange.problems.RowProblem` | `import.problem.<code>` |
| `ExportCode` | `reports.export_kinds.ExportError` | `workbook.error.<code>` |
| `PeriodWordsCode` | `models.plan.period_words.PeriodWordsError` | `period_words.<code>` |
| `DateWordsCode` | `models.plan.date_words.DateWordsError` | `date_words.<code>` |
| `NumberCode` | `models.calc.numbers.NumberError` (kept in `calc`, below this module) | `fill.invalid_<code>` |
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Why a change is refused (`WorkflowError`)."""

    # Someone else was quicker, or the button is old: worded "already handled by … at …" when known.
    STALE = "stale"
    NOT_ALLOWED = "not_allowed"
    ALREADY_DECIDED = "already_decided"
    ALREADY_REPORTED = "already_reported"
    ALREADY_DISPOSED = "already_disposed"
    MEASUREMENT_STALE = "measurement_stale"
    # Permissions and lookups.
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    NOT_YOURSELF = "not_yourself"
    LAST_ROLE = "last_role"
    LAST_ADMIN = "last_admin"
    # The form and its period.
    FORM_SUBMITTED = "form_submitted"
    FORM_AT_KABID = "form_at_kabid"  # sent, waiting for the unit's kabid (the `kabid_review` rule)
    FORM_APPROVED = "form_approved"
    PERIOD_CLOSED = "period_closed"
    PERIOD_ARCHIVED = "period_archived"
    INCOMPLETE = "incomplete"
    FORM_CHANGED = "form_changed"  # changed since the sender was shown it (`review.form_mark`)
    NO_VALUE = "no_value"
    NOT_RETURNED_ITEM = "not_returned_item"
    RETURN_NEEDS_ITEMS = "return_needs_items"
    ARAHAN_REQUIRED = "arahan_required"
    NOT_LOCKED = "not_locked"
    ALREADY_REPORTED_LOCKED = "already_reported_locked"
    NOT_ALL_APPROVED = "not_all_approved"
    NOT_REPORTED = "not_reported"
    REMINDER_DONE = "reminder_done"
    # Pengukuran Kinerja (procedure B).
    NOT_A_QUARTER = "not_a_quarter"
    MEASUREMENT_NOT_APPROVED = "measurement_not_approved"
    MEASUREMENT_NOT_REPORTED = "measurement_not_reported"
    MEASUREMENT_NOT_READY = "measurement_not_ready"  # periods of the triwulan not archived yet
    MEASUREMENT_NO_ANALYSIS = "measurement_no_analysis"
    MEASUREMENT_NO_RENCANA_AKSI = "measurement_no_rencana_aksi"
    MEASUREMENT_TEXT_EMPTY = "measurement_text_empty"
    MEASUREMENT_TEXT_TOO_LONG = "measurement_text_too_long"
    # Opening by hand (`/periode`), the disposition's undo, follow-ups.
    PERIOD_NOT_DUE = "period_not_due"  # not ended yet, or nothing collected in it: not offered, not opened
    PERIOD_ALREADY_OPEN = "period_already_open"
    UNDO_EXPIRED = "undo_expired"  # the agreement's undo window has passed: the period is archived
    FOLLOW_UP_DONE = "follow_up_done"
    # Acting officials (Plt/Plh, `models.office.acting_officials`).
    ACTING_DATES_REVERSED = "acting_dates_reversed"
    ACTING_IN_PAST = "acting_in_past"
    ACTING_HOLDS_OFFICE = "acting_holds_office"
    ACTING_OVERLAP = "acting_overlap"
    ACTING_ENDED = "acting_ended"


class PeriodWordsCode(StrEnum):
    """Why a typed period is refused (`PeriodWordsError`): each text says which forms are accepted."""

    UNKNOWN = "unknown"  # names no month, triwulan or year
    NEEDS_PERIOD = "needs_period"  # a year where a month or a triwulan is needed (/laporan)
    NEEDS_QUARTER = "needs_quarter"  # a month or a year where a triwulan is needed (/pengukuran)


class DateWordsCode(StrEnum):
    """Why a typed day is refused (`models.plan.date_words.DateWordsError`): each text shows the forms accepted."""

    UNKNOWN = "unknown"  # names no day
    NO_SUCH_DAY = "no_such_day"  # a day the calendar lacks: 31 Februari


class InviteCode(StrEnum):
    """Why joining with an invitation failed (`InviteError`)."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ALREADY_MEMBER = "already_member"


class SpreadsheetCode(StrEnum):
    """Why a file cannot be read as a table (`SpreadsheetError`)."""

    FILE_MISSING = "file_missing"
    UNSUPPORTED_FORMAT = "unsupported_format"
    UNREADABLE = "unreadable"
    NO_HEADER = "no_header"
    # Hostile or damaged files, refused before or while reading (`spreadsheets` holds the limits).
    CORRUPT = "corrupt"
    NOT_XLSX = "not_xlsx"
    NO_SHEETS = "no_sheets"
    XML_TOO_LARGE = "xml_too_large"
    FILE_TOO_LARGE = "file_too_large"
    TOO_MANY_ROWS = "too_many_rows"
    TOO_MANY_COLUMNS = "too_many_columns"
    TOO_MANY_CELLS = "too_many_cells"
    CSV_ENCODING = "csv_encoding"
    CSV_BINARY = "csv_binary"
    CSV_MALFORMED = "csv_malformed"


class ProblemCode(StrEnum):
    """What is wrong with a cell or a row of an imported file (`RowProblem`)."""

    REQUIRED = "required"
    # What a cell holds that cannot be a value (`spreadsheets`, `problems.cell_number`).
    CELL_ERROR = "cell_error"
    FORMULA_WITHOUT_VALUE = "formula_without_value"
    TEXT_TOO_LONG = "text_too_long"
    DATE_NOT_A_NUMBER = "date_not_a_number"
    MISSING_COLUMN = "missing_column"
    NO_ROWS = "no_rows"
    INVALID_CHOICE = "invalid_choice"
    NOT_A_NUMBER = "not_a_number"
    TOO_MANY_DECIMALS = "too_many_decimals"
    TOO_LARGE = "too_large"  # beyond what can be stored (`models.calc.bounds`)
    TOO_PRECISE = "too_precise"
    BAD_GROUPING = "bad_grouping"
    AMBIGUOUS_UNIT = "ambiguous_unit"
    AMBIGUOUS_NUMBER = "ambiguous_number"
    INVALID_YEAR = "invalid_year"
    PERUBAHAN_OTHER_YEAR = "perubahan_other_year"  # a PK Perubahan's row of another year than its date's
    INVALID_DECIMALS = "invalid_decimals"
    RANGE_NEEDS_BOUNDS = "range_needs_bounds"
    RANGE_MIN_ABOVE_MAX = "range_min_above_max"
    NO_TARGET = "no_target"
    DUPLICATE_ROW = "duplicate_row"
    CONFLICTING_INDICATOR = "conflicting_indicator"
    SELF_PARENT = "self_parent"
    UNKNOWN_PARENT = "unknown_parent"
    PARENT_LEVEL = "parent_level"
    UNKNOWN_INDICATOR = "unknown_indicator"
    NOT_IN_PK = "not_in_pk"  # an indicator outside the PK in force for the period (`models.plan.pk`)
    INVALID_PERIOD = "invalid_period"
    PERIOD_KIND_BULAN = "period_kind_bulan"
    PERIOD_KIND_TRIWULAN = "period_kind_triwulan"
    DUPLICATE_VALUE = "duplicate_value"
    NEGATIVE = "negative"  # a number the indicator does not admit (`models.plan.indicators.admissible_problem`)
    NOT_WHOLE = "not_whole"
    PAGU_NOT_PROGRAM = "pagu_not_program"  # a pagu on a row that is no program or kegiatan
    BUDGET_CODE_TOO_LONG = "budget_code_too_long"  # the budget line's code (`ANG.` + kode) would not fit
    # A value the workflow refused (the `ErrorCode` of `WORKFLOW_PROBLEMS`).
    WORKFLOW_FORM_SUBMITTED = "workflow_form_submitted"
    WORKFLOW_FORM_AT_KABID = "workflow_form_at_kabid"
    WORKFLOW_FORM_APPROVED = "workflow_form_approved"
    WORKFLOW_PERIOD_ARCHIVED = "workflow_period_archived"


# The refusals of entering a value that an import reports as a problem of the row.
WORKFLOW_PROBLEMS = {
    ErrorCode.FORM_SUBMITTED: ProblemCode.WORKFLOW_FORM_SUBMITTED,
    ErrorCode.FORM_AT_KABID: ProblemCode.WORKFLOW_FORM_AT_KABID,
    ErrorCode.FORM_APPROVED: ProblemCode.WORKFLOW_FORM_APPROVED,
    ErrorCode.PERIOD_ARCHIVED: ProblemCode.WORKFLOW_PERIOD_ARCHIVED,
}


class ExportCode(StrEnum):
    """What cannot be exported (`reports.export_kinds.ExportError`)."""

    FORMULIR_NEEDS_PERIOD = "formulir_needs_period"
    EVIDENCE_NEEDS_PERIOD = "evidence_needs_period"
    UNIT_NOT_FOUND = "unit_not_found"
    UNIT_NOT_IN_PERIOD = "unit_not_in_period"
    NO_UNITS = "no_units"
    LKJIP_NEEDS_YEAR = "lkjip_needs_year"


class WorkflowError(Exception):
    """A change the SOP does not allow now; `.code` keys the message shown to the user, `.details` fill it."""

    def __init__(self, code: ErrorCode, **details: object) -> None:
        code = ErrorCode(code)  # a code outside the enum fails here, where it is raised, not when worded
        super().__init__(code, details)
        self.code = code
        self.details = details
