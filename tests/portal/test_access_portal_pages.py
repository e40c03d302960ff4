"""The client's side of access: profile (name, phone, language, password, notifications), colleagues invited by
the client's portal admin, and the portal in the agency's brand."""
import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scopes_disabled

from clients.models import Contact
from mrm.accounts.models import User
from mrm.tenancy.models import Agency, Invitation, Membership
from tests.conftest import login
from tests.factories import PASSWORD, ClientFactory, ContactFactory

from .access_helpers import link_from_mail

pytestmark = pytest.mark.django_db


def _admin(member):
    with scopes_disabled():
        Membership.objects.filter(pk=member.pk).update(is_portal_admin=True)
        member.refresh_from_db()
    return member


# --- profile ---------------------------------------------------------------------------------------

def test_profile_edits_the_login_and_the_contact_card(alice_world):
    member = alice_world.client_contact
    http = login(member)
    page = http.get(reverse("portal:profile"))
    assert page.status_code == 200 and member.contact.client.name in page.content.decode()
    response = http.post(reverse("portal:profile"), {"full_name": "Игорь Новый", "phone": "+7 900 000-00-00",
                                                      "language": "en"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    user = User.objects.get(pk=member.user_id)
    with scopes_disabled():
        contact = Contact.objects.get(pk=member.contact_id)
    assert (user.full_name, user.language) == ("Игорь Новый", "en")
    assert (contact.full_name, contact.phone) == ("Игорь Новый", "+7 900 000-00-00")
    # The preference persists: a new log-in on another device gets the language back.
    fresh = HttpClient()
    response = fresh.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.cookies["django_language"].value == "en"


def test_the_language_switch_persists_for_a_portal_user(alice_world):
    member = alice_world.client_contact
    login(member).post(reverse("accounts:language_set"), {"language": "en", "next": "/portal/"})
    assert User.objects.get(pk=member.user_id).language == "en"


def test_profile_errors_come_back_in_place(alice_world):
    response = login(alice_world.client_contact).post(reverse("portal:profile"), {"full_name": "", "language": "xx"})
    assert response.status_code == 422 and 'id="portal-profile-form"' in response.content.decode()
    response = login(alice_world.client_contact).post(reverse("portal:profile"), {
        "full_name": "Имя", "phone": "call me", "language": "ru"})
    assert response.status_code == 422 and 'name="phone"' in response.content.decode()


def test_change_password_keeps_this_session(alice_world):
    member = alice_world.client_contact
    http = login(member)
    response = http.post(reverse("portal:password"), {"old_password": "wrong", "new_password1": "n3w-pass-2026!",
                                                       "new_password2": "n3w-pass-2026!"})
    assert response.status_code == 422
    response = http.post(reverse("portal:password"), {"old_password": PASSWORD, "new_password1": "n3w-pass-2026!",
                                                       "new_password2": "n3w-pass-2026!"})
    assert response.status_code == 302
    assert User.objects.get(pk=member.user_id).check_password("n3w-pass-2026!")
    assert http.get(reverse("portal:profile")).status_code == 200


def test_a_links_only_user_can_set_a_password(alice_world):
    member = alice_world.client_contact
    user = User.objects.get(pk=member.user_id)
    user.set_unusable_password()
    user.save()
    http = login(user)
    page = http.get(reverse("portal:profile")).content.decode()
    assert "old_password" not in page
    response = http.post(reverse("portal:password"), {"new_password1": "n3w-pass-2026!",
                                                       "new_password2": "n3w-pass-2026!"})
    assert response.status_code == 302 and User.objects.get(pk=user.pk).check_password("n3w-pass-2026!")


def test_notification_preferences_show_only_client_kinds_in_the_portal(alice_world):
    http = login(alice_world.client_contact)
    assert reverse("notifications:preferences") in http.get(reverse("portal:profile")).content.decode()
    page = http.get(reverse("notifications:preferences"))
    html = page.content.decode()
    assert page.status_code == 200 and "mrm-portal-nav" in html
    assert "change_request_sent__email" in html and "task_assigned__email" not in html


def test_staff_do_not_get_the_portal_profile(alice_world):
    assert login(alice_world.am).get(reverse("portal:profile")).status_code == 403
    assert login(alice_world.am).get(reverse("portal:team")).status_code == 403


# --- colleagues --------------------------------------------------------------------------------------

def test_only_a_portal_admin_of_an_agency_that_allows_it_sees_colleagues(alice_world):
    member = alice_world.client_contact
    http = login(member)
    assert http.get(reverse("portal:team")).status_code == 404
    assert reverse("portal:team") not in http.get(reverse("portal:home")).content.decode()
    _admin(member)
    assert http.get(reverse("portal:team")).status_code == 200
    assert reverse("portal:team") in http.get(reverse("portal:home")).content.decode()
    Agency.objects.filter(pk=alice_world.agency.pk).update(portal_client_invites=False)
    assert http.get(reverse("portal:team")).status_code == 404
    assert http.post(reverse("portal:team"), {"full_name": "X", "email": "x@client.example"}).status_code == 404


def test_a_portal_admin_invites_a_colleague_who_becomes_a_contact_of_the_company(
        alice_world, django_capture_on_commit_callbacks):
    member = _admin(alice_world.client_contact)
    company = member.contact.client
    with django_capture_on_commit_callbacks(execute=True):
        response = login(member).post(reverse("portal:team"), {"full_name": "Коллега Новый",
                                                                "email": "Colleague@Client.example"})
    assert response.status_code == 302
    with scopes_disabled():
        contact = Contact.objects.get(email="colleague@client.example")
        invitation = Invitation.objects.get(contact=contact)
    assert contact.client_id == company.pk and contact.full_name == "Коллега Новый"
    assert invitation.invited_by_id == member.user_id and not invitation.portal_admin
    path = link_from_mail("/accounts/invite/")
    http = HttpClient()
    http.post(path, {"full_name": "Коллега", "login_method": "link"})
    assert company.name in http.get(reverse("portal:home")).content.decode()
    listing = login(member).get(reverse("portal:team")).content.decode()
    assert "colleague@client.example" in listing


def test_inviting_a_colleague_who_has_access_is_an_error_in_place(alice_world):
    member = _admin(alice_world.client_contact)
    response = login(member).post(reverse("portal:team"), {"full_name": "Я", "email": member.user.email})
    assert response.status_code == 422
    response = login(member).post(reverse("portal:team"), {"full_name": "", "email": "not-an-email"})
    assert response.status_code == 422


def test_colleagues_are_of_the_own_company_only(alice_world, bob_world, django_assert_max_num_queries):
    member = _admin(alice_world.client_contact)
    other_company = ClientFactory(agency=alice_world.agency, name="Другая компания")
    ContactFactory(client=other_company, email="stranger@other.example")
    ContactFactory(client=bob_world.client_contact.contact.client, email="bobs@client.example")
    for i in range(3):
        ContactFactory(client=member.contact.client, email=f"mate{i}@client.example")
    http = login(member)
    with django_assert_max_num_queries(25):
        html = http.get(reverse("portal:team")).content.decode()
    assert "mate2@client.example" in html
    assert "stranger@other.example" not in html and "bobs@client.example" not in html


def test_a_colleague_invited_with_another_companys_address_is_added_to_the_own_company(
        alice_world, django_capture_on_commit_callbacks):
    member = _admin(alice_world.client_contact)
    other_company = ClientFactory(agency=alice_world.agency)
    stranger = ContactFactory(client=other_company, email="shared@other.example")
    with django_capture_on_commit_callbacks(execute=True):
        login(member).post(reverse("portal:team"), {"full_name": "Ш", "email": "shared@other.example"})
    with scopes_disabled():
        invitation = Invitation.objects.get(email="shared@other.example")
    assert invitation.contact_id != stranger.pk and invitation.contact.client_id == member.contact.client_id
    assert len(mail.outbox) == 1


# --- brand -------------------------------------------------------------------------------------------

def test_the_portal_wears_the_agencys_colours(alice_world):
    Agency.objects.filter(pk=alice_world.agency.pk).update(brand_color="#FFD400", accent_color="#123456")
    html = login(alice_world.client_contact).get(reverse("portal:home")).content.decode()
    assert "--mrm-brand: #FFD400" in html and "--mrm-accent: #123456" in html
    assert "--mrm-on-brand: #1d273b" in html  # dark text on a light brand colour
    assert alice_world.agency.name in html


def test_the_director_sets_the_colours_and_the_colleague_invites(alice_world):
    http = login(alice_world.director)
    page = http.get(reverse("tenancy:settings")).content.decode()
    assert "portal_client_invites" in page and 'id="portal-settings"' in page
    agency = alice_world.agency
    data = {"name": agency.name, "brand_color": "#AA0000", "accent_color": "#00AA00", "currency": "RUB",
            "vat_rate": "20", "timezone": "Europe/Moscow", "business_hours_start": "10:00",
            "business_hours_end": "19:00", "work_days": "12345", "no_contact_days": "14"}
    data.update({f"target_{m}": v for m, v in (("retention", 85), ("nps", 50), ("upsell", 30),
                                                ("response_hours", 2), ("report_quality", 4.5),
                                                ("revenue_growth", 10))})
    response = http.post(reverse("tenancy:settings"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    agency.refresh_from_db()
    assert agency.brand_color == "#AA0000" and agency.portal_client_invites is False
