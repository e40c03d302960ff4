"""Writes of the reporting app: sources, metric facts (idempotent replace), file imports."""
