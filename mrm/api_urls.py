"""/api/v1/: every app registers its viewsets on this router."""
from rest_framework import routers


class ApiRootView(routers.APIRootView):
    """The index of the API's endpoints."""

    policy_actions = {"get": "workspace.view"}


class Router(routers.DefaultRouter):
    APIRootView = ApiRootView


router = Router()
