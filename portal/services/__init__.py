"""Writes of the portal's areas, one module per area (`portal/services/<area>.py`)."""
