from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from members.access import program_for_user
from members.models import Program
from members.setup.services import getting_started


@login_required
def home(request):
    programs = Program.objects.for_user(request.user).annotate(
        member_count=Count("members", distinct=True),
        cohort_count=Count("cohorts", distinct=True),
    )
    return render(request, "members/home.html", {"programs": programs})


@login_required
def program_detail(request, slug):
    program = program_for_user(request, slug)
    rounds = program.rounds.annotate(tie_count=Count("ties")).order_by("observed_on")
    cohorts = program.cohorts.annotate(member_count=Count("members"))
    counts = program.members.aggregate(
        members=Count("id"),
        with_login=Count("id", filter=Q(user__isnull=False)),
        visible=Count("id", filter=Q(visibility="members")),
        consented=Count("id", filter=Q(consent_recorded_at__isnull=False)),
    )
    # issue 12: a program that has no ties yet opens on its "get started" checklist.
    checklist = None
    if request.program_role == "staff" and not program.relationships.exists():
        checklist = getting_started(program=program)
    return render(
        request,
        "members/program_detail.html",
        {
            "program": program,
            "rounds": rounds,
            "cohorts": cohorts,
            "counts": counts,
            "checklist": checklist,
        },
    )
