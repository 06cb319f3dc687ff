"""One lock-out for every way in: the web sign-in and the API's token endpoint spend the same
failed-attempt budget (allauth's rate limits, one cache), so after it is spent the right
password is refused on both."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def user():
    return UserFactory(username="locksmith", email="locksmith@example.org")


def _web(client, login, password):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def _web_signed_in(client, login, password) -> bool:
    _web(client, login, password)
    signed_in = "_auth_user_id" in client.session
    client.logout()
    return signed_in


def _token(client, login, password):
    return client.post(TOKEN, {"username": login, "password": password})


def test_the_token_endpoint_gives_a_token_for_the_right_password(client, user):
    response = _token(client, "locksmith", PASSWORD)
    assert response.status_code == 200 and len(response.json()["token"]) == 40
    assert _token(client, "locksmith", "nope-nope-nope").status_code == 400


def test_failed_web_sign_ins_lock_the_token_endpoint(client, user):
    assert _web_signed_in(client, "locksmith", PASSWORD)
    for _ in range(5):
        assert not _web_signed_in(client, "locksmith", "wrong-password")
    response = _token(client, "locksmith", PASSWORD)
    assert response.status_code == 429
    assert "token" not in response.json()


def test_failed_token_requests_lock_the_web_sign_in(client, user):
    codes = [_token(client, "locksmith", f"wrong-{i}").status_code for i in range(5)]
    assert codes == [400] * 5
    assert _token(client, "locksmith", PASSWORD).status_code == 429
    assert not _web_signed_in(client, "locksmith", PASSWORD)


def test_naming_the_account_by_email_spends_the_same_budget(client, user):
    for i in range(3):
        _token(client, "locksmith", f"wrong-{i}")
    for _ in range(2):
        _web(client, "LockSmith@example.org", "wrong-password")
    assert _token(client, "locksmith@example.org", PASSWORD).status_code == 429
    assert _token(client, "locksmith", PASSWORD).status_code == 429


def test_sixty_guesses_at_the_token_endpoint_meet_429(client, user):
    codes = [_token(client, "locksmith", f"guess-{i}").status_code for i in range(60)]
    assert codes[:5] == [400] * 5
    assert set(codes[5:]) == {429}


def test_guessing_across_accounts_from_one_address_meets_429(client, user):
    # The per-address limit (10 a minute) holds whatever account names are tried.
    codes = [_token(client, f"someone-{i}", "guess").status_code for i in range(12)]
    assert 429 in codes and codes[0] == 400


def test_malformed_token_requests_are_400_not_500(client, user):
    assert _token(client, "a" * 10_000, "x").status_code == 400
    assert client.post(TOKEN, {}).status_code == 400
    assert client.post(TOKEN, "[1]", content_type="application/json").status_code == 400
    assert _token(client, "lock\x00smith", PASSWORD).status_code in (400, 429)
