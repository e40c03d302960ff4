"""REST API of projects (viewsets register on mrm.api_urls.router)."""
