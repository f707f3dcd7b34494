"""Benchmarks (`make bench`): measured on this machine, reported in the issue notes, never
asserted in the test suite."""
