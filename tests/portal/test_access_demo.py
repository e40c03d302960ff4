"""seed_demo: each demo agency's client login is a contact of its company with portal access (and its portal admin),
and logs in with the demo password."""
import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scopes_disabled

from mrm.core.demo import AGENCIES, DEMO_PASSWORD, demo_email
from mrm.tenancy.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_demo_client_logins_are_portal_contacts_that_log_in():
    call_command("seed_demo", quiet=True)
    for demo in AGENCIES:
        email = demo_email(demo, "client")
        with scopes_disabled():
            member = Membership.objects.select_related("contact__client").get(user__email=email,
                                                                               agency__slug=demo.slug)
        assert member.role == Role.CLIENT and member.is_active and member.is_portal_admin
        assert member.contact.email == email
        http = HttpClient()
        response = http.post(reverse("accounts:login"), {"username": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        home = http.get(reverse("portal:home"), follow=True)
        assert home.status_code == 200 and member.contact.client.name in home.content.decode()
        assert http.get(reverse("portal:team")).status_code == 200
