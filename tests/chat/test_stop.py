"""A stopped bot (SIGTERM, as a service manager stops it) finishes what it is sending and leaves the rest to the
next process: nothing is sent twice, nothing waits out a lease.

Given 28 queued notices (August to November 2026 opened at once for the 7 unit members) and a Telegram that takes
0.6 s to answer each message, and holds Rina's message of October unanswered, when the `sakip-bot run` process
gets SIGTERM while messages are in flight, then it exits 0 within STOP_TIMEOUT: every message Telegram accepted is
marked sent, the held one is given up at the bound, and no row is left claimed; the next process sends the rest, and
every member receives each month's notice exactly once, in month order.
"""

from __future__ import annotations

from models.messaging.outbox import OutboxStatus
from tests.chat.conftest import month
from tests.chat.test_delivery import MONTHS, UNIT_MEMBERS, accepted, member_id, open_periods, outbox, until
from tests.chat.test_restart import PERIZINAN, bots_on

STOP_TIMEOUT = 3.0


def sent_rows(engine, telegram_id: int) -> int:
    member = member_id(engine, telegram_id)
    return sum(row.member_id == member and OutboxStatus(row.status) is OutboxStatus.SENT for row in outbox(engine))


async def test_sigterm_finishes_the_messages_in_flight_releases_the_rest_and_exits_0_within_the_bound(
        backend_url, office_engine, tmp_path):
    engine = office_engine
    open_periods(engine, *(month(2026, number) for number in (8, 9, 10, 11)))
    assert len(outbox(engine)) == 28

    async with bots_on(backend_url, tmp_path, extra_env={"STOP_TIMEOUT": str(STOP_TIMEOUT)}) as (emu, bots):
        held = emu.faults.add("sendMessage", "timeout", chat_id=PERIZINAN, hold=30,
                              when=lambda params: "Oktober" in params["text"])
        slow = emu.faults.add("sendMessage", "slow", times=None, hold=0.6)
        first = await bots.start()
        await until(lambda: held.hits == 1, "Telegram holds the message of October to Rina")
        await until(lambda: slow.hits > len(emu.calls_to("sendMessage", ok=True)),
                    "other chats' messages are on their way too")

        # exit 0 within the bound (plus the interpreter's exit): the held message is given up at the bound
        assert await bots.terminate(first, timeout=STOP_TIMEOUT + 3) == 0
        rows = outbox(engine)
        assert [row.id for row in rows if row.claimed_until is not None] == []  # released, not left to the lease
        for chat in UNIT_MEMBERS:  # each message Telegram accepted (those in flight too) is marked sent
            assert len(accepted(emu, chat, "dibuka")) == sent_rows(engine, chat), chat
        assert any(OutboxStatus(row.status) is OutboxStatus.PENDING for row in rows)  # the rest: for the next

        emu.faults.remove(held)
        emu.faults.remove(slow)
        await bots.start()
        await until(lambda: all(OutboxStatus(row.status) is OutboxStatus.SENT for row in outbox(engine)),
                    "every row is sent by the next process", timeout=15, every=0.1)

    for chat in UNIT_MEMBERS:
        labels = [message["text"].split("Formulir ")[1].split(" 2026")[0] for message in accepted(emu, chat, "dibuka")]
        assert labels == MONTHS, (chat, labels)
