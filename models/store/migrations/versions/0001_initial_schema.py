"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

import models.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_notices",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("notified_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_group_notices")),
    )
    op.create_table(
        "handled_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("handled_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_handled_updates")),
    )
    with op.batch_alter_table("handled_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handled_updates_handled_at"), ["handled_at"], unique=False)

    op.create_table(
        "periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum("bulan", "triwulan", name="periodkind", native_enum=False, length=16), nullable=False
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "open", "closed", "archived", name="periodstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("created_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periods")),
        sa.UniqueConstraint("kind", "year", "number", name=op.f("uq_periods_kind_year_number")),
    )
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("dinas", "sekretariat", "bidang", name="unitkind", native_enum=False, length=19),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["units.id"], name=op.f("fk_units_parent_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("name", name=op.f("uq_units_name")),
    )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_units_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "tujuan",
                "sasaran",
                "program",
                "kegiatan",
                "subkegiatan",
                name="indicatorlevel",
                native_enum=False,
                length=19,
            ),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind", sa.Enum("IKU", "IKK", "lainnya", name="indicatorkind", native_enum=False, length=15), nullable=False
        ),
        sa.Column("satuan", sa.String(length=50), nullable=False),
        sa.Column(
            "polarity",
            sa.Enum("positif", "negatif", "rentang", name="polarity", native_enum=False, length=15),
            nullable=False,
        ),
        sa.Column(
            "negative_formula",
            sa.Enum("2T-R", "T/R", name="negativeformula", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column(
            "aggregation",
            sa.Enum("kumulatif", "nilai_akhir", "rata_rata", name="aggregation", native_enum=False, length=19),
            nullable=False,
        ),
        sa.Column("decimals", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "frequency",
            sa.Enum("bulanan", "triwulanan", name="frequency", native_enum=False, length=18),
            nullable=False,
        ),
        sa.Column("definisi_operasional", sa.Text(), nullable=True),
        sa.Column("sumber_data", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["indicators.id"], name=op.f("fk_indicators_parent_id_indicators")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_indicators_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
        sa.UniqueConstraint("code", name=op.f("uq_indicators_code")),
    )
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicators_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_indicators_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("nip", sa.String(length=30), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_members_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("telegram_user_id", name=op.f("uq_members_telegram_user_id")),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_members_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "unit_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "submitted", "returned", "approved", name="formstatus", native_enum=False, length=17),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("submitted_at", models.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_at", models.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["period_id"], ["periods.id"], name=op.f("fk_unit_forms_period_id_periods")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_unit_forms_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_forms")),
        sa.UniqueConstraint("unit_id", "period_id", name=op.f("uq_unit_forms_unit_id_period_id")),
    )
    with op.batch_alter_table("unit_forms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_forms_period_id"), ["period_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_forms_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_member_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["actor_member_id"], ["members.id"], name=op.f("fk_audit_log_actor_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "chat_states",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_chat_states_member_id_members")),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_chat_states")),
    )
    op.create_table(
        "dispositions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("kepala_id", sa.Integer(), nullable=True),
        sa.Column(
            "decision",
            sa.Enum("setuju", "arahan", name="dispositiondecision", native_enum=False, length=14),
            nullable=False,
        ),
        sa.Column("arahan", sa.Text(), nullable=True),
        sa.Column("created_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kepala_id"], ["members.id"], name=op.f("fk_dispositions_kepala_id_members")),
        sa.ForeignKeyConstraint(["period_id"], ["periods.id"], name=op.f("fk_dispositions_period_id_periods")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispositions")),
        sa.UniqueConstraint("period_id", name=op.f("uq_dispositions_period_id")),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("telegram_file_id", sa.String(length=255), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("mime_type", sa.String(length=100), nullable=True),
        sa.Column("stored_path", sa.String(length=500), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicators.id"], name=op.f("fk_evidence_indicator_id_indicators")),
        sa.ForeignKeyConstraint(["period_id"], ["periods.id"], name=op.f("fk_evidence_period_id_periods")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["members.id"], name=op.f("fk_evidence_uploaded_by_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_indicator_id"), ["indicator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_period_id"), ["period_id"], unique=False)

    op.create_table(
        "indicator_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("annual", models.store.types.DecimalValue(precision=28, scale=8), nullable=True),
        sa.Column("tw1", models.store.types.DecimalValue(precision=28, scale=8), nullable=True),
        sa.Column("tw2", models.store.types.DecimalValue(precision=28, scale=8), nullable=True),
        sa.Column("tw3", models.store.types.DecimalValue(precision=28, scale=8), nullable=True),
        sa.Column("tw4", models.store.types.DecimalValue(precision=28, scale=8), nullable=True),
        sa.Column("target_min", models.store.types.DecimalValue(precision=28, scale=8), nullable=True),
        sa.Column("target_max", models.store.types.DecimalValue(precision=28, scale=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicators.id"], name=op.f("fk_indicator_targets_indicator_id_indicators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_targets")),
        sa.UniqueConstraint("indicator_id", "year", name=op.f("uq_indicator_targets_indicator_id_year")),
    )
    with op.batch_alter_table("indicator_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_targets_indicator_id"), ["indicator_id"], unique=False)

    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin", "kepala", "sekretaris", "tim_sakip", "kabid", "staf", name="role", native_enum=False, length=18
            ),
            nullable=False,
        ),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.Column("used_at", models.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["members.id"], name=op.f("fk_invites_created_by_id_members")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_invites_unit_id_units")),
        sa.ForeignKeyConstraint(["used_by_id"], ["members.id"], name=op.f("fk_invites_used_by_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invites_token_hash")),
    )
    op.create_table(
        "member_roles",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin", "kepala", "sekretaris", "tim_sakip", "kabid", "staf", name="role", native_enum=False, length=18
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_member_roles_member_id_members")),
        sa.PrimaryKeyConstraint("member_id", "role", name=op.f("pk_member_roles")),
    )
    op.create_table(
        "monthly_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("value", models.store.types.DecimalValue(precision=28, scale=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicators.id"], name=op.f("fk_monthly_targets_indicator_id_indicators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_targets")),
        sa.UniqueConstraint("indicator_id", "year", "month", name=op.f("uq_monthly_targets_indicator_id_year_month")),
    )
    with op.batch_alter_table("monthly_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monthly_targets_indicator_id"), ["indicator_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=160), nullable=True),
        sa.Column(
            "status",
            sa.Enum("pending", "sent", "failed", name="outboxstatus", native_enum=False, length=15),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", models.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_outbox_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_member_id"), ["member_id"], unique=False)
        batch_op.create_index("ix_outbox_pending", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "period_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["period_id"], ["periods.id"], name=op.f("fk_period_reports_period_id_periods")),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["members.id"], name=op.f("fk_period_reports_reported_by_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_period_reports")),
        sa.UniqueConstraint("period_id", name=op.f("uq_period_reports_period_id")),
    )
    op.create_table(
        "realisasi",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("value", models.store.types.DecimalValue(precision=28, scale=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("kendala", sa.Text(), nullable=True),
        sa.Column("tindak_lanjut", sa.Text(), nullable=True),
        sa.Column("anomaly_reason", sa.Text(), nullable=True),
        sa.Column(
            "source", sa.Enum("chat", "import", name="entrysource", native_enum=False, length=14), nullable=False
        ),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entered_by_id"], ["members.id"], name=op.f("fk_realisasi_entered_by_id_members")),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicators.id"], name=op.f("fk_realisasi_indicator_id_indicators")),
        sa.ForeignKeyConstraint(["period_id"], ["periods.id"], name=op.f("fk_realisasi_period_id_periods")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_realisasi")),
        sa.UniqueConstraint(
            "indicator_id", "period_id", "revision", name=op.f("uq_realisasi_indicator_id_period_id_revision")
        ),
    )
    with op.batch_alter_table("realisasi", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_realisasi_indicator_id"), ["indicator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_realisasi_period_id"), ["period_id"], unique=False)

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column(
            "decision",
            sa.Enum("approve", "return", name="reviewdecision", native_enum=False, length=15),
            nullable=False,
        ),
        sa.Column("arahan", sa.Text(), nullable=True),
        sa.Column("created_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["form_id"], ["unit_forms.id"], name=op.f("fk_reviews_form_id_unit_forms")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["members.id"], name=op.f("fk_reviews_reviewer_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_form_id"), ["form_id"], unique=False)

    op.create_table(
        "unlock_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("pending", "granted", "refused", name="unlockstatus", native_enum=False, length=15),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", models.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["members.id"], name=op.f("fk_unlock_requests_decided_by_id_members")
        ),
        sa.ForeignKeyConstraint(["form_id"], ["unit_forms.id"], name=op.f("fk_unlock_requests_form_id_unit_forms")),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicators.id"], name=op.f("fk_unlock_requests_indicator_id_indicators")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["members.id"], name=op.f("fk_unlock_requests_requested_by_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unlock_requests")),
    )
    with op.batch_alter_table("unlock_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unlock_requests_form_id"), ["form_id"], unique=False)

    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("disposition_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("arahan", sa.Text(), nullable=False),
        sa.Column("done_at", models.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["disposition_id"], ["dispositions.id"], name=op.f("fk_follow_ups_disposition_id_dispositions")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_follow_ups_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_ups_disposition_id"), ["disposition_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_ups_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("arahan", sa.Text(), nullable=True),
        sa.Column("resolved_at", models.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicators.id"], name=op.f("fk_review_items_indicator_id_indicators")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["members.id"], name=op.f("fk_review_items_resolved_by_id_members")
        ),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name=op.f("fk_review_items_review_id_reviews")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
        sa.UniqueConstraint("review_id", "indicator_id", name=op.f("uq_review_items_review_id_indicator_id")),
    )
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_items_review_id"), ["review_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_items_review_id"))

    op.drop_table("review_items")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_ups_unit_id"))
        batch_op.drop_index(batch_op.f("ix_follow_ups_disposition_id"))

    op.drop_table("follow_ups")
    with op.batch_alter_table("unlock_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unlock_requests_form_id"))

    op.drop_table("unlock_requests")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_form_id"))

    op.drop_table("reviews")
    with op.batch_alter_table("realisasi", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_realisasi_period_id"))
        batch_op.drop_index(batch_op.f("ix_realisasi_indicator_id"))

    op.drop_table("realisasi")
    op.drop_table("period_reports")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")
        batch_op.drop_index(batch_op.f("ix_outbox_member_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("monthly_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monthly_targets_indicator_id"))

    op.drop_table("monthly_targets")
    op.drop_table("member_roles")
    op.drop_table("invites")
    with op.batch_alter_table("indicator_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_targets_indicator_id"))

    op.drop_table("indicator_targets")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_period_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_indicator_id"))

    op.drop_table("evidence")
    op.drop_table("dispositions")
    op.drop_table("chat_states")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_action"))

    op.drop_table("audit_log")
    with op.batch_alter_table("unit_forms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_forms_unit_id"))
        batch_op.drop_index(batch_op.f("ix_unit_forms_period_id"))

    op.drop_table("unit_forms")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_unit_id"))

    op.drop_table("members")
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicators_unit_id"))
        batch_op.drop_index(batch_op.f("ix_indicators_parent_id"))

    op.drop_table("indicators")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_units_parent_id"))

    op.drop_table("units")
    op.drop_table("periods")
    with op.batch_alter_table("handled_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handled_updates_handled_at"))

    op.drop_table("handled_updates")
    op.drop_table("group_notices")
