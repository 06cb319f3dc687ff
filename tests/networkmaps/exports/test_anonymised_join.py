"""Anonymised means anonymous: joining an anonymised export back to the named one by every
column they share and by map position re-identifies nobody in a group smaller than k, and
nothing in it is stable from one export to the next."""

import csv
import io
import math

import pytest
from django.urls import reverse

from members.models import Member, Program
from networkmaps.exports import anonymise
from networkmaps.exports import rows as export_rows
from tests.factories import ProgramRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

SHARED = ("cohort", "sector", "region", "tags")


@pytest.fixture
def staff_client(client, computed):
    user = UserFactory(username="anon-staff")
    ProgramRoleFactory(user=user, program=computed)
    client.force_login(user)
    return client


def _csv(client, program, anonymised: bool) -> list[dict]:
    url = reverse("networkmaps:export-download", args=[program.slug, "csv-members"])
    response = client.get(url, {"anonymised": "1"} if anonymised else {})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def exports(staff_client, computed, monkeypatch):
    """(named rows, anonymised rows, truth: anonymised id -> named id)."""
    drawn = []

    def recording(count):
        numbers = original(count)
        drawn.append(numbers)
        return numbers

    original = export_rows.anonymous_numbers
    monkeypatch.setattr(export_rows, "anonymous_numbers", recording)
    named = _csv(staff_client, computed, anonymised=False)
    anonymous = _csv(staff_client, computed, anonymised=True)
    # Members are numbered in database-id order: that is the ground truth to test against.
    return named, anonymous, _truth(computed, drawn[0])


def _truth(program, numbers) -> dict[str, str]:
    people = Member.objects.filter(program=program).order_by("pk")
    pks = list(people.values_list("pk", "external_id"))
    return {
        export_rows.ANONYMOUS_ID.format(n): export_rows.member_file_id(pk, external_id)
        for (pk, external_id), n in zip(pks, numbers, strict=True)
    }


def _metric_columns(rows) -> list[str]:
    return [c for c in rows[0] if c not in ("id", "name", "email", "organisation", "title",
                                            *SHARED, "x", "y")]  # fmt: skip


def _consistent(named_value: str, released: str, released_values: set[str]) -> bool:
    """Could this named value have become the released one? "other" stands for any value
    the release does not show by name."""
    if released == anonymise.OTHER:
        return named_value not in released_values - {anonymise.OTHER}
    return named_value == released


def test_joining_back_by_every_shared_column_finds_at_least_k_people(exports, computed):
    named, anonymous, truth = exports
    k = Program.objects.get(pk=computed.pk).anonymity_k
    metrics = _metric_columns(anonymous)
    # The attacker bins the named metrics the same way (they know the method).
    categorical = {key for key in metrics if not all(_number(r[key]) for r in named)}
    binned = {
        key: anonymise.metric_thirds([float(r[key]) if r[key] else None for r in named])
        for key in metrics
        if key not in categorical
    }
    released = {c: {r[c] for r in anonymous} for c in (*SHARED, *metrics)}
    for row in anonymous:
        candidates = []
        for index, person in enumerate(named):
            if not all(_consistent(person[c], row[c], released[c]) for c in SHARED):
                continue
            ok = True
            for key in metrics:
                if key in anonymise.CATEGORICAL_METRICS:
                    # A community left out stands for any community not shown.
                    shown = row[key] or anonymise.OTHER
                    ok &= _consistent(person[key], shown, released[key] - {""})
                elif key in categorical:
                    ok &= _consistent(person[key], row[key], released[key])
                elif row[key]:  # an empty metric was suppressed: it says nothing
                    value = binned[key][index]
                    ok &= value is not None and math.isclose(value, float(row[key]), rel_tol=1e-9)
            if ok:
                candidates.append(person["id"])
        assert truth[row["id"]] in candidates, "the join must not exclude the true person"
        assert len(candidates) >= k, (row, candidates)


def test_every_released_combination_is_shared_by_k(exports, computed):
    _, anonymous, _ = exports
    k = computed.anonymity_k
    columns = [c for c in anonymous[0] if c not in ("id", "name", "x", "y")]
    groups = {}
    for row in anonymous:
        groups.setdefault(tuple(row[c] for c in columns), []).append(row["id"])
    assert min(len(g) for g in groups.values()) >= k


def test_positions_do_not_join_back(exports):
    named, anonymous, truth = exports
    named_at = {r["id"]: (float(r["x"]), float(r["y"])) for r in named if r["x"]}
    exact = {(r["x"], r["y"]) for r in named}
    assert not [r for r in anonymous if r["x"] and (r["x"], r["y"]) in exact]
    # The nearest named position points at the true person no more often than chance
    # allows (a generous 10%; an unchanged map would score 100%).
    hits = 0
    placed = [r for r in anonymous if r["x"]]
    for row in placed:
        x, y = float(row["x"]), float(row["y"])
        nearest = min(named_at, key=lambda i: (named_at[i][0] - x) ** 2 + (named_at[i][1] - y) ** 2)
        hits += nearest == truth[row["id"]]
    assert hits <= max(3, 0.1 * len(placed)), hits


def _number(text: str) -> bool:
    try:
        float(text or 0)
    except ValueError:
        return False
    return True


def test_codes_and_row_order_are_fresh_for_every_export(staff_client, computed, monkeypatch):
    drawn = []
    original = export_rows.anonymous_numbers
    monkeypatch.setattr(
        export_rows, "anonymous_numbers", lambda n: drawn.append(original(n)) or drawn[-1]
    )
    first = _csv(staff_client, computed, anonymised=True)
    _csv(staff_client, computed, anonymised=True)
    one, two = _truth(computed, drawn[0]), _truth(computed, drawn[1])
    same_code = sum(one[code] == two[code] for code in one)
    assert same_code <= max(3, 0.1 * len(one))  # a fresh shuffle: about one by chance
    named = _csv(staff_client, computed, anonymised=False)
    assert not {r["id"] for r in first} & {r["id"] for r in named}
    assert not {r["name"] for r in first} & {r["name"] for r in named}


def test_a_larger_k_coarsens_more(staff_client, computed):
    Program.objects.filter(pk=computed.pk).update(anonymity_k=40)
    rows = _csv(staff_client, computed, anonymised=True)
    columns = [c for c in rows[0] if c not in ("id", "name", "x", "y")]
    groups = {}
    for row in rows:
        groups.setdefault(tuple(row[c] for c in columns), []).append(row["id"])
    assert min(len(g) for g in groups.values()) >= min(40, len(rows))
