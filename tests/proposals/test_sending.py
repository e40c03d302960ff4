"""Sending, the client's personal link, tracking, follow-up cadence, acceptance and the hand-off."""
import json
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from clients.models import Deal, Task
from mrm.tenancy.models import AuditLog
from proposals import handoff, public
from proposals.models import Decision, Proposal, ProposalVersion, Recipient, ViewEvent
from proposals.services import documents, editor, sending
from tests import factories as f
from tests.conftest import login
from tests.money import number_in

MSK = ZoneInfo("Europe/Moscow")
MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=MSK)


@pytest.fixture
def ready(alice_world, catalog):
    """A draft with two lines for a client with two contacts and an open deal."""
    agency = alice_world.agency
    client = f.ClientFactory(agency=agency, name="ООО «Ромашка»", owner=alice_world.am.user)
    irina = f.ContactFactory(agency=agency, client=client, full_name="Ирина Павлова", email="irina@romashka.example",
                             is_primary=True)
    oleg = f.ContactFactory(agency=agency, client=client, full_name="Олег Ким", email="oleg@romashka.example")
    deal = f.DealFactory(agency=agency, client=client, stage=Deal.Stage.BRIEF_RECEIVED, owner=alice_world.am.user)
    with scope(agency=agency):
        proposal = editor.proposal_create(agency=agency, actor=alice_world.am.user, client=client, deal=deal,
                                          title="КП для Ромашки")
        editor.line_add(agency=agency, actor=alice_world.am.user, proposal=proposal,
                        service=catalog["services"]["smm"], hours=10)
        editor.line_add(agency=agency, actor=alice_world.am.user, proposal=proposal,
                        service=catalog["services"]["context"], hours="1.5")
        editor.section_add(agency=agency, actor=alice_world.am.user, proposal=proposal,
                           title="Как мы поняли задачу", body="Нужно больше заявок из поиска.")
    return {"proposal": proposal, "irina": irina, "oleg": oleg, "deal": deal, "client": client}


def _send(alice_world, ready, capture, contacts=("irina",), message="Добрый день!"):
    with capture(execute=True):
        response = login(alice_world.am).post(reverse("proposals:send", args=[ready["proposal"].pk]), {
            "contacts": [str(ready[c].pk) for c in contacts], "message": message})
    assert response.status_code == 302, response.content.decode()[:500]
    with scopes_disabled():
        return ProposalVersion.objects.filter(proposal=ready["proposal"]).latest("number")


def _token(recipient):
    with scopes_disabled():
        recipient = Recipient.objects.select_related("agency").get(pk=recipient.pk)
    return public.link_token(recipient=recipient)


def _recipients(version):
    with scopes_disabled():
        return list(Recipient.objects.filter(version=version).order_by("email"))


def test_send_freezes_a_version_emails_personal_links_and_moves_the_deal(alice_world, ready,
                                                                        django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks, contacts=("irina", "oleg"))
    assert version.number == 1 and version.total == Decimal("39600.00")  # (28 000 + 5 000) × 1.2
    assert len(version.content_hash) == 64 and version.snapshot["client"]["name"] == "ООО «Ромашка»"
    from proposals.services.documents import snapshot_hash

    assert snapshot_hash(version.snapshot) == version.content_hash
    assert version.pdf_file  # rendered once for the version
    irina, oleg = _recipients(version)
    assert irina.emailed_at and oleg.emailed_at and irina.nonce != oleg.nonce
    assert sorted(m.to[0] for m in mail.outbox) == ["irina@romashka.example", "oleg@romashka.example"]
    body = next(m for m in mail.outbox if m.to == ["irina@romashka.example"]).body
    assert "Добрый день!" in body
    import re

    token = re.search(r"/p/([^/\s]+)/\n", body).group(1)
    assert public.link_token_parse(token)[1:] == (str(irina.pk), irina.nonce)  # her own link, and only hers
    with scopes_disabled():
        proposal = Proposal.objects.get(pk=ready["proposal"].pk)
        deal = Deal.objects.get(pk=ready["deal"].pk)
    assert proposal.status == Proposal.Status.SENT and deal.stage == Deal.Stage.PROPOSAL_SENT
    assert deal.amount == Decimal("33000.00")  # without VAT


def test_send_needs_lines_and_contacts_with_email(alice_world, ready, django_capture_on_commit_callbacks):
    other_client_contact = f.ContactFactory(agency=alice_world.agency)
    response = login(alice_world.am).post(reverse("proposals:send", args=[ready["proposal"].pk]),
                                          {"contacts": [str(other_client_contact.pk)]})
    assert response.status_code == 422
    empty = f.ProposalFactory(agency=alice_world.agency, client=ready["client"], owner=alice_world.am.user)
    response = login(alice_world.am).post(reverse("proposals:send", args=[empty.pk]),
                                          {"contacts": [str(ready["irina"].pk)]})
    assert response.status_code == 422 and "estimate line" in response.content.decode()
    with scopes_disabled():
        assert not ProposalVersion.objects.exists()


def test_versions_list_shows_the_difference_in_total(alice_world, catalog, ready, django_capture_on_commit_callbacks):
    _send(alice_world, ready, django_capture_on_commit_callbacks)
    with scope(agency=alice_world.agency):
        editor.line_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=ready["proposal"],
                        service=catalog["services"]["smm"], hours=5)
    v2 = _send(alice_world, ready, django_capture_on_commit_callbacks)
    assert v2.number == 2 and v2.total == Decimal("56400.00")
    response = login(alice_world.am).get(reverse("proposals:detail", args=[ready["proposal"].pk]))
    assert "+" + number_in(response, 16800) in response.content.decode()  # v2 − v1
    api = login(alice_world.am).get(reverse("proposal-versions", args=[ready["proposal"].pk])).json()
    assert [(v["number"], v["delta"]) for v in api] == [(2, "16800.00"), (1, None)]


def test_web_view_tracks_opens_time_and_downloads_per_contact(alice_world, ready, django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks, contacts=("irina", "oleg"))
    irina, oleg = _recipients(version)
    url = reverse("proposals_public:webview", args=[_token(irina)])
    http = HttpClient()
    for _ in range(3):
        response = http.get(url, REMOTE_ADDR="198.51.100.1", HTTP_USER_AGENT="Firefox")
        assert response.status_code == 200
    html = response.content.decode()
    assert "ООО «Ромашка»" in html and number_in(response, 39600) in html
    assert response["X-Robots-Tag"] == "noindex, nofollow" and response["Referrer-Policy"] == "same-origin"
    with scopes_disabled():
        event = ViewEvent.objects.filter(recipient=irina, kind="open").latest("created_at")
    beacon = reverse("proposals_public:webview_beacon", args=[_token(irina)])
    for seconds in (40, 95, 10):
        assert http.post(beacon, json.dumps({"event": str(event.pk), "seconds": seconds}),
                         content_type="application/json").status_code == 200
    assert http.post(beacon, "{}", content_type="application/json").status_code == 400
    assert http.post(beacon, json.dumps({"event": "nope", "seconds": 5}),
                     content_type="application/json").status_code == 400
    pdf = http.get(reverse("proposals_public:webview_pdf", args=[_token(irina)]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    with scopes_disabled():
        irina.refresh_from_db()
        oleg.refresh_from_db()
    assert (irina.open_count, irina.seconds_viewed, irina.download_count) == (3, 95, 1)
    assert oleg.open_count == 0
    page = login(alice_world.am).get(reverse("proposals:detail", args=[ready["proposal"].pk])).content.decode()
    assert "opened 3 times, last today" in page


def test_activity_reads_like_a_sentence(alice_world, ready, django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (irina,) = _recipients(version)
    with time_machine.travel(datetime(2026, 3, 2, 18, 4, tzinfo=MSK), tick=False):
        HttpClient().get(reverse("proposals_public:webview", args=[_token(irina)]))
    with time_machine.travel(datetime(2026, 3, 3, 9, 0, tzinfo=MSK), tick=False):
        page = login(alice_world.am).get(reverse("proposals:detail", args=[ready["proposal"].pk])).content.decode()
    assert "opened once, last yesterday 18:04" in page


def test_links_are_unguessable_revocable_and_expose_one_proposal(alice_world, ready,
                                                                 django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (irina,) = _recipients(version)
    token = _token(irina)
    http = HttpClient()
    assert http.get(reverse("proposals_public:webview", args=[token[:-2] + "xx"])).status_code == 404
    assert http.get(reverse("proposals_public:webview", args=["not-a-token"])).status_code == 404
    forged = public.link_token(recipient=type("R", (), {"agency": alice_world.agency, "pk": irina.pk,
                                                         "nonce": "guessed"})())
    assert http.get(reverse("proposals_public:webview", args=[forged])).status_code == 404
    assert http.get(reverse("proposals_public:webview", args=[token])).status_code == 200
    login(alice_world.am).post(reverse("proposals:recipient_revoke", args=[ready["proposal"].pk, irina.pk]))
    for name in ("webview", "webview_pdf"):
        assert http.get(reverse(f"proposals_public:{name}", args=[token])).status_code == 404
    assert http.post(reverse("proposals_public:webview_decide", args=[token]), {}).status_code == 404


@time_machine.travel(MONDAY_NOON, tick=False)
def test_followups_are_scheduled_on_business_days_and_an_open_pulls_the_next_one(
        alice_world, ready, django_capture_on_commit_callbacks):
    f.HolidayFactory(agency=alice_world.agency, date=datetime(2026, 3, 16).date(), name="Праздник")
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    with scopes_disabled():
        tasks = list(Task.objects.filter(source="proposal_followup", source_id=str(ready["proposal"].pk))
                     .order_by("due_at"))
    assert [t.due_at.astimezone(MSK).strftime("%a %d.%m %H:%M") for t in tasks] == [
        "Thu 05.03 11:00", "Mon 09.03 11:00", "Tue 17.03 11:00", "Wed 01.04 11:00", "Mon 01.06 11:00"]
    assert {t.kind for t in tasks} == {Task.Kind.FOLLOW_UP} and {t.assignee for t in tasks} == {alice_world.am.user}
    assert {t.client_id for t in tasks} == {ready["client"].pk}
    (irina,) = _recipients(version)
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=MSK), tick=False):
        HttpClient().get(reverse("proposals_public:webview", args=[_token(irina)]))
    with scopes_disabled():
        first = Task.objects.filter(source="proposal_followup").order_by("due_at").first()
    assert first.due_at.astimezone(MSK).strftime("%a %d.%m %H:%M") == "Wed 04.03 11:00"
    assert "opened" in first.notes


def test_custom_cadence_and_reply_stops_it(alice_world, ready, django_capture_on_commit_callbacks):
    login(alice_world.director).post(reverse("proposals:proposal_settings"),
                                     {"followup_days": "2, 5", "validity_days": "14"})
    _send(alice_world, ready, django_capture_on_commit_callbacks)
    with scopes_disabled():
        assert Task.objects.filter(source="proposal_followup", done_at__isnull=True).count() == 2
    login(alice_world.am).post(reverse("proposals:replied", args=[ready["proposal"].pk]))
    with scopes_disabled():
        assert not Task.objects.filter(source="proposal_followup").exists()
        assert Deal.objects.get(pk=ready["deal"].pk).stage == Deal.Stage.NEGOTIATION


def test_client_accepts_exact_version_deal_won_cadence_stopped_and_handoff_emitted(
        alice_world, ready, django_capture_on_commit_callbacks):
    received = []
    handoff.register_receiver(received.append)
    try:
        version = _send(alice_world, ready, django_capture_on_commit_callbacks)
        (irina,) = _recipients(version)
        token = _token(irina)
        page = HttpClient().get(reverse("proposals_public:webview", args=[token])).content.decode()
        assert version.content_hash in page and 'name="decision"' in page
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = HttpClient().post(reverse("proposals_public:webview_decide", args=[token]), {
                "decision": "accept", "signed_name": "Ирина Павлова", "accept_terms": "on", "comment": "Стартуем с понедельника",
                "version_hash": version.content_hash}, REMOTE_ADDR="192.0.2.10")
        assert response.status_code == 302
    finally:
        handoff.unregister_receiver(received.append)
    with scopes_disabled():
        decision = Decision.objects.get(proposal=ready["proposal"])
        proposal = Proposal.objects.get(pk=ready["proposal"].pk)
        deal = Deal.objects.get(pk=ready["deal"].pk)
        assert not Task.objects.filter(source="proposal_followup", done_at__isnull=True).exists()
        assert AuditLog.objects.filter(action="proposal.accepted", target_id=str(proposal.pk)).exists()
    assert decision.kind == Decision.Kind.ACCEPTED and decision.version_hash == version.content_hash
    assert decision.ip_address == "192.0.2.10" and decision.contact_id == ready["irina"].pk
    assert decision.signed_name == "Ирина Павлова" and decision.comment == "Стартуем с понедельника"
    assert proposal.status == Proposal.Status.ACCEPTED and deal.stage == Deal.Stage.WON and deal.closed_at
    assert len(received) == 1 and received[0].version_hash == version.content_hash
    assert received[0].snapshot == documents.accepted_snapshot(snapshot=version.snapshot) and received[0].total == Decimal("39600.00")
    # The owner hears of it; the client gets the accepted PDF with its certificate (tests/proposals/test_acceptance.py).
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice_world.am.user.email, "irina@romashka.example"])
    after = HttpClient().get(reverse("proposals_public:webview", args=[token]) + "?answered=1").content.decode()
    assert "Accepted by Ирина Павлова" in after and 'name="decision"' not in after
    again = HttpClient().post(reverse("proposals_public:webview_decide", args=[token]), {
        "decision": "decline", "signed_name": "Ирина", "version_hash": version.content_hash})
    assert again.status_code == 422
    # The editor is frozen after the answer.
    page = login(alice_world.am).get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "line-service" not in page and version.content_hash in page


def test_decline_marks_the_deal_lost_with_the_comment(alice_world, ready, django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (irina,) = _recipients(version)
    HttpClient().post(reverse("proposals_public:webview_decide", args=[_token(irina)]), {
        "decision": "decline", "signed_name": "Ирина Павлова", "comment": "Дорого", "version_hash": version.content_hash})
    with scopes_disabled():
        deal = Deal.objects.get(pk=ready["deal"].pk)
        assert Proposal.objects.get(pk=ready["proposal"].pk).status == Proposal.Status.DECLINED
    assert deal.stage == Deal.Stage.LOST and deal.lost_reason == "Дорого"


def test_acceptance_requires_the_latest_version_its_hash_a_name_and_csrf(alice_world, catalog, ready,
                                                                         django_capture_on_commit_callbacks):
    v1 = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (old,) = _recipients(v1)
    with scope(agency=alice_world.agency):
        editor.line_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=ready["proposal"],
                        service=catalog["services"]["strategy"], hours=24)
    v2 = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (new,) = _recipients(v2)
    stale = HttpClient().post(reverse("proposals_public:webview_decide", args=[_token(old)]), {
        "decision": "accept", "signed_name": "Ирина Павлова", "accept_terms": "on", "version_hash": v1.content_hash})
    assert stale.status_code == 422 and "newer version" in stale.content.decode()
    wrong_hash = HttpClient().post(reverse("proposals_public:webview_decide", args=[_token(new)]), {
        "decision": "accept", "signed_name": "Ирина Павлова", "accept_terms": "on", "version_hash": v1.content_hash})
    assert wrong_hash.status_code == 422 and "changed" in wrong_hash.content.decode()
    no_name = HttpClient().post(reverse("proposals_public:webview_decide", args=[_token(new)]), {
        "decision": "accept", "signed_name": "", "accept_terms": "on", "version_hash": v2.content_hash})
    assert no_name.status_code == 422
    csrf = HttpClient(enforce_csrf_checks=True).post(reverse("proposals_public:webview_decide", args=[_token(new)]), {
        "decision": "accept", "signed_name": "Ирина Павлова", "accept_terms": "on", "version_hash": v2.content_hash})
    assert csrf.status_code == 403
    with scopes_disabled():
        assert not Decision.objects.exists()


def test_deliver_is_idempotent(alice_world, ready, django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    with scope(agency=alice_world.agency):
        assert sending.deliver(agency_id=alice_world.agency.pk, version_id=str(version.pk)) == 0
    assert len(mail.outbox) == 1


def test_resending_an_unchanged_proposal_reuses_its_version(alice_world, ready, django_capture_on_commit_callbacks):
    first = _send(alice_world, ready, django_capture_on_commit_callbacks, contacts=("irina",))
    again = _send(alice_world, ready, django_capture_on_commit_callbacks, contacts=("oleg",))
    assert again.pk == first.pk and again.number == 1
    with scopes_disabled():
        assert ProposalVersion.objects.filter(proposal=ready["proposal"]).count() == 1
        assert AuditLog.objects.filter(action="proposal.version_frozen").count() == 1
    assert [r.email for r in _recipients(first)] == ["irina@romashka.example", "oleg@romashka.example"]
    assert sorted(m.to[0] for m in mail.outbox) == ["irina@romashka.example", "oleg@romashka.example"]


def test_a_proposal_without_text_is_not_sent(alice_world, catalog, ready, django_capture_on_commit_callbacks):
    with scope(agency=alice_world.agency):
        bare = editor.proposal_create(agency=alice_world.agency, actor=alice_world.am.user, client=ready["client"],
                                      title="Только смета")
        editor.line_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=bare,
                        service=catalog["services"]["smm"], hours=10)
    response = login(alice_world.am).post(reverse("proposals:send", args=[bare.pk]),
                                          {"contacts": [str(ready["irina"].pk)]})
    assert response.status_code == 422 and "add at least one section" in response.content.decode()
    with scopes_disabled():
        assert not ProposalVersion.objects.filter(proposal=bare).exists()
        assert Proposal.objects.get(pk=bare.pk).status == Proposal.Status.DRAFT
    assert mail.outbox == []
@pytest.mark.parametrize(("proxies", "expected"), [(0, "10.0.0.2"), (1, "192.0.2.10")])
def test_acceptance_evidence_ip_cannot_be_forged_with_x_forwarded_for(alice_world, ready, settings, proxies,
                                                                     expected, django_capture_on_commit_callbacks):
    """Hardening #9: the IP kept as evidence of the acceptance (and in the audit log) is the trusted one."""
    settings.TRUSTED_PROXY_COUNT = proxies
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (irina,) = _recipients(version)
    with django_capture_on_commit_callbacks(execute=True):
        response = HttpClient().post(reverse("proposals_public:webview_decide", args=[_token(irina)]), {
            "decision": "accept", "signed_name": "Ирина Павлова", "accept_terms": "on", "version_hash": version.content_hash},
            REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.10")
    assert response.status_code == 302
    with scopes_disabled():
        decision = Decision.objects.get(proposal=ready["proposal"])
        row = AuditLog.objects.get(action="proposal.accepted", target_id=str(ready["proposal"].pk))
    assert decision.ip_address == expected and row.ip_address == expected
