"""Computing a program's metric runs in the test process, as `manage.py compute_metrics` does."""

from networkmaps.runs import compute, services


def compute_all_rounds(program) -> None:
    """Compute every round's metrics in-process, oldest round first (as `compute_metrics`
    does, so each later round's map starts from the layout of the one before)."""
    for round_ in program.rounds.order_by("observed_on", "id"):
        run = services.metric_run_request(program=program, round_=round_)
        compute.metric_run_execute(run_id=run.pk)
