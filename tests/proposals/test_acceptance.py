"""Accepting is deliberate and leaves a record that holds: a summary, the typed full name and the "I accept"
box (422 in place otherwise); the client gets the accepted PDF with an acceptance certificate, once; the AM hears."""
import io

import pdfplumber
import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from mrm.core.templatetags.mrm import money as _money
from proposals.models import Decision, Proposal
from proposals.tasks import decision_confirmation_task
from tests.proposals.test_sending import _recipients, _send, _token, ready  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

TYPED = "Ирина Сергеевна Павлова"


def money(*args):
    """The pages and mails under test are in Russian, whatever language an earlier test left active."""
    with translation.override("ru"):
        return _money(*args)


def _decide(token, data, **extra):
    return HttpClient().post(reverse("proposals_public:webview_decide", args=[token]), data, **extra)


def test_the_form_shows_what_is_accepted_and_does_not_prefill_the_name(alice_world, ready,  # noqa: F811
                                                                       django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (irina,) = _recipients(version)
    response = HttpClient().get(reverse("proposals_public:webview", args=[_token(irina)]))
    page = response.content.decode()
    assert 'id="accept-summary"' in page and 'name="accept_terms"' in page
    assert f'<code class="text-break" id="accept-hash">{version.content_hash}</code>' in page
    with translation.override(response.context["LANGUAGE_CODE"]):  # the language the page was rendered in
        assert _money(version.total, "RUB") in page
    assert response.context["form"]["signed_name"].value() in (None, "")
    assert 'value="Ирина Павлова"' not in page


def test_accepting_without_the_full_name_or_the_box_is_refused_in_place(alice_world, ready,  # noqa: F811
                                                                        django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (irina,) = _recipients(version)
    token = _token(irina)
    mail.outbox.clear()
    unticked = _decide(token, {"decision": "accept", "signed_name": TYPED, "comment": "Стартуем",
                               "version_hash": version.content_hash})
    assert unticked.status_code == 422
    assert set(unticked.context["form"].errors) == {"accept_terms"}
    page = unticked.content.decode()
    assert f'value="{TYPED}"' in page and "Стартуем</textarea>" in page  # nothing typed is lost
    one_word = _decide(token, {"decision": "accept", "signed_name": "Ирина", "accept_terms": "on",
                               "version_hash": version.content_hash})
    assert one_word.status_code == 422 and set(one_word.context["form"].errors) == {"signed_name"}
    assert 'checked' in one_word.content.decode().split('name="accept_terms"')[1].split(">")[0]
    with scopes_disabled():
        assert not Decision.objects.exists()
        assert Proposal.objects.get(pk=ready["proposal"].pk).status == Proposal.Status.SENT
    assert mail.outbox == []


def test_acceptance_mails_the_certified_pdf_once_and_tells_the_owner(alice_world, ready,  # noqa: F811
                                                                     django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (irina,) = _recipients(version)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _decide(_token(irina), {"decision": "accept", "signed_name": f"  {TYPED} ", "accept_terms": "on",
                                           "version_hash": version.content_hash}, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302
    with scopes_disabled():
        decision = Decision.objects.get(proposal=ready["proposal"])
    assert decision.signed_name == TYPED and decision.confirmation_sent_at is not None

    client_mail = next(m for m in mail.outbox if m.to == ["irina@romashka.example"])
    ((filename, content, mimetype),) = client_mail.attachments
    assert mimetype == "application/pdf" and filename == f"proposal-v{version.number}-accepted.pdf"
    with pdfplumber.open(io.BytesIO(content)) as doc:
        last_page = doc.pages[-1].extract_text()
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
    assert "КП для Ромашки" in text  # the accepted proposal itself, then the certificate as its last page
    assert TYPED in last_page and "irina@romashka.example" in last_page and "192.0.2.10" in last_page
    assert version.content_hash in last_page.replace("\n", "").replace(" ", "")
    assert "Europe/Moscow" in last_page and "UTC+03:00" in last_page
    assert TYPED in client_mail.body and version.content_hash in client_mail.body

    owner_mail = next(m for m in mail.outbox if m.to == [alice_world.am.user.email])
    assert money(version.total, "RUB") in owner_mail.subject
    assert TYPED in owner_mail.body and "irina@romashka.example" in owner_mail.body
    assert money(version.total, "RUB") in owner_mail.body
    assert len(mail.outbox) == 2

    # A redelivered message (or a second run) sends nothing twice.
    decision_confirmation_task.delay(agency_id=alice_world.agency.pk, decision_id=str(decision.pk))
    assert len(mail.outbox) == 2


def test_confirmation_and_decision_stay_inside_their_agency(alice_world, bob_world, ready,  # noqa: F811
                                                            django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (irina,) = _recipients(version)
    token = _token(irina)
    data = {"decision": "accept", "signed_name": TYPED, "accept_terms": "on", "version_hash": version.content_hash}
    assert _decide(token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"), data).status_code == 404
    assert _decide("not-a-token", data).status_code == 404
    with scopes_disabled():
        assert not Decision.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):  # the confirmation is not sent yet
        assert _decide(token, data).status_code == 302
    with scopes_disabled():
        decision = Decision.objects.get(proposal=ready["proposal"])
    mail.outbox.clear()
    decision_confirmation_task.delay(agency_id=bob_world.agency.pk, decision_id=str(decision.pk))
    assert mail.outbox == []
    with scopes_disabled():
        assert Decision.objects.get(pk=decision.pk).confirmation_sent_at is None
    decision_confirmation_task.delay(agency_id=alice_world.agency.pk, decision_id=str(decision.pk))
    assert [m.to for m in mail.outbox] == [["irina@romashka.example"]]
