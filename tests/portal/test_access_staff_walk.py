"""A portal login never reaches a staff page or the staff API, whatever URL it types: every named route outside
the portal, the person's own account pages and the public pages answers 401/403/404/405 or a redirect — with
real objects of the client's own agency in the URL, so a leak could not hide behind a 404."""
import uuid

import pytest
from django.urls import get_resolver, reverse

from tests.conftest import login
from tests.isolation import BY_PARAM, BY_ROUTE
from tests.tenancy.test_route_isolation import _walk

pytestmark = pytest.mark.django_db

# What a client login may open, each with the reason.
CLIENT_PREFIXES = (
    "portal:",  # the portal itself
    "notifications:",  # the person's own inbox and preferences (policy: notification.view includes clients)
    "accounts:",  # log-in, log-out, language, password, two-factor: the person's own account
    "proposals_public:",  # public proposal and brief links (a secret token each), for anyone who has the link
    "admin:",  # Django admin: is_staff users only (redirects everyone else to its log-in)
)
CLIENT_ROUTES = {
    "core:home",  # redirects: staff to Today, a client login to the portal
    "healthz", "calendar_feed", "public_file", "notifications:telegram_webhook",  # public or secret-token
    "api-schema", "api-docs",  # the public description of the API (no agency data; anonymous gets it too)
}


def _routes():
    for name, pattern in _walk(get_resolver().url_patterns):
        if name in CLIENT_ROUTES or name.startswith(CLIENT_PREFIXES):
            continue
        if "format" in pattern.pattern.regex.groupindex:
            continue  # DRF's ".json" twins
        yield name, pattern


ROUTES = sorted(_routes(), key=lambda r: r[0])


def _kwargs(name, pattern, agency):
    route_builders = BY_ROUTE.get(name.split(":")[-1], {})
    converters = pattern.pattern.converters
    kwargs = {}
    for param in pattern.pattern.regex.groupindex:
        builder = route_builders.get(param) or BY_PARAM.get(param)
        if builder is not None:
            kwargs[param] = builder(agency, kwargs)
        else:
            conv = type(converters.get(param)).__name__
            kwargs[param] = uuid.uuid4() if conv == "UUIDConverter" else 1 if conv == "IntConverter" else "x"
    return kwargs


@pytest.mark.parametrize("name", ["accounts:profile", "accounts:password_change"])
def test_a_client_login_opening_the_staff_profile_lands_on_the_portal_profile(name, alice_world):
    response = login(alice_world.client_contact).get(reverse(name))
    assert response.status_code == 302 and response["Location"] == reverse("portal:profile")
    assert login(alice_world.am).get(reverse(name)).status_code == 200


def test_the_walk_covers_the_staff_side():
    names = {name for name, _ in ROUTES}
    assert {"core:today", "clients:list", "clients:detail", "tenancy:settings", "tenancy:team",
            "api-root"} <= names
    assert len(ROUTES) >= 150


@pytest.mark.parametrize(("name", "pattern"), ROUTES, ids=[n for n, _ in ROUTES])
def test_a_client_login_never_gets_a_staff_page(name, pattern, alice_world):
    url = reverse(name, kwargs=_kwargs(name, pattern, alice_world.agency))
    http = login(alice_world.client_contact)
    response = http.get(url)
    if response.status_code == 405:
        response = http.post(url, {})
    assert response.status_code in (301, 302, 303, 401, 403, 404, 405), f"{name} {url} answered {response.status_code}"
    if response.status_code in (301, 302, 303):
        target = response["Location"]
        assert target.startswith(("/portal/", "/accounts/login")), f"{name} {url} redirects to {target}"
