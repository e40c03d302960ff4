"""Writes of the CRM, one module per sub-domain; import from the module, e.g. `clients.services.companies`."""
