"""The office: units, members and roles, invitations, permissions and the audit log (who may do what, who did it)."""
