"""The public brief form /b/<agency-slug>/: CSRF, honeypot, signed token, rate limit, file limits, escaping,
and what a brief creates in the CRM (client, contact, deal at "brief received") plus the two e-mails."""
import time

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scopes_disabled

from clients.models import Client, Contact, Deal
from proposals import public
from proposals.models import Brief, ProposalSettings
from tests import factories as f
from tests.conftest import login


def _data(agency, **extra) -> dict:
    data = {
        "company_name": "Пекарня «Колос»", "website": "kolos.example", "contact_name": "Анна Смирнова",
        "contact_email": "anna@kolos.example", "contact_phone": "+7 900 000-00-00",
        "goals": "Хотим запустить доставку и получать 300 заказов в месяц", "audience": "Жители района",
        "channels": ["smm", "context"], "budget": "lt300k", "consent": "on",
        "form_token": public.form_token(agency=agency, issued_at=time.time() - 60),
    }
    data.update(extra)
    return data


def _url(agency, embed=False):
    return reverse("proposals_public:brief_embed" if embed else "proposals_public:brief_form", args=[agency.slug])


def test_form_page_is_public_and_branded(alice_world):
    response = HttpClient().get(_url(alice_world.agency))
    assert response.status_code == 200
    html = response.content.decode()
    assert alice_world.agency.name in html and 'name="nickname"' in html and 'name="form_token"' in html
    assert response["X-Frame-Options"] == "DENY"
    assert HttpClient().get(reverse("proposals_public:brief_form", args=["no-such-agency"])).status_code == 404


def test_embed_can_be_framed_and_form_can_be_switched_off(alice_world):
    response = HttpClient().get(_url(alice_world.agency, embed=True))
    assert response.status_code == 200 and "X-Frame-Options" not in response
    with scopes_disabled():
        ProposalSettings.objects.update_or_create(agency=alice_world.agency, defaults={"brief_form_enabled": False})
    assert HttpClient().get(_url(alice_world.agency)).status_code == 404


@pytest.mark.django_db(transaction=False)
def test_submission_creates_client_contact_deal_and_sends_two_emails(alice_world, django_capture_on_commit_callbacks):
    agency = alice_world.agency
    with django_capture_on_commit_callbacks(execute=True):
        response = HttpClient().post(_url(agency), _data(agency), REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 302 and response["Location"].endswith(f"/b/{agency.slug}/thanks/")
    with scopes_disabled():
        brief = Brief.objects.get(agency=agency)
        client = brief.client
        assert brief.source == Brief.Source.PUBLIC_FORM and brief.submitted_ip == "203.0.113.5"
        assert client.name == "Пекарня «Колос»" and client.source == Client.Source.BRIEF_FORM
        assert client.status == Client.Status.LEAD and client.website == "https://kolos.example"
        assert client.owner == alice_world.director.user  # no brief owner set: the owning director
        assert brief.contact.email == "anna@kolos.example" and brief.contact.client == client
        assert brief.deal.stage == Deal.Stage.BRIEF_RECEIVED and brief.deal.client == client
        assert brief.deal.service_lines == ["smm", "context"]
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(["anna@kolos.example", alice_world.director.user.email])
    confirmation = next(m for m in mail.outbox if m.to == ["anna@kolos.example"])
    assert "Пекарня «Колос»" in confirmation.body  # plain text, not HTML-escaped


def test_brief_links_an_existing_client_by_contact_email_or_name(alice_world):
    agency = alice_world.agency
    existing = f.ClientFactory(agency=agency, name="Пекарня Колос", owner=alice_world.am.user)
    f.ContactFactory(agency=agency, client=existing, email="Anna@Kolos.example")
    HttpClient().post(_url(agency), _data(agency, company_name="Совсем другое название"))
    other = f.ClientFactory(agency=agency, name="Кофейня Зерно", owner=alice_world.am2.user)
    HttpClient().post(_url(agency), _data(agency, company_name="кофейня зерно", contact_email="new@zerno.example"))
    with scopes_disabled():
        briefs = list(Brief.objects.filter(agency=agency).order_by("created_at"))
        assert [b.client for b in briefs] == [existing, other]
        assert briefs[0].owner == alice_world.am.user and briefs[1].owner == alice_world.am2.user
        assert Contact.objects.filter(agency=agency, client=other, email="new@zerno.example").exists()
        assert Client.objects.filter(agency=agency).count() == 3  # the fixture's client + these two


def test_regular_form_enforces_csrf(alice_world):
    http = HttpClient(enforce_csrf_checks=True)
    response = http.post(_url(alice_world.agency), _data(alice_world.agency))
    assert response.status_code == 403
    with scopes_disabled():
        assert not Brief.objects.exists()


def test_embed_relies_on_the_signed_token_and_keeps_the_text(alice_world):
    agency = alice_world.agency
    http = HttpClient(enforce_csrf_checks=True)
    bad = http.post(_url(agency, embed=True), _data(agency, form_token="forged"))
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Хотим запустить доставку" in html  # the typed brief is not lost
    other_agency = f.AgencyFactory()
    foreign = http.post(_url(agency, embed=True), _data(agency, form_token=public.form_token(
        agency=other_agency, issued_at=time.time() - 60)))
    assert foreign.status_code == 400
    ok = http.post(_url(agency, embed=True), _data(agency))
    assert ok.status_code == 302 and ok["Location"].endswith("?embed=1")
    with scopes_disabled():
        assert Brief.objects.filter(agency=agency).count() == 1


def test_a_form_sent_within_seconds_of_loading_is_refused(alice_world):
    agency = alice_world.agency
    response = HttpClient().post(_url(agency), _data(agency, form_token=public.form_token(agency=agency)))
    assert response.status_code == 400
    with scopes_disabled():
        assert not Brief.objects.exists()


def test_honeypot_pretends_success_and_saves_nothing(alice_world):
    agency = alice_world.agency
    response = HttpClient().post(_url(agency), _data(agency, nickname="bot"))
    assert response.status_code == 302
    with scopes_disabled():
        assert not Brief.objects.exists() and not Client.objects.filter(name="Пекарня «Колос»").exists()
    assert not mail.outbox


def test_rate_limit_per_ip_answers_429_and_keeps_the_text(alice_world, settings):
    settings.BRIEF_FORM_LIMIT_PER_IP = 2
    agency = alice_world.agency
    http = HttpClient()
    for i in range(2):
        assert http.post(_url(agency), _data(agency, contact_email=f"a{i}@x.example"),
                         REMOTE_ADDR="198.51.100.7").status_code == 302
    blocked = http.post(_url(agency), _data(agency, goals="Третий бриф подряд"), REMOTE_ADDR="198.51.100.7")
    assert blocked.status_code == 429
    assert "Третий бриф подряд" in blocked.content.decode()
    assert http.post(_url(agency), _data(agency), REMOTE_ADDR="198.51.100.8").status_code == 302  # another IP
    with scopes_disabled():
        assert Brief.objects.filter(agency=agency).count() == 3


def test_file_limits_give_clear_errors_and_keep_the_text(alice_world):
    agency = alice_world.agency
    too_many = [SimpleUploadedFile(f"f{i}.pdf", b"%PDF-1.4", content_type="application/pdf") for i in range(6)]
    response = HttpClient().post(_url(agency), _data(agency, attachments=too_many))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Хотим запустить доставку" in html
    assert "5" in html and ("files" in html or "файл" in html)
    exe = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = HttpClient().post(_url(agency), _data(agency, attachments=[exe]))
    assert response.status_code == 400 and "virus.exe" in response.content.decode()
    huge = SimpleUploadedFile("deck.pdf", b"0" * (10 * 1024 * 1024 + 1), content_type="application/pdf")
    response = HttpClient().post(_url(agency), _data(agency, attachments=[huge]))
    assert response.status_code == 400 and "deck.pdf" in response.content.decode()
    with scopes_disabled():
        assert not Brief.objects.exists()


def test_attachments_are_saved_and_downloadable_by_staff_only(alice_world, bob_world):
    agency = alice_world.agency
    doc = SimpleUploadedFile("brand.pdf", b"%PDF-1.4 brand", content_type="application/pdf")
    HttpClient().post(_url(agency), _data(agency, attachments=[doc]))
    with scopes_disabled():
        brief = Brief.objects.get(agency=agency)
        attachment = brief.attachments.get()
    url = reverse("proposals:brief_attachment", args=[brief.pk, attachment.pk])
    response = login(alice_world.director).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 brand"
    assert "attachment" in response["Content-Disposition"]
    assert login(bob_world.director).get(url).status_code == 404


def test_html_in_fields_is_shown_escaped(alice_world):
    agency = alice_world.agency
    HttpClient().post(_url(agency), _data(agency, company_name="<script>alert(1)</script>",
                                          goals="<img src=x onerror=alert(2)> больше заявок"))
    with scopes_disabled():
        brief = Brief.objects.get(agency=agency)
    html = login(alice_world.director).get(reverse("proposals:brief_detail", args=[brief.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html


def test_template_questions_are_asked_and_answers_saved(alice_world):
    agency = alice_world.agency
    template = f.BriefTemplateFactory(agency=agency, name="SMM-бриф", discipline="smm",
                                      questions="Какие соцсети уже ведёте?\nКакой тон вам близок?")
    page = HttpClient().get(_url(agency) + f"?t={template.pk}").content.decode()
    assert "Какие соцсети уже ведёте?" in page
    HttpClient().post(_url(agency) + f"?t={template.pk}", _data(agency, template=str(template.pk),
                                                                  q_0="VK и Telegram", q_1=""))
    with scopes_disabled():
        brief = Brief.objects.get(agency=agency)
    assert brief.template == template
    assert brief.answers == [{"question": "Какие соцсети уже ведёте?", "answer": "VK и Telegram"}]


def test_am_fills_a_brief_internally_for_their_client(alice_world):
    agency = alice_world.agency
    client = f.ClientFactory(agency=agency, name="Автодом", owner=alice_world.am.user)
    response = login(alice_world.am).post(reverse("proposals:brief_create"), {
        "client": str(client.pk), "company_name": "Автодом", "contact_name": "Олег", "contact_email": "oleg@a.example",
        "goals": "Продажи автомобилей с пробегом", "channels": ["context"]})
    assert response.status_code == 302
    with scopes_disabled():
        brief = Brief.objects.get(agency=agency)
    assert brief.client == client and brief.source == Brief.Source.INTERNAL and brief.created_by == alice_world.am.user
    # An AM cannot file a brief against a client they do not see.
    foreign_client = f.ClientFactory(agency=agency, owner=alice_world.am2.user)
    response = login(alice_world.am).post(reverse("proposals:brief_create"), {
        "client": str(foreign_client.pk), "company_name": "X", "contact_name": "Y", "contact_email": "y@x.example",
        "goals": "Z"})
    assert response.status_code == 422
    assert login(alice_world.specialist).get(reverse("proposals:brief_create")).status_code == 403


# --- Hardening #9: limits that a forged header or many addresses cannot get round; real file types ------------

@pytest.mark.parametrize("proxies", [0, 1])
def test_rate_limit_per_ip_cannot_be_bypassed_with_a_forged_forwarded_for(alice_world, settings, proxies):
    settings.BRIEF_FORM_LIMIT_PER_IP = 2
    settings.TRUSTED_PROXY_COUNT = proxies
    agency = alice_world.agency
    http = HttpClient()
    # Behind one proxy the client is the last X-Forwarded-For entry; without a proxy, REMOTE_ADDR. The leftmost
    # entries are typed by the sender and change with every request.
    codes = [http.post(_url(agency), _data(agency, contact_email=f"a{i}@x.example"), REMOTE_ADDR="10.0.0.2",
                       HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.50").status_code for i in range(4)]
    assert codes == [302, 302, 429, 429]
    with scopes_disabled():
        brief = Brief.objects.filter(agency=agency).first()
        assert Brief.objects.filter(agency=agency).count() == 2
    assert brief.submitted_ip == ("203.0.113.50" if proxies else "10.0.0.2")  # never the forged 192.0.2.x


def test_rate_limit_per_agency_holds_against_many_addresses_and_keeps_the_text(alice_world, bob_world, settings):
    settings.BRIEF_FORM_LIMIT_PER_AGENCY = 3
    agency = alice_world.agency
    http = HttpClient()
    for i in range(3):
        assert http.post(_url(agency), _data(agency, contact_email=f"v{i}@x.example"),
                         REMOTE_ADDR=f"198.51.100.{i + 1}").status_code == 302
    blocked = http.post(_url(agency), _data(agency, goals="Четвёртый бриф с нового адреса"),
                        REMOTE_ADDR="198.51.100.99")
    assert blocked.status_code == 429
    html = blocked.content.decode()
    assert "Четвёртый бриф с нового адреса" in html and "too many briefs" in html
    # Another agency's form has its own allowance.
    assert http.post(_url(bob_world.agency), _data(bob_world.agency), REMOTE_ADDR="198.51.100.99").status_code == 302
    with scopes_disabled():
        assert Brief.objects.filter(agency=agency).count() == 3


def test_confirmation_mail_goes_to_one_address_at_most_k_times_a_day(alice_world, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.BRIEF_CONFIRMATION_LIMIT_PER_EMAIL = 2
    agency = alice_world.agency
    for i in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = HttpClient().post(_url(agency), _data(agency, contact_email="Victim@Example.com"),
                                         REMOTE_ADDR=f"198.51.100.{i + 1}")
        assert response.status_code == 302
    with scopes_disabled():
        assert Brief.objects.filter(agency=agency).count() == 4  # every brief is saved
    to_victim = [m for m in mail.outbox if m.to == ["Victim@Example.com"]]
    to_owner = [m for m in mail.outbox if m.to == [alice_world.director.user.email]]
    assert len(to_victim) == 2 and len(to_owner) == 4


@pytest.mark.parametrize(("name", "data"), [
    ("brand.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64),  # a Linux program renamed .pdf
    ("brand.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),  # a Windows program renamed .pdf
    ("brand.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),  # a web page renamed .pdf
    ("notes.txt", b"<html><body><script>alert(1)</script></body></html>"),
])
def test_a_renamed_program_or_page_is_refused_by_its_content(alice_world, name, data):
    agency = alice_world.agency
    response = HttpClient().post(_url(agency), _data(agency, attachments=[
        SimpleUploadedFile(name, data, content_type="application/pdf")]))
    assert response.status_code == 400
    html = response.content.decode()
    assert name in html and "does not match" in html and "Хотим запустить доставку" in html
    with scopes_disabled():
        assert not Brief.objects.exists()


def test_stored_content_type_is_the_recognised_one_not_the_browsers(alice_world):
    agency = alice_world.agency
    doc = SimpleUploadedFile("brand.pdf", b"%PDF-1.7 real", content_type="text/html")
    assert HttpClient().post(_url(agency), _data(agency, attachments=[doc])).status_code == 302
    with scopes_disabled():
        assert Brief.objects.get(agency=agency).attachments.get().content_type == "application/pdf"
