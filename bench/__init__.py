"""Benchmarks: a bulk data generator and a page timer. Scripts, not tests (see bench/README.md)."""
