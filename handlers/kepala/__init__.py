"""Report and disposition: the Sekretaris reports the approved period, the Kepala Dinas disposes (SOP A11-12)."""
