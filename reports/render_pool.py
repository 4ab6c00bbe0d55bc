"""The bounded pool where charts and documents are drawn (`RENDER_POOL`, 2 threads).

Drawing is CPU work of a second or more at regency scale: callers run it off the event loop, here, so a burst of
/rekap never takes the threads that serve other members' updates. The pool is apart from the drawing itself
(`reports.recap_charts`, loaded on first use through `reports.heavy`), so the delivery and the handlers that hand
work to it start without matplotlib.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

RENDER_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="charts")
