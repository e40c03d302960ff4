"""Services of the projects app (one module per area: handoff, shell, …)."""
