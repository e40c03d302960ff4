"""The one upload check (mrm.core.uploads): size, extension and the type recognised from the bytes agree."""
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from clients.uploads import check_upload as check_client_file
from mrm.core.uploads import check_upload
from proposals.forms import ATTACHMENT_EXTENSIONS

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 120
HTML = b"<!DOCTYPE html>\n<html><body><script>document.location='https://evil.example'</script></body></html>"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _zip(*members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member in members:
            archive.writestr(member, "<x/>")
    return out.getvalue()


def _check(name: str, data: bytes, allowed=ATTACHMENT_EXTENSIONS, max_size=10 * 1024 * 1024):
    return check_upload(SimpleUploadedFile(name, data), allowed=allowed, max_size=max_size)


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("deck.pdf", b"%PDF-1.7\n1 0 obj", "application/pdf"),
    ("brief.docx", _zip("[Content_Types].xml", "word/document.xml"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("media.xlsx", _zip("[Content_Types].xml", "xl/workbook.xml"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("assets.zip", _zip("logo.svg"), "application/zip"),
    ("logo.PNG", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20, "image/png"),
    ("photo.jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    ("cover.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20, "image/webp"),
    ("letter.rtf", b"{\\rtf1\\ansi Hello}", "application/rtf"),
    ("notes.txt", "Цели: 300 заказов в месяц\n".encode(), "text/plain"),
    ("notes.txt", "Цели: 300 заказов в месяц\n".encode("cp1251"), "text/plain"),
    ("notes.txt", "Цели\tбюджет\n".encode("utf-16"), "text/plain"),  # Excel's "Unicode text", with a BOM
])
def test_real_files_pass_with_the_type_from_the_table(name, data, content_type):
    assert _check(name, data)[1] == content_type


@pytest.mark.parametrize("name", ["report.pdf", "brief.docx", "photo.jpg", "notes.txt", "assets.zip"])
@pytest.mark.parametrize("data", [ELF, EXE, HTML], ids=["elf", "exe", "html"])
def test_a_program_or_web_page_under_an_allowed_name_is_refused(name, data):
    with pytest.raises(ValidationError) as exc:
        _check(name, data)
    assert exc.value.code == "bad_content" and name in exc.value.messages[0]


def test_a_zip_named_docx_without_a_document_part_is_refused():
    with pytest.raises(ValidationError, match="does not match"):
        _check("brief.docx", _zip("payload.exe"))


def test_extension_size_and_emptiness_are_checked_first():
    with pytest.raises(ValidationError, match="are not accepted") as exc:
        _check("setup.exe", EXE)
    assert "PDF" in exc.value.messages[0]
    with pytest.raises(ValidationError, match="are not accepted"):
        _check("table.csv", b"a;b\n")  # the brief form does not take CSV, client documents do
    assert check_client_file(SimpleUploadedFile("table.csv", "имя;телефон\n".encode("cp1251")))[1] == "text/csv"
    with pytest.raises(ValidationError, match="empty"):
        _check("deck.pdf", b"")
    with pytest.raises(ValidationError, match="the limit is 10"):
        _check("deck.pdf", b"%PDF-1.7" + b"0" * 100, max_size=100)


@pytest.mark.parametrize("data", [ELF, EXE, HTML, b"\x00\x01\x02 binary"], ids=["elf", "exe", "html", "binary"])
def test_client_documents_use_the_same_check(data):
    with pytest.raises(ValidationError, match="does not match"):
        check_client_file(SimpleUploadedFile("invoice.pdf", data))
    with pytest.raises(ValidationError, match="does not match"):
        check_client_file(SimpleUploadedFile("table.csv", data))
