"""The branded PDF: rendered in a job, text checked with pdfplumber (client, Cyrillic, totals equal to the
editor and the API), images from the public storage, and a renderer that fetches nothing but the app's static
files and the rendering agency's own images."""
import io
import re
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pdfplumber
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from mrm.integrations import pdf as pdf_integration
from mrm.jobs.models import Job
from proposals.models import Proposal
from proposals.services import documents, editor
from tests import factories as f
from tests.conftest import login
from tests.money import number_in


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def designed(alice_world, catalog):
    agency = alice_world.agency
    agency.brand_color = "#7A5AF8"
    agency.logo.save("logo.png", ContentFile(_png()), save=True)
    user = alice_world.am.user
    user.bio = "Ведёт клиентов в ритейле."
    user.photo.save("am.png", ContentFile(_png()), save=True)
    client = f.ClientFactory(agency=agency, name="Кофейня «Зерно»", owner=user)
    case = f.CaseFactory(agency=agency, title="Рост заявок в 2,4 раза", result="−38 % стоимость заявки")
    case.image.save("case.png", ContentFile(_png()), save=True)
    with scope(agency=agency):
        proposal = editor.proposal_create(agency=agency, actor=user, client=client, title="Продвижение кофейни")
        editor.section_add(agency=agency, actor=user, proposal=proposal, title="Как мы поняли задачу",
                           body="Нужно больше гостей по утрам.\n<img src=http://evil.example/x.png>")
        editor.line_add(agency=agency, actor=user, proposal=proposal, service=catalog["services"]["smm"], hours=45.5)
        editor.line_add(agency=agency, actor=user, proposal=proposal, service=catalog["services"]["context"],
                        hours="1.5")
        editor.discount_update(agency=agency, actor=user, proposal=proposal, percent=Decimal("5"),
                               reason="Первый проект")
        editor.cases_set(agency=agency, actor=user, proposal=proposal, cases=[case])
    return proposal


def _flat(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]", "", text)


def test_pdf_job_renders_a_branded_document_with_the_same_totals(alice_world, designed,
                                                                 django_capture_on_commit_callbacks):
    http = login(alice_world.am)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("proposals:pdf_render", args=[designed.pk]))
    assert response.status_code == 302
    with scopes_disabled():
        job = Job.objects.get(kind="proposal.pdf")
        proposal = Proposal.objects.get(pk=designed.pk)
    assert job.status == Job.Status.SUCCEEDED and job.result_url == reverse("proposals:pdf_download",
                                                                            args=[proposal.pk])
    download = http.get(job.result_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    content = b"".join(download.streaming_content)
    with pdfplumber.open(io.BytesIO(content)) as doc:
        pages = [page.extract_text() or "" for page in doc.pages]
        images = sum(len(page.images) for page in doc.pages)
    text = "\n".join(pages)
    assert len(pages) >= 4
    assert "Кофейня «Зерно»" in text and "Продвижение кофейни" in text  # Cyrillic survives
    assert "Как мы поняли задачу" in text and "Ведение сообществ" in text and "Первый проект" in text
    assert "<img src=http://evil.example/x.png>" in text  # user text printed, not interpreted
    # Totals: 45.5 × 2800 = 127 400; 1.5 × 3333.33 = 5 000; −5 % = 125 780; +20 % VAT = 150 936.
    assert proposal.total == Decimal("150936.00")
    flat = _flat(text)
    for amount in ("127400", "5000", "132400", "6620", "25156", "150936"):
        assert amount in flat
    api = http.get(reverse("proposal-detail", args=[proposal.pk])).json()
    assert api["totals"]["total"] == "150936.00" == str(proposal.total)
    editor = http.get(reverse("proposals:detail", args=[proposal.pk]))
    assert number_in(editor, 150936) in editor.content.decode()
    assert re.search(r"2\s*/\s*\d", pages[1]) and "Alice Agency" in pages[1]  # running header and page numbers
    assert images >= 3  # logo, team photo, case image


def test_safe_fetcher_serves_only_data_static_files_and_the_listed_storage_files(settings, tmp_path):
    fetcher = pdf_integration.SafeURLFetcher(storage_names=["logos/own.png"])
    public, private = Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)
    for folder in (public / "logos", private / "clients"):
        folder.mkdir(parents=True, exist_ok=True)
    (public / "logos" / "own.png").write_bytes(_png())
    (public / "logos" / "other.png").write_bytes(_png())
    (private / "clients" / "contract.pdf").write_bytes(b"%PDF private")
    for url in ("http://example.com/x.png", "https://127.0.0.1/", "ftp://example.com/f", "file:///etc/passwd",
                (tmp_path / "outside.png").as_uri(),
                (public / "logos" / "own.png").as_uri(),  # uploads are never read by path, listed or not
                (private / "clients" / "contract.pdf").as_uri(),
                pdf_integration.storage_file_url("logos/other.png"),  # not listed for this render
                pdf_integration.storage_file_url("../private/clients/contract.pdf")):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch(pdf_integration.storage_file_url("logos/own.png")).read() == _png()
    dejavu = pdf_integration.static_file_url("vendor/dejavu/DejaVuSans.ttf")
    assert dejavu and fetcher.fetch(dejavu).read(4) == b"\x00\x01\x00\x00"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


class _CountingHandler(BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):  # noqa: N802 - http.server's name
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(_png())

    def log_message(self, *args):
        pass


def test_pdf_embeds_only_the_rendering_agencys_own_files(alice_world, bob_world, settings, monkeypatch):
    alice, bob = alice_world.agency, bob_world.agency
    alice.logo.save("alice.png", ContentFile(_png()), save=True)
    bob.logo.save("bob.png", ContentFile(_png()), save=True)
    bob_case = f.CaseFactory(agency=bob)
    bob_case.image.save("bob-case.png", ContentFile(_png()), save=True)
    bob_doc = f.ClientFileFactory(agency=bob, client=f.ClientFactory(agency=bob, owner=bob_world.am.user))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _CountingHandler.hits = []
    client = f.ClientFactory(agency=alice, owner=alice_world.am.user)
    with scope(agency=alice):
        proposal = editor.proposal_create(agency=alice, actor=alice_world.am.user, client=client, title="КП")
        snapshot = documents.proposal_snapshot(proposal=proposal)
    # A snapshot naming bob's files (as if tampered with) and a template referencing them every other way.
    snapshot["team"] = [{"name": "Чужой", "role": "", "bio": "", "photo": bob.logo.name}]
    snapshot["cases"] = [{"title": "Чужой кейс", "kind": "own", "client": "", "description": "", "result": "",
                          "image": bob_case.image.name}]
    foreign = [pdf_integration.storage_file_url(bob.logo.name),
               (Path(settings.MEDIA_ROOT) / bob.logo.name).as_uri(),
               (Path(settings.PRIVATE_MEDIA_ROOT) / bob_doc.file.name).as_uri(),
               "file:///etc/passwd", bob.logo.name, f"/media/{bob.logo.name}",
               f"http://127.0.0.1:{server.server_port}/x.png"]
    original = documents.render_html

    def with_foreign_images(**kwargs):
        tags = "".join(f'<img src="{u}"><link rel="stylesheet" href="{u}">' for u in foreign)
        return original(**kwargs).replace("</body>", tags + "</body>")

    monkeypatch.setattr(documents, "render_html", with_foreign_images)
    served = []
    original_fetch = pdf_integration.SafeURLFetcher.fetch

    def spy(self, url, headers=None):
        response = original_fetch(self, url, headers)
        served.append(url)
        return response

    monkeypatch.setattr(pdf_integration.SafeURLFetcher, "fetch", spy)
    try:
        with scope(agency=alice):
            content = documents.render_pdf(agency=alice, snapshot=snapshot)
    finally:
        server.shutdown()
    with pdfplumber.open(io.BytesIO(content)) as doc:
        images = sum(len(page.images) for page in doc.pages)
    assert images == 1  # alice's own logo, and nothing of bob's
    assert pdf_integration.storage_file_url(alice.logo.name) in served
    assert not [u for u in served if u.startswith(pdf_integration.STORAGE_SCHEME) and bob.logo.name in u]
    assert not [u for u in served if not u.startswith((pdf_integration.STORAGE_SCHEME, "file:"))]
    assert all("/media/" not in u and "/private/" not in u for u in served if u.startswith("file:"))
    assert _CountingHandler.hits == []


def test_external_images_in_html_are_not_fetched(monkeypatch):
    from weasyprint.urls import URLFetcher

    calls = []
    original = URLFetcher.fetch

    def spy(self, url, headers=None):
        calls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(URLFetcher, "fetch", spy)
    content = pdf_integration.render_pdf(html='<p>Привет</p><img src="http://169.254.169.254/latest/meta-data">'
                                              '<link rel="stylesheet" href="https://evil.example/x.css">')
    assert content.startswith(b"%PDF")
    assert not any(u.startswith(("http:", "https:")) for u in calls)


def test_snapshot_hash_is_stable_and_sensitive(alice_world, designed):
    with scope(agency=alice_world.agency):
        one = documents.proposal_snapshot(proposal=designed)
        two = documents.proposal_snapshot(proposal=designed)
    assert documents.snapshot_hash(one) == documents.snapshot_hash(two)
    two["totals"]["total"] = "1.00"
    assert documents.snapshot_hash(one) != documents.snapshot_hash(two)


def test_pdf_download_without_a_render_is_404(alice_world, designed):
    assert login(alice_world.am).get(reverse("proposals:pdf_download", args=[designed.pk])).status_code == 404
