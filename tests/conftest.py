"""Fixtures: two agencies everywhere — alice's (with an AM, a second AM, a specialist and a client
contact) and bob's — so every test can check that one never sees the other."""
import os
from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient

from mrm.tenancy.models import Agency, Membership, Role

from .factories import AgencyFactory, ClientFactory, ContactFactory, MembershipFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class World:
    agency: Agency
    director: Membership
    am: Membership
    am2: Membership
    specialist: Membership
    client_contact: Membership


def _world(name: str, slug: str) -> World:
    agency = AgencyFactory(name=name, slug=slug)
    director = MembershipFactory(agency=agency, role=Role.DIRECTOR, is_owner=True,
                                 user=UserFactory(email=f"director@{slug}.test", full_name=f"Директор {name}"))
    am = MembershipFactory(agency=agency, role=Role.AM, user=UserFactory(email=f"am@{slug}.test"))
    am2 = MembershipFactory(agency=agency, role=Role.AM, user=UserFactory(email=f"am2@{slug}.test"))
    specialist = MembershipFactory(agency=agency, role=Role.SPECIALIST, user=UserFactory(email=f"pm@{slug}.test"))
    company = ClientFactory(agency=agency, name=f"Клиент {name}", owner=am.user)
    # The portal login points at a real Contact of its company (Membership.contact).
    person = ContactFactory(client=company, email=f"client@{slug}.test", full_name=f"Клиент-контакт {name}")
    contact = MembershipFactory(agency=agency, role=Role.CLIENT, contact=person,
                                user=UserFactory(email=f"client@{slug}.test"))
    return World(agency, director, am, am2, specialist, contact)


@pytest.fixture
def alice_world(db) -> World:
    return _world("Alice Agency", "alice")


@pytest.fixture
def bob_world(db) -> World:
    return _world("Bob Agency", "bob")


@pytest.fixture
def alice(alice_world) -> Membership:
    return alice_world.director


@pytest.fixture
def bob(bob_world) -> Membership:
    return bob_world.director


def login(membership_or_user) -> HttpClient:
    user = getattr(membership_or_user, "user", membership_or_user)
    http = HttpClient()
    http.force_login(user, backend="mrm.accounts.backends.EmailBackend")
    return http


def client_page(http: HttpClient, client_id) -> str:
    """The client page as the member ends up seeing it: the page, then its deferred blocks (`clients:blocks`, which
    the page asks for on load and swaps into their placeholders)."""
    from django.urls import reverse

    page = http.get(reverse("clients:detail", args=[client_id]))
    assert page.status_code == 200, page.status_code
    blocks = http.get(reverse("clients:blocks", args=[client_id]), HTTP_HX_REQUEST="true")
    assert blocks.status_code == 200, blocks.status_code
    return page.content.decode() + blocks.content.decode()


@pytest.fixture
def as_member():
    return login


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # private storage (mrm/core/storage.py), outside MEDIA_ROOT


# --- Shared cache (hardening #9) ------------------------------------------------------------------
def clear_cache() -> None:
    """Forget every counter this test process put in the cache (rate limits live there). On Redis only this
    worker's keys go (`cache.clear()` would FLUSHDB under the other xdist workers)."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]  # the backend itself: `django.core.cache.cache` is a proxy, never a RedisCache
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _clean_cache():
    clear_cache()
    yield
    clear_cache()


# --- CI proves the real stack: with MRM_REQUIRE_REAL_STACK=1 (.ci/run) the session refuses to start on
# SQLite or a non-Redis broker, so a CI run can never quietly pass on the embedded defaults.
def pytest_configure(config):
    if os.environ.get("MRM_REQUIRE_REAL_STACK", "").lower() not in ("1", "true", "yes"):
        return
    from django.conf import settings

    from mrm.celery import app

    from .stack import real_stack_problems

    problems = real_stack_problems(database_engine=settings.DATABASES["default"]["ENGINE"],
                                   broker_urls=[settings.CELERY_BROKER_URL, app.conf.broker_url])
    if problems:
        raise pytest.UsageError("MRM_REQUIRE_REAL_STACK=1 but " + "; ".join(dict.fromkeys(problems)))
