"""What waits to be said and heard: the outbox of notifications and each member's chat state."""
