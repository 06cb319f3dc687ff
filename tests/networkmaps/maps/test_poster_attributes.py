"""Posters colour by a program's own member attributes as the map does (issue 12): the same
choices, a legend that names the attribute and its values, never a hidden attribute."""

import datetime

import pytest
from django.urls import reverse

from members.models import MemberAttribute
from networkmaps.graph import poster as drawing
from networkmaps.maps import data as maps
from networkmaps.maps import posters
from networkmaps.maps.forms import PosterForm
from networkmaps.models import Poster
from tests.factories import (
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    RoundFactory,
    UserFactory,
)
from tests.metric_runs import compute_all_rounds

pytestmark = pytest.mark.django_db

OFFICES = ["London", "London", "London", "Nairobi", "Nairobi", None]


@pytest.fixture
def offices():
    """Six members in a ring, by office (one has none), and a hidden salary band."""
    program = ProgramFactory()
    MemberAttribute.objects.create(program=program, key="office", label="Office")
    MemberAttribute.objects.create(program=program, key="band", label="Salary band", hidden=True)
    knows = RelationshipTypeFactory(program=program, name="knows")
    round_ = RoundFactory(program=program, name="Spring", observed_on=datetime.date(2025, 3, 1))
    people = [
        MemberFactory(
            program=program,
            attributes={"band": f"B{i}"} | ({"office": office} if office else {}),
        )
        for i, office in enumerate(OFFICES)
    ]
    for a, b in zip(people, people[1:] + people[:1], strict=True):
        RelationshipFactory(program=program, round=round_, source=a, target=b, type=knows)
    compute_all_rounds(program)
    return program, round_


def test_poster_coloured_by_an_attribute_names_it_and_its_values_in_the_legend(offices):
    program, round_ = offices
    options = posters.PosterOptions(paper="A3", colour_by="attr:office")
    spec = posters.poster_spec_build(
        program=program, round_=round_, options=options, viewer_role="facilitator"
    )
    assert spec.legend_title == "Colour: Office"
    assert [text for _, text in spec.legend] == [
        "London (3)",
        "Nairobi (2)",
        "No office recorded (1)",
    ]
    # The colours are the map's colours for the same values.
    groups = maps.map_data(program=program, viewer_role="facilitator")["groups"]["attr:office"]
    assert [colour for colour, _ in spec.legend] == [v["colour"] for v in groups["values"]]
    node_colours = sorted(node.colour for node in spec.nodes)
    assert node_colours == sorted(groups["values"][i]["colour"] for i in groups["of"])
    svg = drawing.render_svg(spec)
    assert ">Colour: Office<" in svg and ">London (3)<" in svg and ">Nairobi (2)<" in svg


def test_poster_form_offers_the_maps_attributes_and_no_hidden_one(offices):
    program, _ = offices
    choices = dict(PosterForm(program=program).fields["colour_by"].choices)
    assert choices["attr:office"] == "Office" and "attr:band" not in choices
    assert set(choices) == {g["key"] for g in maps.map_page(program=program)["groupings"]}


def test_a_hidden_attribute_cannot_colour_a_poster(client, offices):
    program, round_ = offices
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role="facilitator")
    client.force_login(user)
    url = reverse("networkmaps:posters", args=[program.slug])
    form = {"round": round_.pk, "paper": "A3", "orientation": "landscape", "size_by": "degree"}
    response = client.post(url, form | {"colour_by": "attr:band"})
    assert response.status_code == 200 and "colour_by" in response.context["form"].errors
    assert not Poster.objects.exists()
    with pytest.raises(posters.MapUnavailable, match="no longer offered"):
        posters.poster_spec_build(
            program=program,
            round_=round_,
            options=posters.PosterOptions(colour_by="attr:band"),
            viewer_role="staff",
        )
    with pytest.raises(ValueError):
        posters.PosterOptions(colour_by="attr:<script>")


def test_posters_list_says_which_attribute_a_poster_is_coloured_by(
    client, offices, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    program, round_ = offices
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role="staff")
    client.force_login(user)
    url = reverse("networkmaps:posters", args=[program.slug])
    form = {"round": round_.pk, "paper": "A3", "orientation": "landscape", "size_by": "degree"}
    response = client.post(url, form | {"colour_by": "attr:office"})
    assert response.status_code == 302
    poster = Poster.objects.get()
    assert poster.status == Poster.Status.READY and poster.colour_by == "attr:office"
    page = client.get(url).content.decode()
    assert "Office · " in page
