"""Stage timings and progress reports for one metrics computation."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Share of the total run each stage takes on a typical graph, for progress reports.
STAGE_WEIGHTS = {
    "merge": 0.02,
    "components": 0.01,
    "paths": 0.80,
    "reach": 0.01,
    "local": 0.01,
    "eigenvector": 0.02,
    "pagerank": 0.02,
    "communities": 0.05,
    "core": 0.01,
    "brokerage": 0.03,
    "assemble": 0.02,
}


class Stages:
    """Times each stage (``with stages("name"):``) and reports progress as stages start."""

    def __init__(self, progress: Callable[[str, float], None] | None):
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.started = time.perf_counter()
        self._done = 0.0
        self._current = ""

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        self._current = stage
        if self.progress:
            self.progress(stage, self._done)
        started = time.perf_counter()
        yield
        self.timings[stage] = round(time.perf_counter() - started, 4)
        self._done = min(1.0, self._done + STAGE_WEIGHTS[stage])

    def report_within(self, share: float) -> None:
        """Progress from inside the current stage; ``share`` of the stage is done."""
        if self.progress:
            weight = STAGE_WEIGHTS[self._current]
            self.progress(self._current, self._done + weight * share)
