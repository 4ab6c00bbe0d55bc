"""Monthly targets are optional PK columns; without them the month's target comes from the triwulan target."""

from decimal import Decimal

from sqlmodel import select

from models.calc.capaian import month_target
from models.exchange.pk_import import import_pk
from models.office.audit import Actor, AuditEntry
from models.plan.indicators import Indicator, IndicatorTarget, MonthlyTarget, year_targets
from models.store.database import session_scope

HEADER = ("kode;indikator;tingkat;jenis;induk;satuan;polaritas;rumus_negatif;agregasi;frekuensi;unit;tahun;"
          "target_tahunan;target_tw1;target_tw2;target_tw3;target_tw4;target_min;target_max;definisi_operasional;"
          "sumber_data;target_jan;target_feb")


def write_pk(path, jan: str, feb: str) -> None:
    row = (f"P.1;Jumlah NIB terbit;program;IKK;;NIB;positif;;kumulatif;bulanan;Bidang Pelayanan Perizinan;2026;"
           f"1.200;300;300;300;300;;;;;{jan};{feb}")
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")


def monthly(session) -> dict[int, Decimal]:
    return {m.month: m.value for m in session.exec(select(MonthlyTarget))}


def test_monthly_targets_are_imported_changed_and_removed_with_audit(engine, tmp_path):
    pk = tmp_path / "pk.csv"
    write_pk(pk, "80", "1.100")
    with session_scope(engine) as session:
        import_pk(session, pk, Actor.cli())
    with session_scope(engine) as session:
        assert monthly(session) == {1: Decimal(80), 2: Decimal(1100)}
        indicator = session.exec(select(Indicator)).one()
        plan = year_targets(session.exec(select(IndicatorTarget)).one(), session.exec(select(MonthlyTarget)).all())
        assert month_target(plan, 1, indicator.rule).value == Decimal(80)
        assert month_target(plan, 3, indicator.rule).value == Decimal(100)  # TW I 300 ÷ 3, no March target

    write_pk(pk, "90", "")
    with session_scope(engine) as session:
        summary = import_pk(session, pk, Actor.cli())
        assert summary.targets_updated == 1
    with session_scope(engine) as session:
        assert monthly(session) == {1: Decimal(90)}
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "target.monthly")
                             .order_by(AuditEntry.id.desc())).first()
        assert '"1": "80"' in entry.before and '"2": "1100"' in entry.before
        assert '"1": "90"' in entry.after

    with session_scope(engine) as session:
        assert not import_pk(session, pk, Actor.cli()).changed
