"""What waits to be said and heard: the outbox of notifications (and of deferred replies), each chat's pace, and
each member's chat state."""
