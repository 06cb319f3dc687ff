"""Transitional: the personal-data services now live in audit, consent, own_data, erasure
and invitations (members/privacy/). Re-exported here only until the last importers move."""

from members.privacy.audit import audit_record
from members.privacy.consent import member_settings_update
from members.privacy.erasure import member_erase
from members.privacy.invitations import (
    INVITATION_SALT,
    InvitationError,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_send,
)
from members.privacy.own_data import member_data_export, member_tie_remove

__all__ = [
    "INVITATION_SALT",
    "InvitationError",
    "audit_record",
    "invitation_accept",
    "invitation_create",
    "invitation_from_token",
    "invitation_send",
    "member_data_export",
    "member_erase",
    "member_settings_update",
    "member_tie_remove",
]
