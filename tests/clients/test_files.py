"""Client documents: size/type limits by extension and content, permission-checked download, delete."""
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from clients.models import ClientFile
from clients.uploads import MAX_UPLOAD_SIZE
from tests.conftest import login
from tests.factories import ClientFactory, ClientFileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source strings
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "section-files"}


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture
def client_a(alice_world):
    return ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)


def _upload(http, client, name, data, **extra):
    return http.post(f"/clients/{client.pk}/files/upload/",
                     {"file": SimpleUploadedFile(name, data), "name": "", "kind": "contract"}, **extra)


@pytest.mark.parametrize(("name", "data"), [
    ("Договор.pdf", b"%PDF-1.7\n..."), ("brief.docx", None), ("data.csv", "имя;телефон\n".encode("cp1251")),
    ("logo.png", b"\x89PNG\r\n\x1a\n...."), ("photo.JPG", b"\xff\xd8\xff\xe0...."),
])
def test_file_upload_accepts_allowed_types(alice_world, client_a, name, data):
    response = _upload(login(alice_world.am), client_a, name, data if data is not None else _docx())
    assert response.status_code == 302
    with scopes_disabled():
        stored = ClientFile.objects.get(client=client_a)
    assert stored.name == name.rsplit(".", 1)[0] and stored.kind == "contract" and stored.size > 0
    assert stored.uploaded_by == alice_world.am.user


@pytest.mark.parametrize(("name", "data", "message"), [
    ("virus.exe", b"MZ\x90\x00", "are not accepted"),
    ("invoice.pdf", b"MZ\x90\x00 renamed exe", "does not match"),
    ("report.docx", b"PK\x03\x04 not really a zip", "does not match"),
    ("notes.txt", b"\x00\x01\x02binary", "does not match"),
    ("empty.pdf", b"", "empty"),
])
def test_file_upload_refuses_bad_types_with_a_clear_message(alice_world, client_a, name, data, message):
    http = login(alice_world.am)
    response = _upload(http, client_a, name, data)
    assert response.status_code == 422 and message in response.content.decode()
    htmx = _upload(http, client_a, name, data, **HX)
    assert htmx.status_code == 422 and message in htmx.content.decode()
    with scopes_disabled():
        assert not ClientFile.objects.exists()


def test_file_upload_refuses_oversized(alice_world, client_a):
    big = b"%PDF-1.7\n" + b"0" * (MAX_UPLOAD_SIZE + 1)
    response = _upload(login(alice_world.am), client_a, "big.pdf", big)
    assert response.status_code == 422 and "the limit is 20" in response.content.decode()


def test_file_htmx_upload_returns_block_and_download_is_attachment(alice_world, client_a):
    http = login(alice_world.am)
    response = _upload(http, client_a, "Бриф.pdf", b"%PDF-1.4 brief", **HX)
    assert response.status_code == 200 and "Бриф" in response.content.decode()
    with scopes_disabled():
        stored = ClientFile.objects.get(client=client_a)
    download = http.get(f"/clients/{client_a.pk}/files/{stored.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == b"%PDF-1.4 brief"


def test_file_download_and_delete_respect_visibility_and_roles(alice_world):
    w = alice_world
    foreign = ClientFactory(agency=w.agency, owner=w.am2.user)
    doc = ClientFileFactory(client=foreign)
    am = login(w.am)
    assert am.get(f"/clients/{foreign.pk}/files/{doc.pk}/").status_code == 404
    assert am.post(f"/clients/{foreign.pk}/files/{doc.pk}/delete/").status_code == 404
    assert "Документ" not in am.get("/clients/").content.decode()
    # A specialist on the team may download but not delete someone else's upload.
    foreign.team.add(w.specialist.user)
    spec = login(w.specialist)
    assert spec.get(f"/clients/{foreign.pk}/files/{doc.pk}/").status_code == 200
    assert spec.post(f"/clients/{foreign.pk}/files/{doc.pk}/delete/").status_code == 403
    owner = login(w.am2)
    assert owner.post(f"/clients/{foreign.pk}/files/{doc.pk}/delete/", **HX).status_code == 200
    with scopes_disabled():
        assert not ClientFile.objects.filter(pk=doc.pk).exists()
