"""Review (Sekretaris): approve or return a unit's form with arahan, and unlock approved values (SOP A10)."""
