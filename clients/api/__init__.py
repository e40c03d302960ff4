"""CRM REST API: each module registers its viewsets on the /api/v1/ router when imported here."""
from . import companies, contacts, custom_fields, deals, interactions, invoices, tasks  # noqa: F401
