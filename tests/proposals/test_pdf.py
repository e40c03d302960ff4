"""The branded PDF: rendered in a job, text checked with pdfplumber (client, Cyrillic, totals equal to the
editor and the API), images from media, and a renderer that fetches nothing outside the app's files."""
import io
import re
from decimal import Decimal

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
    editor_page = http.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "150\u202f936" in editor_page
    assert re.search(r"2\s*/\s*\d", pages[1]) and "Alice Agency" in pages[1]  # running header and page numbers
    assert images >= 3  # logo, team photo, case image


def test_safe_fetcher_serves_only_data_and_own_files(settings, tmp_path):
    fetcher = pdf_integration.SafeURLFetcher()
    for url in ("http://example.com/x.png", "https://127.0.0.1/", "ftp://example.com/f", "file:///etc/passwd",
                (tmp_path / "outside.png").as_uri()):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    media = tmp_path / "media"
    media.mkdir(exist_ok=True)
    settings.MEDIA_ROOT = media
    (media / "ok.png").write_bytes(_png())
    assert fetcher.fetch((media / "ok.png").as_uri()).read().startswith(b"\x89PNG")
    with pytest.raises(ValueError):
        fetcher.fetch((media / ".." / "outside.png").as_uri())  # no escaping the root
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


def test_external_images_in_html_are_not_fetched(monkeypatch):
    calls = []
    original = pdf_integration.URLFetcher.fetch

    def spy(self, url, headers=None):
        calls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf_integration.URLFetcher, "fetch", spy)
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
