"""Documents and charts built from the domain's data: what the Kepala Dinas and the Tim SAKIP read."""
