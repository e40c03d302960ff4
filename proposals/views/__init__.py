"""HTML views of the proposals app, one module per sub-domain."""
