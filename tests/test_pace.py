"""One chat's pace, shared by every bot process (`models/messaging/pace.py`), on SQLite and PostgreSQL.

Given Telegram's limit in a private chat (a burst of three messages, then about one a second), when senders
reserve their messages' moments in the database, then the first three go at once and each later one a second
after the one before, whichever process or connection reserves it; other chats are not held back; an album
counts its photos (at most a burst); and chats whose budget is full again are forgotten. The bot's rate limiter
paces only what adds a message to a private chat, and a reply deferred to the outbox keeps what it showed.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.pacing import paced_chat
from handlers.notifications import deferred_reply
from handlers.screens import Part, markup, parts_of, reply_part
from i18n import t
from models.messaging.notices import DeferredReply, ReplyPart
from models.messaging.pace import ChatPace, forget_idle, reserve
from models.store.database import create_db_engine, session_scope

SEKRETARIS, RINA = 103, 130
T0 = 1_800_000_000.0  # seconds of the wall clock


def reserved(engine: Engine, chat_id: int, now: float = T0, cost: int = 1) -> float:
    """One sender's reservation, in a transaction of its own (as the bot makes it)."""
    with session_scope(engine) as session:
        return reserve(session, chat_id, now, cost=cost)


@pytest.fixture
def second_engine(backend_url: str, engine: Engine) -> Engine:
    """Another process's connections to the same database."""
    other = create_db_engine(backend_url)
    yield other
    other.dispose()


def test_a_chat_gets_a_burst_of_three_then_one_message_a_second(engine: Engine):
    assert [reserved(engine, SEKRETARIS) for _ in range(6)] == [0, 0, 0, 1, 2, 3]
    # a second later, the fourth is one second nearer
    assert reserved(engine, SEKRETARIS, T0 + 1) == 3
    # once the budget is full again (nothing sent for a while), a burst again
    assert [reserved(engine, SEKRETARIS, T0 + 20) for _ in range(4)] == [0, 0, 0, 1]


def test_a_busy_chat_does_not_hold_back_another(engine: Engine):
    for _ in range(10):
        reserved(engine, SEKRETARIS)
    assert reserved(engine, RINA) == 0


def test_two_senders_interleaved_share_one_budget(engine: Engine, second_engine: Engine):
    """Two processes (two engines) reserving in turn for one chat: one budget, not one each."""
    waits = [reserved(engine if turn % 2 == 0 else second_engine, SEKRETARIS, T0 + turn * 0.1)
             for turn in range(8)]
    assert waits == pytest.approx([0, 0, 0, 0.7, 1.6, 2.5, 3.4, 4.3])


def test_senders_reserving_at_the_same_moment_each_get_their_own(engine: Engine, second_engine: Engine):
    """Twelve reservations at once from two processes' threads: every moment is taken once."""
    with ThreadPoolExecutor(6) as pool:
        waits = list(pool.map(lambda turn: reserved(engine if turn % 2 else second_engine, SEKRETARIS),
                              range(12)))
    assert sorted(waits) == [0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_an_album_counts_its_photos_up_to_a_burst(engine: Engine):
    assert reserved(engine, SEKRETARIS, cost=2) == 0
    assert reserved(engine, SEKRETARIS) == 0  # the third of the burst
    assert reserved(engine, SEKRETARIS) == 1
    assert reserved(engine, RINA, cost=10) == 0  # larger than the burst: it goes once the budget is full
    assert reserved(engine, RINA) == 1


def test_chats_whose_budget_is_full_again_are_forgotten(engine: Engine):
    reserved(engine, SEKRETARIS)  # full again a second later
    for _ in range(5):
        reserved(engine, RINA)  # full again five seconds later
    with session_scope(engine) as session:
        assert forget_idle(session, T0 + 2) == 1
    with Session(engine) as session:
        assert session.exec(select(ChatPace.chat_id)).all() == [RINA]
    assert reserved(engine, RINA, T0 + 2) == 1  # her budget is kept (her sixth: at T0 + 3)


# -- what the bot's rate limiter paces, and what a deferred reply keeps ----------------------------------------------

def test_only_new_messages_in_private_chats_are_paced():
    assert paced_chat("sendMessage", {"chat_id": SEKRETARIS, "text": "x"}) == (SEKRETARIS, 1)
    assert paced_chat("sendDocument", {"chat_id": str(SEKRETARIS)}) == (SEKRETARIS, 1)
    assert paced_chat("sendMediaGroup", {"chat_id": SEKRETARIS, "media": [1, 2, 3, 4]}) == (SEKRETARIS, 4)
    assert paced_chat("copyMessage", {"chat_id": SEKRETARIS, "from_chat_id": RINA}) == (SEKRETARIS, 1)
    # edits, deletions, chat actions and button answers add no message to the chat
    for endpoint in ("editMessageText", "editMessageReplyMarkup", "deleteMessage", "sendChatAction"):
        assert paced_chat(endpoint, {"chat_id": SEKRETARIS}) is None
    assert paced_chat("answerCallbackQuery", {"callback_query_id": "1"}) is None
    # groups and channels keep PTB's own limits
    assert paced_chat("sendMessage", {"chat_id": -1001234}) is None
    assert paced_chat("sendMessage", {"chat_id": "@kanal"}) is None


def test_a_deferred_part_keeps_its_text_buttons_and_question_and_a_file_becomes_a_note():
    text = Part("<b>P.1</b> Ketik nilai realisasi", markup([[("Lewati", "fl.skip|7"), ("Batal", "cancel")]]),
                question=12)
    assert reply_part(text, "id") == ReplyPart("<b>P.1</b> Ketik nilai realisasi",
                                               ((("Lewati", "fl.skip|7"), ("Batal", "cancel")),), 12)
    album = Part("Capaian", photos=(b"\x89PNG",))
    assert reply_part(album, "en") == ReplyPart(t("chat.file_not_sent", "en"))
    # worded again by the delivery, the part is the same call
    [screen] = deferred_reply(None, None, DeferredReply(1, (reply_part(text, "id"),)), None, None)
    assert parts_of([screen]) == [text]
