"""/api/v1/: every app registers its viewsets on this router."""
from rest_framework.routers import DefaultRouter

router = DefaultRouter()
