"""The survey explains each relationship type: its description under its question, once."""

import pytest
from django.urls import reverse

from members.models import RelationshipType
from members.surveys import drafts
from tests.members.surveys.test_survey import make_world

pytestmark = pytest.mark.django_db

ADVICE = 'You ask them before a decision <script>alert("x")</script> & trust the answer.'


@pytest.fixture
def world():
    world = make_world()
    RelationshipType.objects.filter(pk=world.advice.pk).update(description=ADVICE)
    return world


def _questions_page(client, world, picks, unlisted=()):
    ada = world.cohort_a[0]
    invitation = world.invitation(ada)
    for person in picks:
        drafts.answer_pick(invitation=invitation, member_id=person.pk)
    for name in unlisted:
        drafts.answer_unlisted_add(invitation=invitation, name=name, organisation="")
    token = world.link(ada).rstrip("/").split("/")[-1]
    return client.get(reverse("members:survey-questions", args=[token])).content.decode()


def test_description_shows_under_its_question_on_the_first_card_only(client, world):
    content = _questions_page(client, world, world.cohort_b[:3])
    escaped = (
        "You ask them before a decision &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
        "&amp; trust the answer."
    )
    assert content.count(f'<span class="type-about">{escaped}</span>') == 1
    assert "<script>alert" not in content
    # Under the question it explains, inside that checkbox's label.
    label = content.split(f'value="{world.advice.pk}"')[1].split("</label>")[0]
    assert "seeks advice from" in label and escaped in label
    # A type without a description gets no empty line.
    assert content.count('class="type-about"') == 1


def test_description_shows_when_only_unlisted_people_are_rated(client, world):
    content = _questions_page(client, world, [], unlisted=["Nadia Newcomer", "Omar New"])
    assert content.count('class="type-about"') == 1
