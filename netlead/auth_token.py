"""The API's token endpoint (POST /api/v1/auth/token/), under the web sign-in's lock-out.

Both ways in ask allauth's adapter to authenticate, so they spend the same rate limits
(ACCOUNT_RATE_LIMITS, counted in the one cache): five wrong passwords on the web lock the
account out of the token endpoint too, and the other way round. Once locked, even the right
password gets HTTP 429 here (the web form says "too many attempts").
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from django import forms
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

LOCKED = "Too many sign-in attempts. Try again later."


class _Credentials(forms.Form):
    username = forms.CharField(max_length=254)
    password = forms.CharField(max_length=4096, strip=False)


class TokenObtainView(ObtainAuthToken):
    def post(self, request, *args, **kwargs):
        django_request = request._request
        if not ratelimit.consume(django_request, action="login"):
            return _locked()
        form = _Credentials(request.data if hasattr(request.data, "get") else {})
        if not form.is_valid():
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        adapter = get_adapter(django_request)
        login = form.cleaned_data["username"]
        field = "email" if "@" in login else "username"
        credentials = {field: login, "password": form.cleaned_data["password"]}
        try:
            user = adapter.authenticate(django_request, **credentials)
        except forms.ValidationError:  # the adapter's "too many login attempts"
            return _locked()
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": ["Unable to log in with provided credentials."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


def _locked() -> Response:
    return Response({"detail": LOCKED}, status=status.HTTP_429_TOO_MANY_REQUESTS)


obtain_auth_token = TokenObtainView.as_view()
