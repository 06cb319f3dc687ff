"""`manage.py compute_metrics`: queue metric runs for a program's rounds (and --wait for them)."""

import time

from django.core.management.base import BaseCommand, CommandError

from members.models import Program
from networkmaps.models import MetricRun
from networkmaps.runs import services


class Command(BaseCommand):
    help = "Queue metric runs for a program's rounds (all rounds unless --round is given)."

    def add_arguments(self, parser):
        parser.add_argument("--program", required=True, help="The program's slug.")
        parser.add_argument("--round", help="The round's name (default: every round).")
        parser.add_argument("--wait", action="store_true", help="Wait until the runs finish.")
        parser.add_argument("--timeout", type=int, default=3600, help="Seconds to wait at most.")

    def handle(self, *args, program, round, wait, timeout, **options):
        found = Program.objects.filter(slug=program).first()
        if found is None:
            raise CommandError(f"No program with slug “{program}”.")
        rounds = found.rounds.order_by("observed_on")
        if round is not None:
            rounds = rounds.filter(name=round)
            if not rounds:
                names = ", ".join(found.rounds.values_list("name", flat=True)) or "none"
                raise CommandError(f"No round “{round}” in {found.name} (rounds: {names}).")
        runs = [
            services.metric_run_request(program=found, round_=r, requested_by="command line")
            for r in rounds
        ]
        if not wait:
            for run in runs:
                self.stdout.write(f"Queued run {run.pk} for {run.round.name}.")
            return
        deadline = time.monotonic() + timeout
        for run in runs:
            while True:
                run.refresh_from_db()
                if not run.is_active:
                    break
                if time.monotonic() > deadline:
                    raise CommandError(f"Run {run.pk} is still {run.status} after {timeout} s.")
                time.sleep(0.5)
            self._report(run)
        if any(r.status == MetricRun.Status.FAILED for r in runs):
            raise CommandError("Some metric runs failed.")

    def _report(self, run: MetricRun) -> None:
        if run.status == MetricRun.Status.FAILED:
            self.stderr.write(f"{run.round.name}: failed — {run.error}")
        elif run.status == MetricRun.Status.UNCHANGED:
            self.stdout.write(f"{run.round.name}: data unchanged since run {run.reused_id}.")
        else:
            took = run.timings.get("total", run.duration or 0)
            self.stdout.write(
                self.style.SUCCESS(f"{run.round.name}: metrics computed in {took:.1f} s.")
            )
