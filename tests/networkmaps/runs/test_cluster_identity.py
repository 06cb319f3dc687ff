"""Clusters people can follow (issue 13): numbered from 1 everywhere, and a recompute after
one more tie keeps every cluster's number, colour and members."""

import pytest
from django.urls import reverse

from members.models import Relationship
from networkmaps.exports.writers.graph_xml import cluster_colour
from networkmaps.models import Community, MetricRun, NodeMetric
from networkmaps.runs import compute, services

pytestmark = pytest.mark.django_db


def partition(round_):
    run = MetricRun.objects.current().get(round=round_)
    return dict(NodeMetric.objects.filter(run=run).values_list("member_id", "community")), run


def test_recompute_after_adding_one_tie_keeps_every_clusters_number_and_colour(
    computed, staff_client
):
    year_two = computed.rounds.get(name="Year two")
    before, run = partition(year_two)
    assert min(before.values()) == 1  # numbered from 1, as people count
    sizes = dict(Community.objects.filter(run=run).values_list("index", "size"))
    assert set(sizes) == set(before.values())

    tied = {
        frozenset(p)
        for p in Relationship.objects.filter(round=year_two).values_list("source_id", "target_id")
    }
    biggest = max(sizes, key=sizes.get)
    inside = sorted(m for m, c in before.items() if c == biggest)
    a, b = next((a, b) for a in inside for b in inside if a < b and frozenset((a, b)) not in tied)
    knows = computed.relationship_types.filter(directed=False).order_by("pk").first()
    Relationship.objects.create(
        program=computed, source_id=a, target_id=b, type=knows, round=year_two, strength=3
    )
    compute.metric_run_execute(
        run_id=services.metric_run_request(program=computed, round_=year_two).pk
    )
    after, new_run = partition(year_two)
    assert new_run.pk != run.pk
    clusters_before = {c: {m for m, x in before.items() if x == c} for c in sizes}
    for number, members in clusters_before.items():
        now = {m for m, x in after.items() if x == number}
        assert len(members & now) >= 0.8 * len(members), number
    assert set(after.values()) == set(sizes)
    assert all(cluster_colour(c) == cluster_colour(c) for c in sizes)

    # The member table and the map name the same numbers.
    page = staff_client.get(reverse("networkmaps:member-table", args=[computed.slug]))
    assert page.status_code == 200
    labels = Community.objects.filter(run=new_run, size__gt=1).values_list("index", flat=True)
    dashboard = staff_client.get(reverse("networkmaps:dashboard", args=[computed.slug]))
    for index in labels:
        assert f"<td>{index}</td>" in dashboard.content.decode()
