"""Client reporting: data sources per client, daily metric facts, file imports and the SQL aggregates that
report templates, connectors and scheduled builds stand on."""
