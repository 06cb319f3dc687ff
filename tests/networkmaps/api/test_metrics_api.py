import pytest
from django.urls import reverse

from members.demo import seed as member_services
from networkmaps.models import MetricRun
from networkmaps.runs import compute, services
from tests.factories import ProgramRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_program_metrics_per_round(staff_client, computed):
    response = staff_client.get(reverse("api-program-metrics", args=[computed.slug]))
    assert response.status_code == 200
    baseline, year_two = response.json()
    assert baseline["round"] == "Baseline" and year_two["round"] == "Year two"
    assert year_two["metrics"]["members"] == 120
    assert year_two["metrics"]["ties"] > baseline["metrics"]["ties"]
    assert year_two["run"]["status"] == "succeeded" and year_two["run"]["is_current"]


def test_member_metrics(staff_client, computed):
    member = computed.members.order_by("pk").first()
    url = reverse("api-member-metrics", args=[computed.slug, member.pk])
    rounds = staff_client.get(url).json()
    assert [r["round"] for r in rounds] == ["Baseline", "Year two"]
    assert set(rounds[0]["metrics"]) >= {"degree", "betweenness", "reach_two_steps"}


def test_member_of_another_program_is_not_found(staff_client, computed):
    other = member_services.demo_program_seed(slug="other", members=20)
    stranger = other.members.first()
    response = staff_client.get(reverse("api-member-metrics", args=[computed.slug, stranger.pk]))
    assert response.status_code == 404
    assert stranger.name not in response.content.decode()


def test_post_starts_runs_and_returns_status_urls(staff_client, demo_program):
    response = staff_client.post(reverse("api-metric-runs", args=[demo_program.slug]))
    assert response.status_code == 202
    runs = response.json()
    assert len(runs) == 2 and all(r["status"] == "queued" for r in runs)
    detail = staff_client.get(runs[0]["status_url"])
    assert detail.status_code == 200 and detail.json()["id"] == runs[0]["id"]


def test_post_for_one_round_and_an_unknown_round(staff_client, demo_program):
    url = reverse("api-metric-runs", args=[demo_program.slug])
    assert len(staff_client.post(url + "?round=Baseline").json()) == 1
    response = staff_client.post(url + "?round=Nope")
    assert response.status_code == 400 and "Nope" in response.json()["round"][0]
    assert MetricRun.objects.count() == 1


def test_api_needs_a_signed_in_staff_member(client, demo_program):
    url = reverse("api-program-metrics", args=[demo_program.slug])
    assert client.get(url).status_code == 403
    member = UserFactory()
    ProgramRoleFactory(user=member, program=demo_program, role="member")
    client.force_login(member)
    assert client.get(url).status_code == 404


def test_schema_and_docs_are_served_without_a_cdn(admin_client):
    schema = admin_client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert b"/api/v1/programs/{slug}/metric-runs/" in schema.content
    docs = admin_client.get(reverse("api-docs"))
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_suggestions_api_lists_filters_and_records_decisions(staff_client, computed):
    url = reverse("api-suggestions", args=[computed.slug])
    everything = staff_client.get(url).json()
    assert {s["kind"] for s in everything} == {
        "closure", "bridge", "periphery", "hub_relief", "key_players"
    }  # fmt: skip
    closures = staff_client.get(url, {"kind": "closure"}).json()
    assert closures and all(s["kind"] == "closure" for s in closures)
    member = closures[0]["members"][0]
    mine = staff_client.get(url, {"member": member}).json()
    assert mine and all(member in s["members"] or s["subject"] == member for s in mine)
    assert staff_client.get(url, {"kind": "hugs"}).status_code == 400
    assert staff_client.get(url, {"member": "x"}).status_code == 400

    detail = reverse("api-suggestion-detail", args=[computed.slug, closures[0]["id"]])
    response = staff_client.patch(
        detail, {"status": "introduced", "note": "emailed"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "introduced"
    bad = staff_client.patch(detail, {"status": "maybe"}, content_type="application/json")
    assert bad.status_code == 400


def test_suggestion_of_another_program_cannot_be_changed(staff_client, computed):
    other = member_services.demo_program_seed(slug="other", members=40)
    run = services.metric_run_request(program=other, round_=other.current_round())
    compute.metric_run_execute(run_id=run.pk)
    foreign = other.suggestions.first()
    detail = reverse("api-suggestion-detail", args=[computed.slug, foreign.pk])
    response = staff_client.patch(detail, {"status": "dismissed"}, content_type="application/json")
    assert response.status_code == 404
