"""The S3 path (STORAGE_BACKEND=s3) against a local S3 fake over real HTTP (moto's server): private files
only in the private bucket and only through the permission-checked views, public ones at their bucket (or
CDN) URL, and a PDF that embeds the logo read from the bucket."""
import io
import urllib.request

import pdfplumber
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from PIL import Image

from clients.models import ClientFile
from mrm.core.storage import PrivateFileURLError, private_storage, public_storage
from mrm.jobs.models import Job
from mrm.tenancy.services import agency_update
from proposals.models import Proposal
from proposals.services import documents, editor
from tests import factories as f
from tests.conftest import login
from tests.fakes.s3 import PRIVATE_BUCKET, PUBLIC_BUCKET, FakeS3

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def _fake_s3():
    server = FakeS3().start()
    yield server
    server.stop()


@pytest.fixture
def s3(_fake_s3, settings):
    _fake_s3.reset()
    settings.STORAGES = _fake_s3.storages()
    return _fake_s3


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), (31, 111, 235)).save(buf, "PNG")
    return buf.getvalue()


def _http_get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the local fake only
        assert response.status == 200
        return response.read()


def test_s3_client_file_lives_in_the_private_bucket_and_downloads_only_through_the_view(s3, alice_world,
                                                                                         bob_world):
    client = f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    am = login(alice_world.am)
    upload = SimpleUploadedFile("contract.pdf", b"%PDF-1.4 signed contract", content_type="application/pdf")
    response = am.post(f"/clients/{client.pk}/files/upload/", {"file": upload, "name": "", "kind": "contract"})
    assert response.status_code == 302
    with scopes_disabled():
        stored = ClientFile.objects.get(client=client)
    assert s3.keys(PRIVATE_BUCKET) == [stored.file.name] and s3.keys(PUBLIC_BUCKET) == []
    with pytest.raises(PrivateFileURLError):
        stored.file.url  # noqa: B018 - a private file has no URL, signed or not

    download = am.get(f"/clients/{client.pk}/files/{stored.pk}/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 signed contract"
    assert login(bob_world.director).get(f"/clients/{client.pk}/files/{stored.pk}/").status_code == 404
    workspace = am.get(f"/clients/{client.pk}/").content.decode()
    assert s3.endpoint_url not in workspace  # the page links to the view, never to the bucket


@pytest.mark.parametrize("cdn", [False, True], ids=["bucket-url", "S3_PUBLIC_URL"])
def test_s3_logo_lives_in_the_public_bucket_and_is_served_at_its_url(s3, settings, alice_world, cdn):
    if cdn:  # a custom domain / CDN in front of the public bucket (here: the bucket's own address)
        settings.STORAGES = s3.storages(public_url=f"{s3.endpoint_url}/{PUBLIC_BUCKET}/")
    agency = agency_update(agency=alice_world.agency, actor=alice_world.director.user, data={},
                           logo=SimpleUploadedFile("logo.png", _png(), content_type="image/png"))
    assert s3.keys(PUBLIC_BUCKET) == [agency.logo.name] and s3.keys(PRIVATE_BUCKET) == []
    url = agency.logo.url
    assert url == f"{s3.endpoint_url}/{PUBLIC_BUCKET}/{agency.logo.name}" and "Signature" not in url
    assert _http_get(url) == _png()
    page = login(alice_world.director).get("/today/").content.decode()
    assert url in page


def test_s3_pdf_embeds_the_logo_from_the_bucket_and_is_stored_privately(s3, alice_world, bob_world,
                                                                        django_capture_on_commit_callbacks):
    agency = agency_update(agency=alice_world.agency, actor=alice_world.director.user, data={},
                           logo=SimpleUploadedFile("logo.png", _png(), content_type="image/png"))
    client = f.ClientFactory(agency=agency, name="Кофейня «Зерно»", owner=alice_world.am.user)
    with scope(agency=agency):
        proposal = editor.proposal_create(agency=agency, actor=alice_world.am.user, client=client,
                                          title="Продвижение кофейни")
        snapshot = documents.proposal_snapshot(proposal=proposal)
    assert snapshot["agency"]["logo"] == agency.logo.name
    am = login(alice_world.am)
    with django_capture_on_commit_callbacks(execute=True):
        assert am.post(reverse("proposals:pdf_render", args=[proposal.pk])).status_code == 302
    with scopes_disabled():
        job = Job.objects.get(kind="proposal.pdf")
        proposal = Proposal.objects.get(pk=proposal.pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert proposal.pdf_file.name in s3.keys(PRIVATE_BUCKET)
    assert proposal.pdf_file.name not in s3.keys(PUBLIC_BUCKET)
    download = am.get(job.result_url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    with pdfplumber.open(io.BytesIO(b"".join(download.streaming_content))) as doc:
        assert sum(len(page.images) for page in doc.pages) == 1  # the logo, read through the storage API
    assert login(bob_world.director).get(job.result_url).status_code == 404


def test_s3_storages_follow_the_settings(s3):
    from storages.backends.s3 import S3Storage

    assert isinstance(public_storage(), S3Storage) and isinstance(private_storage(), S3Storage)
    assert public_storage().bucket_name == PUBLIC_BUCKET and private_storage().bucket_name == PRIVATE_BUCKET
