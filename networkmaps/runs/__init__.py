"""Metric runs: queued, computed by a worker and made current atomically."""
