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


@pytest.fixture
def as_member():
    return login


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
