"""The API says what it does: a line's note is saved, versions are the documented array, every operation
documents its error answers with the bodies the exception handler really returns."""
import pytest
from django.urls import reverse

from tests import factories as f
from tests.conftest import login

JSON = "application/json"


def _line(http, proposal, catalog):
    response = http.post(reverse("proposal-line-list"), {
        "proposal": str(proposal.pk), "service": str(catalog["services"]["smm"].pk), "hours": "10",
        "note": "first"}, content_type=JSON)
    assert response.status_code == 201, response.content
    return response.json()


def test_patch_proposal_line_saves_the_note(alice_world, catalog):
    http = login(alice_world.am)
    proposal = f.ProposalFactory(agency=alice_world.agency, owner=alice_world.am.user,
                                 client=f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user))
    line = _line(http, proposal, catalog)
    url = reverse("proposal-line-detail", args=[line["id"]])
    patched = http.patch(url, {"note": "  Two rounds of revisions included  "}, content_type=JSON)
    assert patched.status_code == 200 and patched.json()["note"] == "Two rounds of revisions included"
    assert http.get(url).json()["note"] == "Two rounds of revisions included"
    assert http.get(url).json()["hours"] == "10.0"  # hours untouched by a note-only PATCH


def test_versions_answer_is_the_documented_plain_array(alice_world, client):
    http = login(alice_world.am)
    proposal = f.ProposalFactory(agency=alice_world.agency, owner=alice_world.am.user,
                                 client=f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user))
    response = http.get(reverse("proposal-versions", args=[proposal.pk]) + "?status=sent&page=2")
    assert response.status_code == 200 and response.json() == []  # list filters do not apply here
    operation = client.get("/api/schema/", HTTP_ACCEPT=JSON).json()["paths"]["/api/v1/proposals/{id}/versions/"]["get"]
    assert operation["responses"]["200"]["content"][JSON]["schema"]["type"] == "array"
    assert {p["name"] for p in operation["parameters"]} == {"id"}


@pytest.fixture
def schema(client, db):
    return client.get("/api/schema/", HTTP_ACCEPT=JSON).json()


def test_every_operation_documents_its_error_answers(schema):
    missing = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            params = operation.get("parameters", [])
            want = {"401", "403"}
            if method in ("post", "put", "patch", "delete") or any(p["in"] == "query" for p in params):
                want.add("400")
            if "{" in path or any(p["name"] == "page" for p in params):
                want.add("404")
            if lacking := want - set(operation["responses"]):
                missing.append(f"{method.upper()} {path}: {sorted(lacking)}")
    assert not missing, missing
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_error_bodies_match_the_documented_shapes(alice_world, schema):
    from django.test import Client as HttpClient

    http = login(alice_world.am)
    not_found = http.get("/api/v1/clients/00000000-0000-0000-0000-000000000000/")
    assert not_found.status_code == 404 and isinstance(not_found.json()["detail"], str)
    bad = http.post("/api/v1/clients/", {}, content_type=JSON)
    assert bad.status_code == 400 and isinstance(bad.json(), dict) and "name" in bad.json()
    anonymous = HttpClient().get("/api/v1/clients/")
    assert anonymous.status_code == 401 and isinstance(anonymous.json()["detail"], str)
    refused = login(alice_world.specialist).post("/api/v1/clients/", {"name": "X"}, content_type=JSON)
    assert refused.status_code == 403 and "client.create" in refused.json()["detail"]


def test_unknown_api_addresses_answer_json_404_even_for_writes(alice_world):
    http = login(alice_world.am)
    for method in ("get", "patch", "delete"):
        response = getattr(http, method)("/api/v1/clients/not-a-uuid/", {}, content_type=JSON)
        assert response.status_code == 404 and response["Content-Type"] == JSON, method
        assert isinstance(response.json()["detail"], str)
    from django.test import Client as HttpClient

    strict = HttpClient(enforce_csrf_checks=True)
    assert strict.patch("/api/v1/nothing-here/", "{}", content_type=JSON).status_code == 404


def test_a_message_list_validation_error_is_an_object(rf):
    from django.core.exceptions import ValidationError

    from mrm.core.api import exception_handler

    response = exception_handler(ValidationError("Not like this."), {})
    assert response.status_code == 400 and response.data == {"non_field_errors": ["Not like this."]}
