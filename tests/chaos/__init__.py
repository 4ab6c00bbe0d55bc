"""Chaos runs: real `sakip-bot run` processes, members typing like people, faults, kills and cut sessions.

The harness starts the Bot API emulator in the test's event loop, prepares an office on a fresh database, starts
bot processes (webhook mode behind a round-robin forwarder, or one polling process on SQLite), lets members fill
their forms while a scenario breaks things, and then checks from the database and the emulator what must hold
whatever happened: nothing lost, doubled or misfiled, every notification sent or explicitly failed, each member's
updates handled in order, every form sent. The numbers are printed as a report (`-s` shows them).

`pytest -m chaos tests/chaos` runs the short suite (a few minutes in all); `SAKIP_CHAOS_LONG=1` makes every
scenario run longer with more members.
"""
