"""REST API: briefs (incl. the draft job), proposals (totals, discount, send, PDF, versions), lines, jobs;
amounts are never writable; other agencies' objects answer 404; specialists read only."""
import json

from django.urls import reverse
from django_scopes import scopes_disabled

from mrm.jobs.models import Job
from proposals.models import Brief, EstimateLine, Proposal, ProposalVersion
from tests import factories as f
from tests.conftest import login

JSON = "application/json"


def test_brief_create_and_draft_job_then_poll_status(alice_world, catalog, no_ai, django_capture_on_commit_callbacks):
    http = login(alice_world.am)
    response = http.post(reverse("brief-list"), {
        "company_name": "Фитнес Атлант", "contact_name": "Павел", "contact_email": "pavel@atlant.example",
        "goals": "Продать 200 годовых абонементов", "channels": ["smm", "context"], "budget": "300k-1m",
        "answers": [{"question": "Регион?", "answer": "Казань"}]}, content_type=JSON)
    assert response.status_code == 201, response.content
    brief_id = response.json()["id"]
    with scopes_disabled():
        brief = Brief.objects.get(pk=brief_id)
    assert brief.source == Brief.Source.API and brief.deal.stage == "brief_received"
    assert brief.client.owner == alice_world.am.user  # the AM who filed it owns the new client
    with django_capture_on_commit_callbacks(execute=True):
        started = http.post(reverse("brief-draft", args=[brief_id]), {"mode": "ai"}, content_type=JSON)
    assert started.status_code == 202 and started.json()["status"] == "queued"
    job = http.get(reverse("proposal-job-detail", args=[started.json()["id"]])).json()
    assert job["status"] == "succeeded" and job["params"]["mode"] == "rules"  # no key configured
    with scopes_disabled():
        proposal = Proposal.objects.get(brief_id=brief_id)
    assert job["result_url"] == reverse("proposals:detail", args=[proposal.pk])


def test_brief_validation_errors_are_400(alice_world):
    response = login(alice_world.am).post(reverse("brief-list"), {
        "company_name": "X", "contact_name": "Y", "contact_email": "not-an-email", "goals": "",
        "channels": ["radio"]}, content_type=JSON)
    assert response.status_code == 400
    assert {"contact_email", "goals", "channels"} <= set(response.json())


def test_proposal_detail_totals_lines_and_patch_rules(alice_world, catalog):
    http = login(alice_world.am)
    client = f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    created = http.post(reverse("proposals:create"), {"client": str(client.pk), "title": "КП"})
    assert created.status_code == 302
    with scopes_disabled():
        proposal = Proposal.objects.get(client=client)
    line = http.post(reverse("proposal-line-list"), {
        "proposal": str(proposal.pk), "service": str(catalog["services"]["smm"].pk), "hours": "10",
        "rate": "1", "amount": "1"}, content_type=JSON)
    assert line.status_code == 201, line.content
    assert line.json()["rate"] == "2800.00" and line.json()["amount"] == "28000.00"
    patched = http.patch(reverse("proposal-line-detail", args=[line.json()["id"]]), {"hours": "12.5"},
                         content_type=JSON)
    assert patched.status_code == 200 and patched.json()["amount"] == "35000.00"
    bad = http.patch(reverse("proposal-line-detail", args=[line.json()["id"]]), {"hours": "0"}, content_type=JSON)
    assert bad.status_code == 400
    detail = http.get(reverse("proposal-detail", args=[proposal.pk])).json()
    assert detail["totals"]["subtotal"] == "35000.00" and detail["totals"]["total"] == "42000.00"
    assert detail["total"] == "42000.00" and len(detail["lines"]) == 1
    no_reason = http.patch(reverse("proposal-detail", args=[proposal.pk]), {"discount_percent": "10"},
                           content_type=JSON)
    assert no_reason.status_code == 400 and "discount_reason" in no_reason.json()
    ok = http.patch(reverse("proposal-detail", args=[proposal.pk]),
                    {"discount_percent": "10", "discount_reason": "Пилот", "total": "1"}, content_type=JSON)
    assert ok.status_code == 200 and ok.json()["totals"]["total"] == "37800.00" and ok.json()["total"] == "37800.00"
    assert http.delete(reverse("proposal-line-detail", args=[line.json()["id"]])).status_code == 204
    with scopes_disabled():
        assert not EstimateLine.objects.filter(proposal=proposal).exists()


def test_send_pdf_and_versions_through_the_api(alice_world, catalog, django_capture_on_commit_callbacks):
    http = login(alice_world.am)
    client = f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    contact = f.ContactFactory(agency=alice_world.agency, client=client, email="buyer@client.example")
    proposal = f.ProposalFactory(agency=alice_world.agency, client=client, owner=alice_world.am.user)
    http.post(reverse("proposal-line-list"), {"proposal": str(proposal.pk),
                                              "service": str(catalog["services"]["strategy"].pk), "hours": "24"},
              content_type=JSON)
    assert http.get(reverse("proposal-pdf", args=[proposal.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        job = http.post(reverse("proposal-render-pdf", args=[proposal.pk]))
    assert job.status_code == 202
    assert http.get(reverse("proposal-job-detail", args=[job.json()["id"]])).json()["status"] == "succeeded"
    pdf = http.get(reverse("proposal-pdf", args=[proposal.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    foreign_contact = f.ContactFactory(agency=alice_world.agency)
    refused = http.post(reverse("proposal-send", args=[proposal.pk]), {"contact_ids": [str(foreign_contact.pk)]},
                        content_type=JSON)
    assert refused.status_code == 400
    textless = http.post(reverse("proposal-send", args=[proposal.pk]), {"contact_ids": [str(contact.pk)]},
                         content_type=JSON)
    assert textless.status_code == 400 and "section" in json.dumps(textless.json())  # a price list alone is not a КП
    f.ProposalSectionFactory(agency=alice_world.agency, proposal=proposal, title="Задача", body="Понимаем задачу.")
    with django_capture_on_commit_callbacks(execute=True):
        sent = http.post(reverse("proposal-send", args=[proposal.pk]),
                         {"contact_ids": [str(contact.pk)], "message": "Коллеги, добрый день"}, content_type=JSON)
    assert sent.status_code == 201 and sent.json()["number"] == 1 and sent.json()["total"] == "187200.00"
    with scopes_disabled():
        assert ProposalVersion.objects.get(proposal=proposal).content_hash == sent.json()["content_hash"]
    assert http.get(reverse("proposal-versions", args=[proposal.pk])).json()[0]["number"] == 1


def test_specialist_reads_but_cannot_write_and_other_agencies_get_404(alice_world, bob_world, catalog):
    client = f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    client_team = client.team
    with scopes_disabled():
        client_team.add(alice_world.specialist.user)
    proposal = f.ProposalFactory(agency=alice_world.agency, client=client)
    spec = login(alice_world.specialist)
    assert spec.get(reverse("proposal-detail", args=[proposal.pk])).status_code == 200
    assert spec.patch(reverse("proposal-detail", args=[proposal.pk]), {"title": "x"},
                      content_type=JSON).status_code == 403
    assert spec.post(reverse("brief-list"), {}, content_type=JSON).status_code == 403
    bob = login(bob_world.director)
    for name in ("proposal-detail", "proposal-versions", "proposal-pdf"):
        assert bob.get(reverse(name, args=[proposal.pk])).status_code == 404
    assert bob.post(reverse("proposal-send", args=[proposal.pk]), {"contact_ids": []},
                    content_type=JSON).status_code == 404
    assert bob.get(reverse("catalog-service-detail", args=[catalog["services"]["smm"].pk])).status_code == 404
    bob_line = bob.post(reverse("proposal-line-list"), {"proposal": str(proposal.pk),
                                                        "service": str(catalog["services"]["smm"].pk)},
                        content_type=JSON)
    assert bob_line.status_code == 400  # alice's proposal is not a valid choice for bob


def test_api_token_reaches_the_proposals(alice_world):
    from mrm.accounts.models import ApiToken

    raw, prefix, digest = ApiToken.generate()
    ApiToken.objects.create(agency=alice_world.agency, user=alice_world.director.user,
                            membership=alice_world.director, name="ci", prefix=prefix, key_hash=digest)
    f.ProposalFactory(agency=alice_world.agency, client=f.ClientFactory(agency=alice_world.agency))
    from django.test import Client as HttpClient

    response = HttpClient().get(reverse("proposal-list"), HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 200 and response.json()["count"] == 1


def test_proposal_list_api_has_constant_queries(alice_world, django_assert_max_num_queries):
    for _ in range(55):
        f.ProposalFactory(agency=alice_world.agency, client=f.ClientFactory(agency=alice_world.agency))
    http = login(alice_world.director)
    with django_assert_max_num_queries(10):
        response = http.get(reverse("proposal-list"))
    assert response.status_code == 200 and response.json()["count"] == 55


def test_jobs_api_shows_only_proposal_jobs_of_the_caller(alice_world):
    mine = f.JobFactory(agency=alice_world.agency, kind="proposal.pdf", created_by=alice_world.am.user)
    f.JobFactory(agency=alice_world.agency, kind="proposal.pdf", created_by=alice_world.am2.user)
    f.JobFactory(agency=alice_world.agency, kind="audit.export", created_by=alice_world.am.user)
    rows = login(alice_world.am).get(reverse("proposal-job-list")).json()["results"]
    assert [r["id"] for r in rows] == [str(mine.pk)]
    with scopes_disabled():
        assert Job.objects.filter(agency=alice_world.agency).count() == 3
    director_rows = login(alice_world.director).get(reverse("proposal-job-list")).json()["results"]
    assert len(director_rows) == 2
