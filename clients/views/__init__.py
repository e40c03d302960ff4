"""HTML views of the CRM, one module per sub-domain (companies, contacts, timeline, deals, tasks, ...)."""
