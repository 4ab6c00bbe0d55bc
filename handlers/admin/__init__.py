"""Administration: invitations, members (roles, unit, mutasi) and opening or closing periods by hand."""
