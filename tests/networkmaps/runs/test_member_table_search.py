"""The member metrics table finds a member by name across all its pages (issue 16)."""

import pytest
from django.urls import reverse

from members.models import Member

pytestmark = pytest.mark.django_db


def test_member_table_finds_a_member_by_name_on_any_page(staff_client, computed):
    url = reverse("networkmaps:member-table", args=[computed.slug])
    last = Member.objects.filter(program=computed).order_by("-name").first()
    first_page = staff_client.get(url, {"sort": "name"}).content.decode()
    assert last.name not in first_page  # 120 members, 50 a page: not on page one
    stem = last.name.split()[-1][:5]
    found = staff_client.get(url, {"sort": "name", "q": stem})
    page = found.content.decode()
    expected = Member.objects.filter(program=computed, name__icontains=stem).count()
    assert last.name in page and found.context["page"].paginator.count == expected
    assert f"q={stem}" in page  # sorting keeps the search
    assert 'id="member-search"' in page and f'value="{stem}"' in page


def test_member_table_says_when_no_name_matches(staff_client, computed):
    url = reverse("networkmaps:member-table", args=[computed.slug])
    page = staff_client.get(url, {"q": "Nobody Bythisname"}).content.decode()
    assert "No member’s name contains “Nobody Bythisname” in this round." in page
