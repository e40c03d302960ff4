"""Every URL that takes an object id answers 404 when the object belongs to another agency."""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import login
from tests.isolation import BY_PARAM, BY_ROUTE, NOT_OBJECT_ROUTES


def _walk(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns and namespace and p.namespace:
                ns = f"{namespace}:{p.namespace}"
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), p


def object_routes():
    seen = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        params = [k for k in pattern.pattern.regex.groupindex if k != "format"]
        if not params or name in NOT_OBJECT_ROUTES or name.startswith("admin:"):
            continue
        if "format" in pattern.pattern.regex.groupindex:
            continue  # DRF's ".json" twins of routes tested without the suffix
        seen[name] = params
    return sorted(seen.items())


ROUTES = object_routes()


def test_every_object_route_has_a_builder():
    missing = [name for name, params in ROUTES
               if not all(p in BY_ROUTE.get(name.split(":")[-1], {}) or p in BY_PARAM for p in params)]
    assert not missing, f"register these routes in tests/isolation.py: {missing}"
    assert len(ROUTES) >= 8  # the enumeration itself works


def foreign_object_status(name, params, alice, bob) -> tuple[str, int]:
    """Alice asks for the route with objects of Bob's agency: (url, status code)."""
    route_builders = BY_ROUTE.get(name.split(":")[-1], {})
    kwargs = {}
    for param in params:
        builder = route_builders.get(param) or BY_PARAM[param]
        kwargs[param] = builder(bob.agency, kwargs)
    url = reverse(name, kwargs=kwargs)
    http = login(alice)
    response = http.get(url)
    if response.status_code == 405:
        response = http.post(url, {})
    return url, response.status_code


@pytest.mark.parametrize(("name", "params"), ROUTES, ids=[n for n, _ in ROUTES])
def test_route_answers_404_for_another_agencys_object(name, params, alice, bob):
    url, status = foreign_object_status(name, params, alice, bob)
    assert status == 404, f"{name} {url} answered {status}"
