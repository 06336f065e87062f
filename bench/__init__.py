"""Benchmark scripts (`make bench`); bench.harness is shared with loadtest/run.py."""
