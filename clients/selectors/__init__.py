"""Reads of the CRM. `client_list`/`client_get` apply the AM visibility rule; every other selector builds on them."""
from .companies import client_get, client_list, client_visibility_q

__all__ = ["client_get", "client_list", "client_visibility_q"]
