"""When things happen: the SOP's steps and standards (mutu baku), the schedule, and reminders."""
