"""Stored results of metric runs. Pages read these; only workers write them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from members.access import members_named_to
from members.models import Member, Program, ProgramRole, Round
from networkmaps.glossary import MEMBER_METRICS
from networkmaps.graph.poster import PAPER_SIZES


class MetricRunQuerySet(models.QuerySet):
    def current(self) -> MetricRunQuerySet:
        return self.filter(is_current=True)

    def active(self) -> MetricRunQuerySet:
        return self.filter(status__in=MetricRun.ACTIVE)


class MetricRun(models.Model):
    """One computation of every metric for (program, round, data fingerprint).

    Results are written as new rows and made current in one transaction, so what anyone
    sees is always one complete run.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        UNCHANGED = "unchanged", "Data unchanged"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="metric_runs")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="metric_runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    is_current = models.BooleanField(default=False)
    fingerprint = models.CharField(max_length=64, blank=True)
    reused = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For an unchanged run: the run whose results already match this data.",
    )
    stage = models.CharField(max_length=100, blank=True)
    progress = models.FloatField(default=0.0)
    approximate = models.BooleanField(default=False)
    params = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = MetricRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round"], condition=Q(is_current=True), name="one_current_run_per_round"
            ),
            # Two "Recompute" clicks at once become one computation.
            models.UniqueConstraint(
                fields=["round"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_run_per_round",
            ),
        ]
        indexes = [models.Index(fields=["program", "round", "is_current"])]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.round} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def duration(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class NodeMetric(models.Model):
    """One member's metrics in one run (see networkmaps/graph/metrics/ for definitions)."""

    run = models.ForeignKey(MetricRun, on_delete=models.CASCADE, related_name="node_metrics")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="metrics")
    degree = models.PositiveIntegerField()
    in_degree = models.PositiveIntegerField()
    out_degree = models.PositiveIntegerField()
    weighted_degree = models.FloatField()
    betweenness = models.FloatField()
    closeness = models.FloatField()
    harmonic = models.FloatField()
    eigenvector = models.FloatField(null=True)  # issue 13: blank outside the largest part
    pagerank = models.FloatField()
    constraint = models.FloatField(null=True)
    effective_size = models.FloatField(null=True)
    clustering = models.FloatField()
    core_number = models.PositiveIntegerField()
    community = models.PositiveIntegerField()
    reach_two_steps = models.FloatField()
    brokerage = models.JSONField(default=dict)
    x = models.FloatField(null=True)
    y = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "member"], name="node_metric_unique"),
        ]

    def __str__(self) -> str:
        return f"Metrics of member {self.member_id} in run {self.run_id}"


# issue 18: split runs (networkmaps/runs/split.py) and the map payload stored per run.
class PathSweep(models.Model):
    """A run's path sweep split into blocks of sources, computed by any worker.

    Holds the graph and the sources every block reads, so all blocks sweep the same
    graph even if ties change meanwhile. Deleted (with its blocks) when the run retries.
    """

    run = models.OneToOneField(MetricRun, on_delete=models.CASCADE, related_name="path_sweep")
    blocks = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64)
    pivots = models.PositiveIntegerField(null=True, help_text="None: exact (every source).")
    graph = models.BinaryField(help_text="CSR arrays and sources (numpy .npz).")
    checks = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, help_text="When its blocks went to the queue.")
    last_block_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"Path sweep of run {self.run_id} in {self.blocks} blocks"


class PathBlock(models.Model):
    """The partial path sums of one block of sources. One row per (sweep, block): a
    redelivered block replaces its row, so it is never counted twice."""

    sweep = models.ForeignKey(PathSweep, on_delete=models.CASCADE, related_name="done")
    index = models.PositiveIntegerField()
    sources = models.PositiveIntegerField()
    sums = models.BinaryField(help_text="Partial sums (numpy .npz).")
    cpu_seconds = models.FloatField()
    worker = models.CharField(max_length=200, blank=True)
    finished_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sweep", "index"], name="path_block_unique"),
        ]

    def __str__(self) -> str:
        return f"Block {self.index} of sweep {self.sweep_id}"


class MapPayload(models.Model):
    """The map data of a run, built once when the run completes (networkmaps/maps/payload.py):
    gzip-compressed JSON without names; names are added per viewer when it is served."""

    run = models.OneToOneField(MetricRun, on_delete=models.CASCADE, related_name="map_payload")
    body = models.BinaryField()
    member_ids = models.JSONField(default=list, help_text="Members in the order of the nodes.")
    etag = models.CharField(max_length=64)
    members_digest = models.CharField(
        max_length=64, blank=True, help_text="The members' groups the map was drawn with."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Map payload of run {self.run_id}"


class NetworkMetric(models.Model):
    run = models.ForeignKey(MetricRun, on_delete=models.CASCADE, related_name="network_metrics")
    name = models.CharField(max_length=60)
    value = models.FloatField(null=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "name"], name="network_metric_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} = {self.value}"


class Community(models.Model):
    run = models.ForeignKey(MetricRun, on_delete=models.CASCADE, related_name="communities")
    index = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    label = models.CharField(max_length=200, help_text="What most of its members share.")

    class Meta:
        ordering = ["run", "index"]
        verbose_name_plural = "communities"
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="community_unique"),
        ]

    def __str__(self) -> str:
        return f"Community {self.index}: {self.label}"


class SuggestionQuerySet(models.QuerySet):
    def pairs(self) -> SuggestionQuerySet:
        return self.exclude(kind=Suggestion.Kind.KEY_PLAYERS)

    def involving(self, member: Member) -> SuggestionQuerySet:
        return self.filter(Q(member_a=member) | Q(member_b=member))

    def for_member(self, member: Member) -> SuggestionQuerySet:
        """Introductions a member may see: they are in the pair, and the other person
        accepts introductions and is someone the visibility rule names to a member."""
        others = members_named_to(
            ProgramRole.Role.MEMBER, Member.objects.filter(accepts_introductions=True)
        )
        as_a = Q(member_a=member, member_b__in=others)
        as_b = Q(member_b=member, member_a__in=others)
        return self.pairs().filter(as_a | as_b)


class Suggestion(models.Model):
    """A weaving suggestion produced by a metric run (see networkmaps/graph/weaving/).

    What staff decide about a pair lives in PairDecision, so it survives recomputation."""

    class Kind(models.TextChoices):
        CLOSURE = "closure", "Close a triangle"
        BRIDGE = "bridge", "Bridge two groups"
        PERIPHERY = "periphery", "Bring someone in"
        HUB_RELIEF = "hub_relief", "Relieve a hub"
        KEY_PLAYERS = "key_players", "Key players"
        # issue 14: an introduction a member asked for (survey, their page) or staff entered.
        REQUEST = "request", "Asked for"

    run = models.ForeignKey(MetricRun, on_delete=models.CASCADE, related_name="suggestions")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="suggestions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    rank = models.PositiveIntegerField(help_text="Position within its kind, 1 = best.")
    member_a = models.ForeignKey(
        Member, null=True, on_delete=models.CASCADE, related_name="suggestions_as_a"
    )
    member_b = models.ForeignKey(
        Member, null=True, on_delete=models.CASCADE, related_name="suggestions_as_b"
    )
    subject = models.ForeignKey(
        Member, null=True, on_delete=models.CASCADE, related_name="suggestions_about"
    )
    member_ids = models.JSONField(default=list, help_text="Key players: the whole set.")
    score = models.FloatField()
    reason = models.TextField()
    facts = models.JSONField(default=dict)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "rank"]
        indexes = [models.Index(fields=["run", "kind", "rank"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(member_a__isnull=True) | Q(member_a__lt=F("member_b")),
                name="suggestion_pair_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.rank}"

    @property
    def pair(self) -> tuple[int, int] | None:
        return (self.member_a_id, self.member_b_id) if self.member_a_id else None


class PairDecision(models.Model):
    """What staff did about introducing two members, and whether a tie followed."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        INTRODUCED = "introduced", "Introduced"
        FOLLOWED_UP = "followed_up", "Followed up"
        DISMISSED = "dismissed", "Dismissed"
        SNOOZED = "snoozed", "Snoozed"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pair_decisions")
    member_a = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    member_b = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Suggestion.Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices)
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="+",
        help_text="The round whose suggestion was acted on; later rounds measure the outcome.",
    )  # fmt: skip
    decided_on = models.DateField()
    note = models.TextField(blank=True)
    snoozed_until = models.DateField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    # issue 14: who on staff owns the introduction, and by when.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    due_on = models.DateField(null=True, blank=True)
    tie_round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The first later round in which the two have a tie.",
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "member_a", "member_b"], name="one_decision_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(member_a__lt=F("member_b")), name="decision_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.member_a_id} & {self.member_b_id}"


class PairDecisionEvent(models.Model):
    """One thing staff did about a pair, kept for good: PairDecision holds where the pair
    stands now, these rows how it got there (who, when, note). Never updated or deleted
    except with the pair's members."""

    decision = models.ForeignKey(PairDecision, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=PairDecision.Status.choices)
    note = models.TextField(blank=True)
    decided_on = models.DateField()
    decided_by = models.CharField(max_length=150, blank=True)
    snoozed_until = models.DateField(null=True, blank=True)
    assigned_to = models.CharField(max_length=150, blank=True)
    due_on = models.DateField(null=True, blank=True)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.decided_on}"


class WhatIf(models.Model):
    """The effect of one new tie on a run's network (networkmaps/graph/weaving/what_if.py),
    computed on demand and kept with the run it was computed on."""

    run = models.ForeignKey(MetricRun, on_delete=models.CASCADE, related_name="what_ifs")
    member_a = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    member_b = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    effect = models.JSONField()
    seconds = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "member_a", "member_b"], name="what_if_once"),
            models.CheckConstraint(
                condition=Q(member_a__lt=F("member_b")), name="what_if_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"What if {self.member_a_id} & {self.member_b_id} met"


class PosterQuerySet(models.QuerySet):
    def for_viewer(self, viewer_role: str | None) -> PosterQuerySet:
        """Posters a viewer in `viewer_role` may open. A poster drawn for staff names people
        who chose "staff only", so nobody else opens it unless it is anonymised."""
        if viewer_role == ProgramRole.Role.STAFF:
            return self
        return self.filter(Q(anonymised=True) | ~Q(viewer_role=ProgramRole.Role.STAFF))


class Poster(models.Model):
    """A printable map of one round, rendered to files in MEDIA_ROOT (networkmaps/maps/posters.py).

    Small programs are drawn during the request; large ones by a worker while the page polls.
    It is drawn for the role of whoever asked for it (`viewer_role`): names that role may not
    see are codes on it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Drawing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class ColourBy(models.TextChoices):
        COMMUNITY = "community", "Cluster"
        COHORT = "cohort", "Cohort"
        SECTOR = "sector", "Sector"
        REGION = "region", "Region"
        ORGANISATION = "organisation", "Organisation"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="posters")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="posters")
    paper = models.CharField(max_length=10, choices=[(key, key) for key in PAPER_SIZES])
    landscape = models.BooleanField(default=False)
    anonymised = models.BooleanField(default=False)
    # A built-in grouping, or a program's own category attribute "attr:<key>" (issue 12).
    colour_by = models.CharField(max_length=50, choices=ColourBy.choices)
    size_by = models.CharField(
        max_length=20,
        choices=[(m.key, m.label) for m in MEMBER_METRICS if m.key != "community"],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    members = models.PositiveIntegerField(default=0)
    pdf = models.FileField(upload_to="posters/", blank=True)
    svg = models.FileField(upload_to="posters/", blank=True)
    error = models.TextField(blank=True)
    timings = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    viewer_role = models.CharField(
        max_length=20,
        choices=ProgramRole.Role.choices,
        blank=True,
        help_text="Whose names it shows: the role it was drawn for (blank: no role, so only "
        "members who chose to be named to everyone).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PosterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Poster {self.pk} of {self.round} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def colour_label(self) -> str:
        """What the poster is coloured by, in words: a program attribute by its label."""
        key = self.colour_by.removeprefix("attr:")
        if key == self.colour_by:
            return self.get_colour_by_display()
        labels = {a.key: a.label for a in self.program.member_attributes.all()}
        return labels.get(key, key)
