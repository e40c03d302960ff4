"""Connectors: where a data source's daily rows come from. See `base` for the protocol."""
