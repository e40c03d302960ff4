"""A portal login points at a real Contact: its company is what the portal shows; no contact, no access."""
import pytest
from django_scopes import scope, scopes_disabled

from clients.models import Client
from clients.selectors import client_list
from clients.services import contacts
from mrm.tenancy.fences import ClientMembershipRefused
from mrm.tenancy.models import Membership
from portal.selectors import portal_company_ids
from tests.conftest import login


def test_portal_shows_the_contacts_company(alice_world):
    page = login(alice_world.client_contact).get("/portal/")
    assert page.status_code == 200 and "Клиент Alice Agency" in page.content.decode()


def test_deleting_the_contact_ends_portal_access(alice_world):
    member = alice_world.client_contact
    http = login(member)
    with scope(agency=alice_world.agency):
        contacts.contact_delete(agency=alice_world.agency, actor=alice_world.am.user, contact=member.contact)
    with scopes_disabled():
        assert not Membership.objects.filter(pk=member.pk).exists()
    assert http.get("/portal/").status_code in (302, 403)


def test_a_client_login_without_a_contact_sees_no_company(alice_world):
    member = alice_world.client_contact
    with scopes_disabled():
        Membership.objects.filter(pk=member.pk).update(contact=None)
        member.refresh_from_db()
    with scope(agency=alice_world.agency):
        # The portal's fence finds no company; the staff selector refuses a client login outright.
        assert not Client.objects.filter(pk__in=portal_company_ids(agency=alice_world.agency,
                                                                    membership=member)).exists()
        with pytest.raises(ClientMembershipRefused):
            client_list(agency=alice_world.agency, membership=member)
    page = login(member).get("/portal/")
    assert page.status_code == 200 and 'id="portal-no-company"' in page.content.decode()


def test_contact_for_person_finds_by_email_or_creates(alice_world):
    w = alice_world
    company = w.client_contact.contact.client
    with scope(agency=w.agency):
        same = contacts.contact_for_person(agency=w.agency, actor=w.am.user, client=company,
                                           email="CLIENT@alice.test", full_name="x")
        new = contacts.contact_for_person(agency=w.agency, actor=w.am.user, client=company,
                                          email="new@alice.test", full_name="Новый Человек")
    assert same.pk == w.client_contact.contact_id
    assert (new.email, new.full_name, new.client_id) == ("new@alice.test", "Новый Человек", company.pk)
