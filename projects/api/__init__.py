"""REST API of projects, one module per area; importing the package registers every viewset on
mrm.api_urls.router."""
from . import alerts, changes, shell, time, timeline, work  # noqa: F401 - registrations
