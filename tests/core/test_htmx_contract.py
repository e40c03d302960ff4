"""One answer for invalid submissions: 422 with the form re-rendered (static/js/app.js swaps 422 in place and
shows the generic toast for every other error status)."""
import pathlib
import re

from django.test import RequestFactory
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from mrm.core.htmx import htmx_invalid, mark_invalid, render_form
from tests.conftest import login

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _request(htmx: bool):
    request = RequestFactory().post("/", HTTP_HX_REQUEST="true") if htmx else RequestFactory().post("/")
    request.htmx = HtmxDetails(request)
    return request


def test_invalid_answer_is_422_and_can_be_reaimed_for_htmx(db):
    response = htmx_invalid(_request(htmx=True), "500.html", {}, target="#section-tasks", swap="innerHTML")
    assert response.status_code == 422
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#section-tasks", "innerHTML")
    plain = mark_invalid(_request(htmx=False), htmx_invalid(_request(htmx=False), "500.html"), target="#x")
    assert plain.status_code == 422 and "HX-Retarget" not in plain
    assert render_form(_request(htmx=False), "500.html", invalid=False).status_code == 200


def test_front_end_swaps_422_and_toasts_the_rest():
    script = (ROOT / "static/js/app.js").read_text()
    rules = re.findall(r'\{\s*code:\s*"([^"]+)",\s*swap:\s*(true|false)(?:,\s*error:\s*(true|false))?', script)
    assert ("422", "true", "false") in rules
    assert rules.index(("422", "true", "false")) < rules.index(("[45]..", "false", "true"))  # first match wins
    assert 'addEventListener("htmx:responseError"' in script


def test_no_html_view_answers_a_form_error_with_400():
    """400 is left unswapped by htmx: the user would read "Something went wrong" instead of what to fix.
    Only the public pages (no HTMX) and JSON endpoints keep 400."""
    allowed = {"proposals/views/webview.py", "proposals/views/public_briefs.py"}
    offenders = []
    for path in [*ROOT.glob("clients/views/*.py"), *ROOT.glob("proposals/views/*.py"), ROOT / "mrm/tenancy/views.py"]:
        rel = str(path.relative_to(ROOT))
        if rel not in allowed and re.search(r"status\s*=\s*400\b", path.read_text()):
            offenders.append(rel)
    assert offenders == []


def test_proposal_editor_refusal_comes_back_as_the_block_with_its_message(alice_world):
    from django_scopes import scope

    from proposals.services import editor
    from tests.factories import ClientFactory

    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    with scope(agency=alice_world.agency):
        proposal = editor.proposal_create(agency=alice_world.agency, actor=alice_world.am.user, client=client,
                                          title="КП")
    response = login(alice_world.am).post(reverse("proposals:section_add", args=[proposal.pk]),
                                          {"new-section-title": "", "new-section-body": "Текст"},
                                          HTTP_HX_REQUEST="true", HTTP_HX_TARGET="sections")
    html = response.content.decode()
    assert response.status_code == 422 and 'id="sections"' in html and "alert-danger" in html
    assert "<html" not in html  # the block alone, for an in-place swap
