"""The client portal's proposals: the list of what was sent to the login's company, the web version of the latest
version (the personal link's document), the PDF of each version, the history, and tracking of opens."""
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from mrm.core.templatetags.mrm import money
from proposals import public
from proposals.models import Proposal, Recipient, Via, ViewEvent
from proposals.services import editor
from tests import factories as f
from tests.conftest import login

from .proposals_helpers import draft, portal_company, portal_person, recipient_of, send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _sent_rows(world, n, *, client=None, status=Proposal.Status.SENT, **version):
    """`n` proposals with one version each, made by factories (for the list: no rendering needed)."""
    client = client or portal_company(world)
    made = []
    for i in range(n):
        proposal = f.ProposalFactory(agency=world.agency, client=client, status=status, title=f"Черновик {i}")
        snapshot = {"title": f"Отправленное КП {i}", "currency": "RUB",
                    "valid_until": version.get("valid_until", (timezone.localdate() + timedelta(days=10)).isoformat())}
        v = f.ProposalVersionFactory(agency=world.agency, proposal=proposal, number=1, snapshot=snapshot,
                                     total=version.get("total", 1000 + i))
        made.append((proposal, v))
    return made


def test_the_list_shows_what_was_sent_with_its_state_and_never_a_draft(alice_world):
    (sent, _v), = _sent_rows(alice_world, 1)
    (opened, v_opened), = _sent_rows(alice_world, 1)
    f.RecipientFactory(agency=alice_world.agency, version=v_opened, first_opened_at=timezone.now(), open_count=1)
    (accepted, _a), = _sent_rows(alice_world, 1, status=Proposal.Status.ACCEPTED)
    (declined, _d), = _sent_rows(alice_world, 1, status=Proposal.Status.DECLINED)
    (expired, _e), = _sent_rows(alice_world, 1, valid_until=(timezone.localdate() - timedelta(days=3)).isoformat())
    never_sent = f.ProposalFactory(agency=alice_world.agency, client=portal_company(alice_world), title="Тайный черновик")
    response = login(alice_world.client_contact).get(reverse("portal:proposals"))
    assert response.status_code == 200
    states = {row.proposal.pk: row.status for row in response.context["rows"]}
    assert states == {sent.pk: "sent", opened.pk: "opened", accepted.pk: "accepted", declined.pk: "declined",
                      expired.pk: "expired"}
    page = response.content.decode()
    assert "Отправленное КП 0" in page and "Черновик 0" not in page  # the title as sent, not the draft's
    assert "Тайный черновик" not in page and str(never_sent.pk) not in page
    assert money(1000, "RUB") in page


def test_the_list_is_empty_for_a_company_without_proposals_and_links_change_requests(alice_world):
    _sent_rows(alice_world, 2, client=f.ClientFactory(agency=alice_world.agency))  # another company's
    response = login(alice_world.client_contact).get(reverse("portal:proposals"))
    page = response.content.decode()
    assert response.status_code == 200 and response.context["rows"] == []
    assert "No proposals yet" in page and reverse("portal:changes") in page


def test_the_list_pages_and_its_queries_do_not_grow(alice_world, django_assert_max_num_queries):
    http = login(alice_world.client_contact)
    _sent_rows(alice_world, 3)
    http.get(reverse("portal:proposals"))  # warm the session and the login
    with django_assert_max_num_queries(12) as few:
        http.get(reverse("portal:proposals"))
    _sent_rows(alice_world, 22)
    with django_assert_max_num_queries(len(few.captured_queries)):
        first = http.get(reverse("portal:proposals"))
    assert len(first.context["rows"]) == 20 and first.context["page"].paginator.num_pages == 2
    second = http.get(reverse("portal:proposals"), {"page": 2})
    assert len(second.context["rows"]) == 5


def test_the_list_shows_the_change_requests_waiting_for_the_company(alice_world):
    project = f.ProjectFactory(agency=alice_world.agency, client=portal_company(alice_world))
    waiting = f.ChangeRequestFactory(agency=alice_world.agency, project=project, title="Ещё лендинг",
                                     status="sent", sent_at=timezone.now())
    theirs = f.ChangeRequestFactory(agency=alice_world.agency, status="sent", sent_at=timezone.now(),
                                    project=f.ProjectFactory(agency=alice_world.agency,
                                                             client=f.ClientFactory(agency=alice_world.agency)))
    page = login(alice_world.client_contact).get(reverse("portal:proposals")).content.decode()
    assert reverse("portal:change_detail", args=[waiting.pk]) in page and "Ещё лендинг" in page
    assert reverse("portal:change_detail", args=[theirs.pk]) not in page


def test_the_detail_shows_the_sent_document_and_its_history_not_the_edited_draft(
        alice_world, django_capture_on_commit_callbacks):
    proposal = draft(alice_world)
    v1 = send(alice_world, proposal, django_capture_on_commit_callbacks)
    with scope(agency=alice_world.agency):
        editor.section_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=proposal,
                           title="Неотправленный раздел", body="Ещё пишем")
    v2_proposal_edit_only = proposal  # edited, not re-sent yet
    response = login(alice_world.client_contact).get(reverse("portal:proposal", args=[v2_proposal_edit_only.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Нужно больше заявок из поиска." in page and "Ведение сообществ" in page
    assert "Неотправленный раздел" not in page
    assert v1.content_hash in page and money(v1.total, "RUB") in page
    assert reverse("portal:proposal_pdf", args=[proposal.pk, v1.pk]) in page
    assert 'name="accept_terms"' in page and 'id="accept-summary"' in page
    assert "1300" not in page  # the role's internal cost rate never reaches the client
    # A second version sent: the page shows it, the history lists both.
    with scope(agency=alice_world.agency):
        editor.section_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=proposal,
                           title="Второй раздел", body="Готово")
    v2 = send(alice_world, proposal, django_capture_on_commit_callbacks)
    response = login(alice_world.client_contact).get(reverse("portal:proposal", args=[proposal.pk]))
    page = response.content.decode()
    assert response.context["current"].pk == v2.pk and "Второй раздел" in page
    assert [v.number for v in response.context["versions"]] == [2, 1]
    assert v1.content_hash[:12] in page and v2.content_hash in page


def test_opening_in_the_portal_counts_on_the_contacts_own_link(alice_world, django_capture_on_commit_callbacks):
    proposal = draft(alice_world)
    version = send(alice_world, proposal, django_capture_on_commit_callbacks)
    recipient = recipient_of(version, portal_person(alice_world))
    with scopes_disabled():
        recipient = Recipient.objects.select_related("agency").get(pk=recipient.pk)
    http = login(alice_world.client_contact)
    page = http.get(reverse("portal:proposal", args=[proposal.pk])).content.decode()
    # Time on page: the beacon of the contact's own link (the token is signed with a timestamp, so compare what it
    # names, not its text: the page may be rendered in a later second than a token made here).
    (token,) = re.findall(r'/p/([^/"\']+)/beacon/', page)
    assert public.link_token_parse(token) == (str(recipient.agency.uuid), str(recipient.pk), recipient.nonce)
    http.get(reverse("portal:proposal", args=[proposal.pk]) + "?answered=1")  # the redirect after answering
    with scopes_disabled():
        recipient = Recipient.objects.get(pk=recipient.pk)
        (event,) = ViewEvent.objects.filter(recipient=recipient)
    assert recipient.open_count == 1 and recipient.first_opened_at is not None
    assert event.kind == ViewEvent.Kind.OPEN and event.via == Via.PORTAL


def test_a_company_colleague_who_was_not_e_mailed_reads_it_without_a_counted_open(
        alice_world, django_capture_on_commit_callbacks):
    colleague = f.ContactFactory(agency=alice_world.agency, client=portal_company(alice_world),
                                 email="colleague@client.example")
    proposal = draft(alice_world)
    send(alice_world, proposal, django_capture_on_commit_callbacks, contacts=[colleague])
    response = login(alice_world.client_contact).get(reverse("portal:proposal", args=[proposal.pk]))
    assert response.status_code == 200 and response.context["beacon_url"] == ""
    with scopes_disabled():
        assert not ViewEvent.objects.exists()


def test_the_pdf_is_an_attachment_of_the_version_and_counts_a_download(alice_world,
                                                                       django_capture_on_commit_callbacks):
    proposal = draft(alice_world)
    version = send(alice_world, proposal, django_capture_on_commit_callbacks)
    response = login(alice_world.client_contact).get(reverse("portal:proposal_pdf", args=[proposal.pk, version.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="proposal-v{version.number}.pdf"'
    assert response.content.startswith(b"%PDF")
    with scopes_disabled():
        (event,) = ViewEvent.objects.filter(kind=ViewEvent.Kind.DOWNLOAD)
        assert event.via == Via.PORTAL and event.recipient.download_count == 1


def test_another_companys_another_agencys_and_a_draft_answer_404_on_every_route(
        alice_world, bob_world, django_capture_on_commit_callbacks):
    other_company = f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    colleague = f.ContactFactory(agency=alice_world.agency, client=other_company, email="x@other.example")
    theirs = draft(alice_world, client=other_company)
    theirs_v = send(alice_world, theirs, django_capture_on_commit_callbacks, contacts=[colleague])
    bobs = draft(bob_world)
    bobs_v = send(bob_world, bobs, django_capture_on_commit_callbacks)
    never_sent = draft(alice_world)
    with scopes_disabled():
        draft_v = f.ProposalVersionFactory(agency=alice_world.agency, proposal=f.ProposalFactory(
            agency=alice_world.agency, client=portal_company(alice_world)))  # a version of a draft
    mine = draft(alice_world)
    mine_v = send(alice_world, mine, django_capture_on_commit_callbacks)
    http = login(alice_world.client_contact)
    for proposal, version in ((theirs, theirs_v), (bobs, bobs_v), (never_sent, mine_v), (draft_v.proposal, draft_v),
                              (mine, theirs_v), (mine, bobs_v)):
        if (proposal, version) not in ((mine, theirs_v), (mine, bobs_v)):
            assert http.get(reverse("portal:proposal", args=[proposal.pk])).status_code == 404
            assert http.post(reverse("portal:proposal_decide", args=[proposal.pk]), {
                "decision": "accept", "signed_name": "Клиент Контакт", "accept_terms": "on",
                "version_hash": version.content_hash}).status_code == 404
        assert http.get(reverse("portal:proposal_pdf", args=[proposal.pk, version.pk])).status_code == 404
    listing = http.get(reverse("portal:proposals")).content.decode()
    assert str(theirs.pk) not in listing and str(bobs.pk) not in listing and str(never_sent.pk) not in listing
    with scopes_disabled():
        assert Proposal.objects.get(pk=theirs.pk).status == Proposal.Status.SENT
        assert Proposal.objects.get(pk=bobs.pk).status == Proposal.Status.SENT


def test_staff_logins_do_not_reach_the_portal_proposals(alice_world, django_capture_on_commit_callbacks):
    proposal = draft(alice_world)
    version = send(alice_world, proposal, django_capture_on_commit_callbacks)
    for member in (alice_world.am, alice_world.director):
        http = login(member)
        assert http.get(reverse("portal:proposals")).status_code == 403
        assert http.get(reverse("portal:proposal", args=[proposal.pk])).status_code == 403
        assert http.get(reverse("portal:proposal_pdf", args=[proposal.pk, version.pk])).status_code == 403
    with scopes_disabled():
        assert not ViewEvent.objects.exists()


def test_staff_opening_the_clients_personal_link_is_not_counted(alice_world, django_capture_on_commit_callbacks):
    proposal = draft(alice_world)
    version = send(alice_world, proposal, django_capture_on_commit_callbacks)
    with scopes_disabled():
        recipient = Recipient.objects.select_related("agency").get(version=version)
        token = public.link_token(recipient=recipient)
    assert login(alice_world.am).get(reverse("proposals_public:webview", args=[token])).status_code == 200
    assert login(alice_world.am).get(reverse("proposals_public:webview_pdf", args=[token])).status_code == 200
    with scopes_disabled():
        assert not ViewEvent.objects.exists()
    login(alice_world.client_contact).get(reverse("proposals_public:webview", args=[token]))  # the client is
    with scopes_disabled():
        assert ViewEvent.objects.filter(via=Via.LINK).count() == 1


def test_a_client_login_without_a_contact_sees_nothing(alice_world):
    (proposal, version), = _sent_rows(alice_world, 1)
    loose = f.MembershipFactory(agency=alice_world.agency, role="client", contact=None)
    http = login(loose)
    listing = http.get(reverse("portal:proposals"))
    assert listing.status_code == 200 and listing.context["rows"] == []
    assert http.get(reverse("portal:proposal", args=[proposal.pk])).status_code == 404
    assert http.get(reverse("portal:proposal_pdf", args=[proposal.pk, version.pk])).status_code == 404
