"""Proposals REST API: registers its viewsets on the /api/v1/ router when imported."""
