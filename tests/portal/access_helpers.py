"""Shared steps of the portal access tests: invite a contact from the staff client page, read the e-mailed link."""
from django.core import mail
from django.urls import reverse

from tests.conftest import login


def link_from_mail(marker: str) -> str:
    body = mail.outbox[-1].body
    return next(line for line in body.splitlines() if marker in line).split("testserver")[-1].strip()


def invite_contact(capture, staff, contact, *, portal_admin=False) -> str:
    """The AM presses "Invite to the portal" for `contact`; returns the invitation link's path."""
    data = {"portal_admin": "1"} if portal_admin else {}
    with capture(execute=True):
        response = login(staff).post(reverse("portal:access_invite", args=[contact.pk]), data)
    assert response.status_code == 302, response.content.decode()[:500]
    return link_from_mail("/accounts/invite/")
