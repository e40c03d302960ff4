"""One permission policy (mrm/tenancy/policy.py) for pages, the API, the Today checklist and the README.

The API walk below tries every router viewset × every role × every method and compares the answer with
the policy table; the page walk does the same for every HTML view that declares a policy action."""
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import get_resolver, reverse
from django_scopes import scope

from mrm.api_urls import router
from mrm.tenancy.models import Role
from mrm.tenancy.permissions import member_required, view_policy_action
from mrm.tenancy.policy import POLICY, can, roles_for, roles_markdown
from tests.conftest import login
from tests.factories import ClientFactory
from tests.tenancy.test_route_isolation import _walk

STAFF_ROLE = {"director": Role.DIRECTOR, "am": Role.AM, "specialist": Role.SPECIALIST}
ROLES = ("director", "am", "specialist", "client_contact", "anonymous")
METHODS = ("get", "post", "put", "patch", "delete")


def _http(world, role):
    from django.test import Client as HttpClient

    return HttpClient() if role == "anonymous" else login(getattr(world, role))


def _viewset_routes(viewset):
    """(url name, detail?, {method: DRF action}) for each route the router builds for a viewset."""
    for route in router.get_routes(viewset):
        mapping = {method: action for method, action in router.get_method_map(viewset, route.mapping).items()
                   if method in viewset.http_method_names}
        if mapping:
            yield route.name, route.detail, mapping


REGISTRY = [(basename, viewset) for _prefix, viewset, basename in router.registry]
PREFIXES = {basename: prefix for prefix, _viewset, basename in router.registry}


def test_every_viewset_maps_every_action_to_a_policy_action():
    from mrm.tenancy.permissions import PolicyPermission

    problems = []
    for basename, viewset in REGISTRY:
        mapping = getattr(viewset, "policy_actions", None)
        if mapping is None:
            problems.append(f"{basename}: no policy_actions")
            continue
        if any("get_permissions" in vars(cls) or "initial" in vars(cls)
               for cls in viewset.__mro__ if cls.__module__.split(".")[0] in ("clients", "proposals", "mrm")):
            problems.append(f"{basename}: checks permissions its own way (use policy_actions)")
        if viewset.permission_classes != [PolicyPermission]:
            problems.append(f"{basename}: permission_classes {viewset.permission_classes}")
        routed = {action for _name, _detail, m in _viewset_routes(viewset) for action in m.values()}
        problems += [f"{basename}.{a}: not in policy_actions" for a in routed - set(mapping)]
        problems += [f"{basename}.{a}: unknown policy action {p!r}" for a, p in mapping.items() if p not in POLICY]
    assert not problems, problems
    assert len(REGISTRY) >= 12  # the enumeration itself works


def _expected(role, action) -> str:
    if role == "anonymous":
        return "401"
    if role == "client_contact":
        return "403"  # portal users never reach the staff API
    if action is None:
        return "405"
    return "allowed" if STAFF_ROLE[role] in roles_for(action) else "403"


def _seen(status: int) -> str:
    if status in (401, 403, 405):
        return str(status)
    assert status < 500, status
    return "allowed"


@pytest.mark.parametrize(("basename", "viewset"), REGISTRY, ids=[b for b, _ in REGISTRY])
def test_api_answers_every_role_and_method_as_the_policy_says(basename, viewset, alice_world):
    """Ids are random: an allowed call answers 404/400/2xx, a refused one 401/403 before any lookup."""
    mismatches = []
    clients = {role: _http(alice_world, role) for role in ROLES}
    for name, detail, mapping in _viewset_routes(viewset):
        url_name = name.format(basename=basename)
        # Nested routes (projects/<project_id>/timeline): a random id for each named group of the prefix too.
        kwargs = {group: uuid.uuid4() for group in re.compile(PREFIXES[basename]).groupindex}
        url = reverse(url_name, kwargs={**kwargs, "pk": uuid.uuid4()} if detail else kwargs)
        for method in METHODS:
            action = mapping.get(method)
            policy_action = viewset.policy_actions.get(action) if action else None
            for role, http in clients.items():
                response = getattr(http, method)(url, data={}, content_type="application/json")
                want, got = _expected(role, policy_action), _seen(response.status_code)
                if want != got:
                    mismatches.append(f"{role} {method.upper()} {url} ({action}→{policy_action}): "
                                      f"policy says {want}, answered {response.status_code}")
    assert not mismatches, "\n".join(mismatches)


def test_api_root_is_for_staff_only(alice_world):
    assert _http(alice_world, "anonymous").get("/api/v1/").status_code == 401
    assert _http(alice_world, "client_contact").get("/api/v1/").status_code == 403
    assert _http(alice_world, "specialist").get("/api/v1/").status_code == 200


# --- pages ---------------------------------------------------------------------------------------

# Views outside the role policy, each with the reason.
NOT_POLICY_VIEWS = {
    "core:home": "redirects to Today or the login page",
    "healthz": "public health check",
    "calendar_feed": "public, secret-token iCal feed",
    "public_file": "public files (logos, photos, case images) by their unguessable name; private files never",
    "clients:calendar_feed_create": "the user's own feed; staff only, checked in the view (404)",
    "clients:calendar_feed_revoke": "the user's own feed; staff only, checked in the view (404)",
    "notifications:telegram_webhook": "the Telegram bot's webhook: secret path and secret header (tests/notifications)",
    "portal:nps_link": "the e-mailed NPS survey link: signed, expiring, single-use token, no login (tests/portal)",
}
NOT_POLICY_PREFIXES = ("accounts:", "admin:", "proposals_public:")  # login, profile, public links, admin


def _page_routes():
    for name, pattern in _walk(get_resolver().url_patterns):
        callback = pattern.callback
        if hasattr(callback, "cls") or name.startswith("api-"):
            continue  # DRF views: the API walk above
        yield name, pattern, view_policy_action(callback)


PAGES = [(name, pattern, action) for name, pattern, action in _page_routes() if action]


def test_every_staff_page_declares_a_policy_action():
    missing = [name for name, _pattern, action in _page_routes()
               if action is None and name not in NOT_POLICY_VIEWS and not name.startswith(NOT_POLICY_PREFIXES)]
    assert not missing, f"decorate these views with @member_required('<policy action>'): {missing}"
    assert len(PAGES) >= 80


def _page_kwargs(pattern):
    converters = pattern.pattern.converters
    kwargs = {}
    for param in pattern.pattern.regex.groupindex:
        conv = type(converters.get(param)).__name__
        kwargs[param] = uuid.uuid4() if conv == "UUIDConverter" else 999999 if conv == "IntConverter" else "x"
    return kwargs


@pytest.mark.parametrize("role", ["director", "am", "specialist", "client_contact"])
def test_pages_answer_every_role_as_the_policy_says(role, alice_world):
    membership = getattr(alice_world, role)
    http = login(membership)
    mismatches = []
    for name, pattern, action in PAGES:
        url = reverse(name, kwargs=_page_kwargs(pattern))
        response = http.get(url)
        if response.status_code == 405:
            response = http.post(url, {})
        allowed = can(membership, action)
        to_portal = response.status_code == 302 and response["Location"] == reverse("portal:home")
        refused = response.status_code == 403 or to_portal
        assert response.status_code < 500, (name, response.status_code)
        if allowed == refused:
            mismatches.append(f"{role} {url} ({action}): policy says {'allowed' if allowed else 'refused'}, "
                              f"answered {response.status_code}")
    assert not mismatches, "\n".join(mismatches)


def test_specialist_can_neither_edit_a_client_page_nor_patch_it_in_the_api(alice_world):
    with scope(agency=alice_world.agency):
        company = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, name="Before")
        company.team.add(alice_world.specialist.user)
    specialist, am = login(alice_world.specialist), login(alice_world.am)
    url = f"/api/v1/clients/{company.pk}/"

    assert specialist.get(url).status_code == 200  # on the team: sees it in both
    assert specialist.get(reverse("clients:detail", args=[company.pk])).status_code == 200
    assert specialist.get(reverse("clients:edit", args=[company.pk])).status_code == 403
    assert specialist.patch(url, {"name": "Renamed", "status": "paused"},
                            content_type="application/json").status_code == 403
    company.refresh_from_db()
    assert company.name == "Before"

    assert am.get(reverse("clients:edit", args=[company.pk])).status_code == 200
    response = am.patch(url, {"name": "Renamed"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["name"] == "Renamed"


def test_api_and_pages_show_each_role_the_same_clients(alice_world):
    """Object visibility lives in the selectors, shared by pages and the API."""
    with scope(agency=alice_world.agency):
        own = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, name="Own of am")
        teamed = ClientFactory(agency=alice_world.agency, owner=alice_world.am2.user, name="On the team")
        teamed.team.add(alice_world.am.user, alice_world.specialist.user)
        other = ClientFactory(agency=alice_world.agency, owner=alice_world.am2.user, name="Not theirs")
    for role, visible in (("am", {own, teamed}), ("specialist", {teamed}), ("am2", {teamed, other})):
        http = login(getattr(alice_world, role))
        api = {row["name"] for row in http.get("/api/v1/clients/").json()["results"]}
        for company in (own, teamed, other):
            page = http.get(reverse("clients:detail", args=[company.pk])).status_code
            assert (page == 200) == (company in visible) == (company.name in api), (role, company.name, page)


def test_member_required_refuses_roles_and_unknown_actions():
    with pytest.raises(TypeError):
        member_required("director")
    with pytest.raises(Exception, match="Unknown policy action"):
        member_required("client.fly")


# --- README and Today ----------------------------------------------------------------------------

def test_readme_roles_section_is_the_policy_table():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = re.search(r"^### Roles\n(.*?)(?=^##)", readme, re.S | re.M).group(1)
    assert roles_markdown() in section, "README's ### Roles table is stale; paste:\n" + roles_markdown()


@pytest.mark.parametrize(("role", "keys"), [
    ("director", {"brand", "team", "client", "rate_card"}),
    ("am", {"client"}),
    ("specialist", set()),
])
def test_today_first_steps_show_only_what_the_role_may_do(role, keys, alice_world):
    from mrm.core.first_steps import steps_for

    membership = getattr(alice_world, role)
    with scope(agency=alice_world.agency):
        steps = steps_for(agency=alice_world.agency, membership=membership)
    assert {s.key for s, _done in steps} == keys
    http = login(membership)
    for step, _done in steps:
        assert http.get(step.url()).status_code == 200, step.key
    page = http.get(reverse("core:today")).content.decode()
    assert ('href="' + reverse("tenancy:settings") + '"' in page) == (role == "director")


# --- a scoping bug is a server error, not "isolation" ---------------------------------------------

def test_scope_error_in_the_api_is_a_logged_500_and_fails_the_isolation_test(alice, bob, monkeypatch, caplog):
    from django_scopes import ScopeError

    from clients.api.companies import ClientViewSet
    from tests.tenancy.test_route_isolation import foreign_object_status

    def unscoped(self):
        raise ScopeError("A scope on dimension(s) agency needs to be active for this query.")

    monkeypatch.setattr(ClientViewSet, "get_agency_queryset", unscoped)
    with caplog.at_level("ERROR", logger="mrm.api"):
        url, status = foreign_object_status("client-detail", ["pk"], alice, bob)
    # The route-isolation test asserts 404: a scoping bug now makes it fail instead of passing silently.
    assert status == 500, url
    assert any(r.name == "mrm.api" and r.levelname == "ERROR" and "ScopeError" in r.getMessage()
               for r in caplog.records)
    response = login(alice).get("/api/v1/clients/")
    assert response.status_code == 500 and response.json()["code"] == "scope_error"
