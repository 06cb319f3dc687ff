import pytest
from django.urls import reverse

from members.demo import seed as member_services
from networkmaps.models import MetricRun
from networkmaps.runs import compute, services
from tests.factories import MemberFactory, ProgramRoleFactory, UserFactory
from tests.metric_runs import compute_all_rounds

pytestmark = pytest.mark.django_db


def test_dashboard_shows_each_round_with_its_change(staff_client, computed):
    response = staff_client.get(reverse("networkmaps:dashboard", args=[computed.slug]))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert [r.name for r in overview.rounds] == ["Baseline", "Year two"]
    rows = {metric.key: cells for metric, cells in overview.rows}
    ties_before, ties_after = rows["ties"][0].value, rows["ties"][1].value
    assert rows["ties"][1].change == ties_after - ties_before
    assert rows["ties_new"][0].value is None and rows["ties_new"][1].value > 0
    content = response.content.decode()
    assert "Cross-cohort ties" in content and "How the network is built" in content
    assert "Share of all possible pairs that are tied" in content  # plain-language help


def test_dashboard_before_any_run_invites_a_recompute(staff_client, demo_program):
    response = staff_client.get(reverse("networkmaps:dashboard", args=[demo_program.slug]))
    assert b"No metrics yet" in response.content


def test_dashboard_queries_do_not_grow_with_members(
    staff_client, computed, django_assert_max_num_queries
):
    url = reverse("networkmaps:dashboard", args=[computed.slug])
    # 16 + response rates and whether the program has cohorts and sectors (issue 13).
    with django_assert_max_num_queries(20) as small:
        staff_client.get(url)
    MemberFactory.create_batch(50, program=computed)
    compute_all_rounds(computed)
    with django_assert_max_num_queries(len(small.captured_queries)):
        staff_client.get(url)


def test_member_table_sorts_by_any_metric(staff_client, computed):
    url = reverse("networkmaps:member-table", args=[computed.slug])
    response = staff_client.get(url, {"sort": "-betweenness"})
    values = [row.betweenness for row in response.context["page"]]
    assert values == sorted(values, reverse=True) and len(values) == 50
    response = staff_client.get(url, {"sort": "reach_two_steps"})
    values = [row.reach_two_steps for row in response.context["page"]]
    assert values == sorted(values)
    response = staff_client.get(url, {"sort": "password; drop table"})
    assert response.status_code == 200 and response.context["table"].sort == "-betweenness"


def test_member_table_query_count_does_not_grow_with_members(
    staff_client, computed, django_assert_max_num_queries
):
    url = reverse("networkmaps:member-table", args=[computed.slug])
    with django_assert_max_num_queries(12) as small:
        staff_client.get(url, {"page": 2})
    MemberFactory.create_batch(200, program=computed)
    compute_all_rounds(computed)
    with django_assert_max_num_queries(len(small.captured_queries)):
        staff_client.get(url, {"page": 3})


def test_member_table_of_an_earlier_round(staff_client, computed):
    baseline = computed.rounds.get(name="Baseline")
    url = reverse("networkmaps:member-table", args=[computed.slug])
    response = staff_client.get(url, {"round": baseline.pk})
    assert response.context["table"].run.round == baseline


def test_recompute_button_queues_every_round(staff_client, demo_program):
    response = staff_client.post(reverse("networkmaps:run-start", args=[demo_program.slug]))
    assert response.status_code == 302
    assert MetricRun.objects.filter(program=demo_program).count() == 2


def test_recompute_needs_post(staff_client, demo_program):
    response = staff_client.get(reverse("networkmaps:run-start", args=[demo_program.slug]))
    assert response.status_code == 405


def test_status_polls_while_running_and_asks_for_a_reload_when_done(staff_client, demo_program):
    round_ = demo_program.current_round()
    run = services.metric_run_request(program=demo_program, round_=round_)
    url = reverse("networkmaps:run-status", args=[demo_program.slug])
    response = staff_client.get(url, {"waiting": "1"})
    assert b'hx-trigger="every 2s"' in response.content
    assert "HX-Refresh" not in response
    compute.metric_run_execute(run_id=run.pk)
    response = staff_client.get(url, {"waiting": "1"})
    assert b"hx-trigger" not in response.content
    assert response["HX-Refresh"] == "true"


@pytest.mark.parametrize("name", ["dashboard", "member-table", "run-status"])
def test_metric_pages_are_not_found_for_members_and_other_programs(client, demo_program, name):
    url = reverse(f"networkmaps:{name}", args=[demo_program.slug])
    member_user = UserFactory()
    ProgramRoleFactory(user=member_user, program=demo_program, role="member")
    client.force_login(member_user)
    assert client.get(url).status_code == 404
    outsider = UserFactory()
    ProgramRoleFactory(user=outsider, program=member_services.demo_program_seed(slug="other"))
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_staff_change_the_missing_answer_rule_and_every_round_recomputes(staff_client, computed):
    url = reverse("networkmaps:round-rules", args=[computed.slug])
    before = MetricRun.objects.filter(program=computed).count()
    response = staff_client.post(
        url, {"missing_answers": "as_reported", "low_response_threshold": 50}
    )
    assert response.status_code == 302
    computed.refresh_from_db()
    assert (computed.missing_answers, computed.low_response_threshold) == ("as_reported", 50)
    assert MetricRun.objects.filter(program=computed).count() == before + 2
    page = staff_client.get(reverse("networkmaps:dashboard", args=[computed.slug]))
    assert "missing answers are as reported (no repair" in page.content.decode()

    response = staff_client.post(url, {"missing_answers": "guess", "low_response_threshold": 150})
    computed.refresh_from_db()
    assert computed.low_response_threshold == 50 and computed.missing_answers == "as_reported"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Low response below (%)" in m and "Missing answers" in m for m in messages)


def test_stability_bands_are_stored_by_the_run_and_shown(staff_client, computed):
    run = MetricRun.objects.current().get(round=computed.current_round())
    bands = run.params["stability"]
    assert bands["resamples"] == 50 and bands["seed"] == 0
    low, high = bands["network"]["ties"]
    dashboard = staff_client.get(reverse("networkmaps:dashboard", args=[computed.slug]))
    rows = {metric.key: cells for metric, cells in dashboard.context["overview"].rows}
    assert rows["ties"][-1].band == (high - low) / 2
    assert "± is the stability band" in dashboard.content.decode()
    table = staff_client.get(reverse("networkmaps:member-table", args=[computed.slug]))
    shifting = {key: set(ids) for key, ids in bands["shifting"].items()}
    for row in table.context["page"]:  # "stable", or the ranks that shift
        expected = [
            label
            for key, label in (
                ("degree", "ties"),
                ("betweenness", "broker"),
                ("closeness", "closeness"),
            )
            if row.member_id in shifting[key]
        ]
        assert row.shifts == expected
    assert "Rank with missing answers" in table.content.decode()
