"""Personal data: consent, a member's own data, invitations, erasure and the audit trail."""
