"""The schema comes from Alembic migrations, and they agree with the models on every backend."""

from datetime import date
from decimal import Decimal

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import select

from models.calc.clock import system_clock
from models.collection.form_filling import record_value
from models.collection.forms import ReviewItem
from models.collection.review import (
    approve_unit_form,
    decide_unlock,
    request_unlock,
    return_unit_form,
    submit_unit_form,
)
from models.collection.workflow import form_for
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.measurement.cycle import start_measurement
from models.messaging.outbox import OutboxMessage
from models.office.audit import Actor
from models.office.organisation import Member
from models.plan.indicators import Indicator, IndicatorTarget
from models.plan.periods import Period, PeriodKind, PeriodRef, PeriodStatus
from models.plan.pk import indicators_of
from models.schema import all_tables
from models.store.database import MIGRATIONS_DIR, create_db_engine, schema_head, schema_is_current, session_scope
from models.store.migrating import alembic_config, migrate
from models.timing.reminders import Reminder, Task
from tests.chat.conftest import add_people


def test_models_and_migrations_agree(backend_url):
    engine = create_db_engine(backend_url)
    migrate(engine)  # for real: the other tests start from a copy of this schema (tests/conftest.py)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, all_tables())
    engine.dispose()
    assert differences == []


def test_the_schema_tests_start_from_is_the_migrated_one(engine):
    """`tests/conftest.py` copies (SQLite) or replays (PostgreSQL) the migrations: the result is at the head
    revision and agrees with the models, like a migrated database."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, all_tables()) == []
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
        assert context.get_current_revision() == head


def test_each_migration_is_numbered_by_its_file_and_follows_the_one_before():
    """`schema_head()` reads the newest revision from the file names (so a start need not load Alembic): each
    migration's revision is the number its file starts with, after the one before it."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    files = sorted((MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))
    numbers = [path.name.split("_", 1)[0] for path in files]
    revisions = {revision.revision: revision for revision in script.walk_revisions()}
    assert sorted(revisions) == numbers
    assert [revisions[number].down_revision for number in numbers] == [None, *numbers[:-1]]
    assert schema_head() == script.get_current_head() == numbers[-1]


def test_a_start_knows_without_alembic_whether_the_schema_is_the_newest(backend_url):
    engine = create_db_engine(backend_url)
    assert not schema_is_current(engine)  # a new database: no alembic_version table
    command.upgrade(alembic_config(engine), "0007")
    assert not schema_is_current(engine)  # one migration behind
    migrate(engine)
    assert schema_is_current(engine)
    engine.dispose()


def test_migrating_twice_changes_nothing(backend_url):
    engine = create_db_engine(backend_url)
    migrate(engine)
    migrate(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() is not None
    engine.dispose()


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_migration_0004_goes_down_with_the_measurement_reminders_and_their_notices(engine):
    """Going back before procedure B's reminders drops them and their pending notices (delivery would look
    for them), keeps every other reminder, and the way up works again."""
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
    add_people(engine)
    with session_scope(engine) as session:
        tim = session.exec(select(Member).where(Member.telegram_user_id == 104)).one()  # the Tim SAKIP
        cycle = start_measurement(session, PeriodRef(PeriodKind.QUARTER, 2026, 1), Actor.cli(), now=system_clock())
        period = Period(kind=PeriodKind.MONTH, year=2026, number=4, status=PeriodStatus.OPEN)
        session.add(period)
        session.flush()
        for reminder in (Reminder(measurement_id=cycle.id, member_id=tim.id, task=Task.MEASURE_PREPARE),
                         Reminder(period_id=period.id, member_id=tim.id, task=Task.FILL)):
            session.add(reminder)
            session.flush()
            session.add(OutboxMessage(member_id=tim.id, kind="reminder", params=f'{{"reminder_id": {reminder.id}}}',
                                      dedupe_key=f"reminder:{reminder.id}"))  # as rows were queued then
        kept = reminder.id
    config = alembic_config(engine)
    command.downgrade(config, "0003")
    with engine.connect() as connection:
        assert [row.id for row in connection.exec_driver_sql("SELECT id FROM reminders")] == [kept]
        reminder_rows = connection.exec_driver_sql("SELECT params FROM outbox WHERE kind = 'reminder'").all()
        assert [row.params for row in reminder_rows] == [f'{{"reminder_id": {kept}}}']
    command.upgrade(config, "head")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, all_tables()) == []
    with session_scope(engine) as session:
        assert len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all()) == 1


def test_migration_0008_gives_every_target_its_year_and_goes_down_to_one_row_a_year(engine, tmp_path):
    """Up: the targets stored before are their year's PK, valid from 1 January. Down: each year keeps its PK row
    (a PK Perubahan's rows and a dropped indicator's row go), and the way up works again."""
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
    lines = DEMO_PK.read_text(encoding="utf-8").splitlines()
    perubahan = tmp_path / "perubahan.csv"  # S.2 re-targeted from 1 July, every other indicator dropped
    perubahan.write_text("\n".join([lines[0], lines[3].replace(";85;", ";90;", 1)]) + "\n", encoding="utf-8")
    with session_scope(engine) as session:
        summary = import_pk(session, perubahan, Actor.cli(), valid_from=date(2026, 7, 1))
        assert len(summary.retargeted) == 1 and len(summary.dropped) == 13
    config = alembic_config(engine)

    command.downgrade(config, "0007")

    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT indicator_id, year FROM indicator_targets").all()
    assert len(rows) == len(set(rows)) == 14
    command.upgrade(config, "head")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, all_tables()) == []
    with session_scope(engine) as session:
        targets = session.exec(select(IndicatorTarget)).all()
        assert {(target.valid_from, target.dropped) for target in targets} == {(date(2026, 1, 1), False)}
        assert len(indicators_of(session, PeriodRef(PeriodKind.MONTH, 2026, 8))) == 14


def test_migration_0009_finds_the_items_earlier_unlocks_reopened_and_goes_down_without_them(engine):
    """Up: an item reopened by an unlock granted before 0009 names its request again; an item the Sekretaris
    returned with arahan names none. Down: the column goes, the items stay."""
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
    add_people(engine)
    now = system_clock()
    with session_scope(engine) as session:
        staff = session.exec(select(Member).where(Member.telegram_user_id == 130)).one()  # Perizinan
        sekretaris = session.exec(select(Member).where(Member.telegram_user_id == 103)).one()
        period = Period(kind=PeriodKind.MONTH, year=2026, number=10, status=PeriodStatus.OPEN)
        session.add(period)
        session.flush()
        p1, p2, p3 = (session.exec(select(Indicator).where(Indicator.code == code)).one()
                      for code in ("P.1", "P.2", "P.3"))
        for item, value in ((p1, 100), (p2, 95), (p3, 6)):
            record_value(session, staff, item, period, Decimal(value), now=now)
        form = form_for(session, staff.unit_id, period.id)
        submit_unit_form(session, staff, form.id, now=now)
        return_unit_form(session, sekretaris, form.id, form.version, [p1.id], "Periksa P.1", now=now)
        record_value(session, staff, p1, period, Decimal(101), now=now)
        submit_unit_form(session, staff, form.id, now=now)
        approve_unit_form(session, sekretaris, form.id, None, now=now)
        granted = request_unlock(session, staff, form.id, p2.id, "Salah ketik", now=now)
        refused = request_unlock(session, staff, form.id, p3.id, "Ingin ubah", now=now)
        decide_unlock(session, sekretaris, refused.id, False, now=now)
        decide_unlock(session, sekretaris, granted.id, True, now=now)
        expected = {(p1.id, None), (p2.id, granted.id)}
    config = alembic_config(engine)

    command.downgrade(config, "0008")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM review_items").scalar() == 2
    command.upgrade(config, "head")

    with session_scope(engine) as session:
        assert {(item.indicator_id, item.unlock_request_id) for item in session.exec(select(ReviewItem))} == expected
