"""Sign-up is by invitation only: allauth may not open accounts on its own."""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model


class InvitationOnlyAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: accounts come from staff invitations
    (members/invitations.py), which bind the account to the invited member record."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """One lock-out per account, however it is named: by username or email, on the web
        or at the API's token endpoint (netlead/auth_token.py), failures count together."""
        login = credentials.get("email") or credentials.get("username") or ""
        field = "email__iexact" if "@" in login else "username__iexact"
        user = get_user_model().objects.filter(**{field: login}).order_by("pk").first()
        if user is None and "@" in login:
            user = get_user_model().objects.filter(username__iexact=login).first()
        return f"account:{user.pk}" if user else f"login:{login.casefold()}"
