"""Sign-up is by invitation only: allauth may not open accounts on its own."""

from allauth.account.adapter import DefaultAccountAdapter


class InvitationOnlyAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: accounts come from staff invitations
    (members/invitations.py), which bind the account to the invited member record."""

    def is_open_for_signup(self, request) -> bool:
        return False
