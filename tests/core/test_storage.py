"""Public and private file storages on the local file system (`make run`): which field uses which, public
files at MEDIA_URL with DEBUG off, private files outside MEDIA_ROOT with no URL, the settings builder, and
the migration that moves files saved before the split."""
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.test import override_settings
from django_scopes import scopes_disabled
from PIL import Image

from clients.models import ClientFile
from mrm.core.storage import (
    PrivateFileSystemStorage,
    PrivateFileURLError,
    private_storage,
    public_storage,
    relocate_legacy_files,
)
from mrm.settings.file_storage import storages_setting
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db

PUBLIC_FIELDS = {("tenancy", "agency", "logo"), ("accounts", "user", "photo"), ("proposals", "case", "image")}


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (14, 159, 110)).save(buf, "PNG")
    return buf.getvalue()


def _file_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield model, field


def test_every_file_field_names_its_storage_public_only_for_logos_photos_and_case_images():
    seen = set()
    for model, field in _file_fields():
        key = (model._meta.app_label, model._meta.model_name, field.name)
        seen.add(key)
        callable_storage = getattr(field, "_storage_callable", None)
        expected = public_storage if key in PUBLIC_FIELDS else private_storage
        assert callable_storage is expected, f"{key} must use storage={expected.__name__}"
    assert PUBLIC_FIELDS <= seen and len(seen) >= 9  # 3 public + client files, imports, briefs, 2 PDFs, jobs


def test_default_storage_is_the_private_one(settings):
    from django.core.files.storage import default_storage

    assert settings.STORAGES["default"] == settings.STORAGES["private"]
    assert default_storage.__class__ is PrivateFileSystemStorage  # nothing lands public by accident


def test_private_files_live_outside_media_root_and_have_no_url(settings, alice_world):
    doc = f.ClientFileFactory(agency=alice_world.agency,
                              client=f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user))
    on_disk = Path(settings.PRIVATE_MEDIA_ROOT) / doc.file.name
    assert on_disk.is_file()
    assert not (Path(settings.MEDIA_ROOT) / doc.file.name).exists()
    assert not on_disk.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    with pytest.raises(PrivateFileURLError):
        doc.file.url  # noqa: B018
    # Nothing at MEDIA_URL reaches it, even with the private file's exact name.
    assert login(alice_world.am).get(f"/media/{doc.file.name}").status_code == 404


@override_settings(DEBUG=False)
def test_public_files_are_served_at_media_url_with_debug_off(client, alice_world):
    agency = alice_world.agency
    agency.logo.save("our logo.png", ContentFile(_png()), save=True)
    assert agency.logo.name.startswith("logos/") and "our" not in agency.logo.name  # random, unguessable
    url = agency.logo.url
    assert url == f"/media/{agency.logo.name}"
    response = client.get(url)  # anonymous: the public brief form shows the logo too
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == _png()
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert url in login(alice_world.am).get("/today/").content.decode()


def test_public_file_view_serves_only_public_folders(client, settings, alice_world):
    media = Path(settings.MEDIA_ROOT)
    (media / "clients").mkdir(parents=True, exist_ok=True)
    (media / "clients" / "left-by-an-old-version.pdf").write_bytes(b"%PDF private")
    (media / "people").mkdir(parents=True, exist_ok=True)
    (media / "people" / "x.html").write_bytes(b"<script>alert(1)</script>")
    (Path(settings.PRIVATE_MEDIA_ROOT)).mkdir(parents=True, exist_ok=True)
    (Path(settings.PRIVATE_MEDIA_ROOT) / "secret.txt").write_bytes(b"secret")
    for url in ("/media/clients/left-by-an-old-version.pdf", "/media/logos/missing.png", "/media/logos/",
                "/media/../private/secret.txt", "/media/logos/..%2F..%2Fprivate%2Fsecret.txt", "/media/"):
        assert client.get(url).status_code == 404, url
    html = client.get("/media/people/x.html")
    assert html.status_code == 200 and html["Content-Type"] == "application/octet-stream"
    assert html["Content-Disposition"].startswith("attachment;")  # never rendered inline


def test_uploaded_team_photo_and_case_image_are_public(alice_world):
    user = alice_world.am.user
    user.photo.save("me.png", ContentFile(_png()), save=True)
    case = f.CaseFactory(agency=alice_world.agency)
    case.image.save("case.png", ContentFile(_png()), save=True)
    assert user.photo.name.startswith("people/") and case.image.name.startswith("cases/")
    http = login(alice_world.am)
    for url in (user.photo.url, case.image.url):
        assert http.get(url).status_code == 200


def test_local_storages_follow_media_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "pub"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "priv"
    assert Path(public_storage().location) == tmp_path / "pub"
    assert Path(private_storage().location) == tmp_path / "priv"
    assert isinstance(public_storage(), FileSystemStorage) and isinstance(private_storage(), FileSystemStorage)


def test_storages_setting_for_s3():
    config = storages_setting(backend="s3", endpoint_url="https://s3.example.com", bucket_public="pub",
                              bucket_private="priv", access_key_id="k", secret_access_key="s", region="ru-1",
                              public_url="https://cdn.example.com/files/")
    assert config["default"] == config["private"]
    assert config["public"]["OPTIONS"]["custom_domain"] == "cdn.example.com/files"
    assert config["public"]["OPTIONS"]["url_protocol"] == "https:"
    assert config["private"]["OPTIONS"]["bucket_name"] == "priv"
    assert "custom_domain" not in config["private"]["OPTIONS"]
    for bad in ({"bucket_public": "same", "bucket_private": "same"}, {"bucket_public": "", "bucket_private": "x"}):
        with pytest.raises(ImproperlyConfigured):
            storages_setting(backend="s3", **bad)
    with pytest.raises(ImproperlyConfigured):
        storages_setting(backend="ftp")
    with pytest.raises(ImproperlyConfigured):
        storages_setting(backend="s3", bucket_public="a", bucket_private="b", public_url="cdn.example.com")


def test_relocate_legacy_files_moves_private_files_out_of_media_root(settings, alice_world):
    client = f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    legacy = FileSystemStorage(location=settings.MEDIA_ROOT)
    name = legacy.save("clients/old/contract.pdf", ContentFile(b"%PDF old"))
    logo = legacy.save("agency-logos/logo.png", ContentFile(_png()))
    with scopes_disabled():
        doc = ClientFile.objects.create(agency=alice_world.agency, client=client, file=name, name="contract",
                                        content_type="application/pdf", size=8)
    alice_world.agency.logo = logo
    alice_world.agency.save()
    assert relocate_legacy_files(ClientFile, "file") == 1
    assert relocate_legacy_files(ClientFile, "file") == 0  # idempotent
    assert not legacy.exists(name) and private_storage().exists(name)
    with scopes_disabled():
        doc.refresh_from_db()
    assert doc.file.read() == b"%PDF old"
    assert relocate_legacy_files(type(alice_world.agency), "logo") == 0  # public files already in MEDIA_ROOT
    assert legacy.exists(logo) and public_storage().exists(logo)


def test_admin_shows_a_private_file_without_a_link(alice_world):
    from mrm.accounts.models import User

    proposal = f.ProposalFactory(agency=alice_world.agency,
                                 client=f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user))
    proposal.pdf_file.save("p.pdf", ContentFile(b"%PDF-1.4"), save=True)
    operator = User.objects.create_superuser(email="ops@example.test", password="x" * 12, full_name="Ops")
    page = login(operator).get(f"/admin/proposals/proposal/{proposal.pk}/change/")
    assert page.status_code == 200
    assert proposal.pdf_file.name not in page.content.decode()  # no href to a private file
