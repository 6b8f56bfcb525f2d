"""Benchmarks (``make bench``): figures written to a file, never asserted in tests."""
