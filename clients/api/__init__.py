"""CRM REST API: each module registers its viewsets on the /api/v1/ router when imported here."""
from . import companies, contacts, deals, interactions, invoices, tasks  # noqa: F401
