"""A new brief from the portal: the agency's brief templates, the public form's fields pre-filled with the login's
company and contact, a brief linked to that client and contact (no new client), the AM told by e-mail."""
import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope

from clients.models import Client, Contact, Deal
from proposals.models import Brief
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_page_lists_templates_and_prefills_company_and_contact(alice_world, bob_world):
    with scope(agency=alice_world.agency):
        smm = f.BriefTemplateFactory(agency=alice_world.agency, name="SMM")
        f.BriefTemplateFactory(agency=alice_world.agency, name="Скрытый", is_active=False)
    with scope(agency=bob_world.agency):
        f.BriefTemplateFactory(agency=bob_world.agency, name="Чужой тип")
    http = login(alice_world.client_contact)
    body = http.get(reverse("portal:brief_new")).content.decode()
    assert "SMM" in body and "Скрытый" not in body and "Чужой тип" not in body
    assert 'value="Клиент Alice Agency"' in body and 'value="Клиент-контакт Alice Agency"' in body
    assert 'value="client@alice.test"' in body
    page = http.get(reverse("portal:brief_new") + f"?t={smm.pk}")
    assert "Какие соцсети уже ведёте?" in page.content.decode()  # the template's own questions


def test_brief_is_linked_to_the_company_and_the_am_is_told(alice_world, django_capture_on_commit_callbacks):
    agency = alice_world.agency
    with scope(agency=agency):
        template = f.BriefTemplateFactory(agency=agency, name="SMM")
        clients_before = Client.objects.filter(agency=agency).count()
        contacts_before = Contact.objects.filter(agency=agency).count()
    http = login(alice_world.client_contact)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("portal:brief_new") + f"?t={template.pk}", {
            "template": str(template.pk), "company_name": "Подмена", "contact_email": "evil@x.test",
            "contact_name": "Игорь", "goals": "Больше заявок из соцсетей", "q_0": "Только VK"})
    assert response.status_code == 302
    with scope(agency=agency):
        brief = Brief.objects.get(agency=agency)
        assert Client.objects.filter(agency=agency).count() == clients_before
        assert Contact.objects.filter(agency=agency).count() == contacts_before
        deal = Deal.objects.get(pk=brief.deal_id)
    company = alice_world.client_contact.contact.client
    assert brief.client_id == company.pk and brief.contact_id == alice_world.client_contact.contact_id
    assert brief.source == Brief.Source.PORTAL and brief.template_id == template.pk
    # The known company and e-mail cannot be changed from the form.
    assert (brief.company_name, brief.contact_email) == ("Клиент Alice Agency", "client@alice.test")
    assert brief.answers == [{"question": "Какие соцсети уже ведёте?", "answer": "Только VK"}]
    assert deal.client_id == company.pk
    assert [m.to for m in mail.outbox] == [["am@alice.test"]]


def test_invalid_brief_shows_errors_in_place(alice_world):
    response = login(alice_world.client_contact).post(reverse("portal:brief_new"), {"goals": ""})
    assert response.status_code == 422 and 'id="portal-brief-form"' in response.content.decode()
    with scope(agency=alice_world.agency):
        assert not Brief.objects.filter(agency=alice_world.agency).exists()


def test_another_agencys_template_is_ignored(alice_world, bob_world):
    with scope(agency=bob_world.agency):
        theirs = f.BriefTemplateFactory(agency=bob_world.agency, questions="Секретный вопрос")
    page = login(alice_world.client_contact).get(reverse("portal:brief_new") + f"?t={theirs.pk}")
    assert page.status_code == 200 and "Секретный вопрос" not in page.content.decode()
    assert login(alice_world.client_contact).get(reverse("portal:brief_new") + "?t=junk").status_code == 200


def test_staff_and_anonymous_cannot_use_it(alice_world):
    from django.test import Client as HttpClient

    assert login(alice_world.am).get(reverse("portal:brief_new")).status_code == 403
    assert HttpClient().get(reverse("portal:brief_new")).status_code == 302


def test_page_is_constant_in_queries(alice_world, django_assert_max_num_queries):
    with scope(agency=alice_world.agency):
        for _ in range(5):
            f.BriefTemplateFactory(agency=alice_world.agency)
    http = login(alice_world.client_contact)
    with django_assert_max_num_queries(12):
        assert http.get(reverse("portal:brief_new")).status_code == 200
