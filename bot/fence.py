"""The delivery's fence: a leader sends only while its lease renewals prove that it still holds the lock.

A leader's outbox claims last `CLAIM_SECONDS` (15 s) from their last renewal; another leader may take the rows
once they run out. The delivery renews every `RENEW_SECONDS` (3 s) on the lock's own connection
(`scheduler/leadership.py: Term.renew`), and notes the moment each successful renewal *began* (the leases it wrote
end `CLAIM_SECONDS` after a moment no earlier than that). With R the last such moment:

- a send may begin only while `now < R + CLAIM_SECONDS - SEND_MARGIN_SECONDS` (R + 8 s): one renewal round may
  be slow or lost without stopping anything, and a send begun at the last moment still has `SEND_MARGIN_SECONDS -
  CUTOFF_SECONDS` = 6 s, more than PTB's 5 s read timeout of a message;
- a send still in flight is cut off at `R + CLAIM_SECONDS - CUTOFF_SECONDS` (R + 14 s), a second before the leases
  end (for clocks of two hosts apart by less than that, and for marking the row). Each successful renewal moves
  this cut-off on, so a long upload (an album) is never cut while the leader keeps its lock.

Past the first bound without a renewal, or when a renewal fails, the term is over for good: the worker sends
nothing more, and another leader takes its unsent rows once their leases run out, never sooner.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

RENEW_SECONDS = 3.0
SEND_MARGIN_SECONDS = 7.0
CUTOFF_SECONDS = 1.0


class FenceLost(Exception):
    """The leader's term is over (or may be): nothing more may be sent under it."""


class Fence:
    def __init__(self, lease: float, margin: float = SEND_MARGIN_SECONDS, cutoff: float = CUTOFF_SECONDS) -> None:
        if not 0 < cutoff < margin < lease:
            raise ValueError(f"the fence needs 0 < cutoff ({cutoff}) < margin ({margin}) < lease ({lease})")
        self.lease, self.margin, self.cutoff_before = lease, margin, cutoff
        self.lost = False
        self._renewed: float | None = None  # loop time at which the last successful renewal began
        self._in_flight: set[asyncio.Timeout] = set()

    @staticmethod
    def now() -> float:
        return asyncio.get_running_loop().time()  # time.monotonic(), as asyncio's timeouts read it

    def renewed(self, began: float) -> None:
        """A renewal that began at `began` (loop time) succeeded: sends may go on, and those in flight too."""
        if self.lost:
            return
        self._renewed = began
        for timeout in self._in_flight:
            if not timeout.expired():  # one cut off already is on its way out
                timeout.reschedule(self.cutoff())

    def lose(self) -> None:
        self.lost = True

    def may_send(self) -> bool:
        """Whether a send may begin now; past the bound the term is over for good."""
        if not self.lost and (self._renewed is None or self.now() >= self._renewed + self.lease - self.margin):
            self.lost = self._renewed is not None  # before the first renewal: not yet, rather than never
        return not self.lost and self._renewed is not None

    def cutoff(self) -> float:
        """When a send still in flight is cut off (loop time)."""
        return (self._renewed or 0.0) + self.lease - self.cutoff_before

    def remaining(self) -> float:
        """Seconds until the cut-off (0 before any renewal)."""
        return 0.0 if self._renewed is None else max(0.0, self.cutoff() - self.now())

    @asynccontextmanager
    async def bounded(self) -> AsyncIterator[None]:
        """Run one send: only if it may begin now, and cut off at the cut-off (`FenceLost` either way)."""
        if not self.may_send():
            raise FenceLost
        timeout = asyncio.timeout_at(self.cutoff())
        try:
            async with timeout:
                self._in_flight.add(timeout)
                try:
                    yield
                finally:
                    self._in_flight.discard(timeout)
        except TimeoutError as exc:
            if timeout.expired():
                raise FenceLost from exc
            raise
