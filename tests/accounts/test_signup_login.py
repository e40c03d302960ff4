import pytest
from django.core import mail
from django_scopes import scopes_disabled

from mrm.accounts.models import User
from mrm.tenancy.models import Agency, AuditLog, Membership, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {"agency_name": "Новое агентство", "full_name": "Анна Иванова", "email": "Anna@Example.com",
          "password": "long-enough-pass-42"}


def test_signup_creates_agency_with_owner_director_and_lands_in_workspace(client):
    response = client.post("/accounts/signup/", SIGNUP, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/today/"
    user = User.objects.get(email="anna@example.com")
    agency = Agency.objects.get(name="Новое агентство")
    with scopes_disabled():
        membership = Membership.objects.get(user=user, agency=agency)
        assert AuditLog.objects.filter(agency=agency, action="agency.created").exists()
    assert membership.role == Role.DIRECTOR and membership.is_owner
    assert agency.slug == "novoe-agentstvo"
    content = response.content.decode()
    assert "First steps" in content or "Первые шаги" in content
    assert "Invite your team" in content or "Пригласите команду" in content


def test_signup_duplicate_email_is_a_form_error_and_creates_nothing(client):
    UserFactory(email="anna@example.com")
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 200
    assert "already exists" in response.content.decode() or "уже есть" in response.content.decode()
    assert not Agency.objects.filter(name="Новое агентство").exists()
    # What the visitor typed is still in the form.
    assert "Новое агентство" in response.content.decode()


@pytest.mark.parametrize("password", ["12345678901", "password123", "short"])
def test_signup_weak_password_is_rejected_with_a_reason(client, password):
    response = client.post("/accounts/signup/", {**SIGNUP, "password": password})
    assert response.status_code == 200
    assert not User.objects.filter(email="anna@example.com").exists()
    assert 'class="invalid-feedback d-block"' in response.content.decode()


def test_login_with_email_any_case(client, alice):
    response = client.post("/accounts/login/", {"username": "DIRECTOR@alice.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/today/"


def test_wrong_password_shows_message(client, alice):
    response = client.post("/accounts/login/", {"username": "director@alice.test", "password": "nope"})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode() or "alert-danger" in response.content.decode()


def test_repeated_failed_logins_lock_out_with_clear_message(client, alice):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "director@alice.test", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "director@alice.test", "password": PASSWORD})
    assert response.status_code == 429
    assert "30" in response.content.decode()  # says how long the block lasts
    assert "_auth_user_id" not in client.session


def test_login_redirect_ignores_foreign_next(client, alice):
    response = client.post("/accounts/login/?next=https://evil.example/",
                           {"username": "director@alice.test", "password": PASSWORD,
                            "next": "https://evil.example/"})
    assert response["Location"] == "/today/"


def test_password_reset_by_email(client, alice):
    response = client.post("/accounts/password/reset/", {"email": "director@alice.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"})
    assert response.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.check_password("brand-new-pass-77")


def test_password_reset_unknown_email_does_not_reveal_anything(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_language_switch_saves_preference(client, alice):
    from tests.conftest import login

    http = login(alice)
    response = http.post("/accounts/language/", {"language": "en", "next": "/today/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    alice.user.refresh_from_db()
    assert alice.user.language == "en"
    assert '<html lang="en">' in http.get("/today/").content.decode()
    http.post("/accounts/language/", {"language": "ru", "next": "/today/"})
    assert '<html lang="ru">' in http.get("/today/").content.decode()


def test_language_switch_rejects_unknown_language_and_foreign_next(client, db):
    response = client.post("/accounts/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "django_language" not in response.cookies
