"""Which address is the client's: X-Forwarded-For is trusted only for TRUSTED_PROXY_COUNT hops from the right,
so a header typed by the client can change neither the rate limits nor the IP kept as evidence."""
import pytest
from django.test import RequestFactory
from django_scopes import scopes_disabled

from mrm.tenancy.context import client_ip
from mrm.tenancy.models import AuditLog
from tests.conftest import login

FORGED = "6.6.6.6"


def _request(xff: str | None = None, remote: str = "198.51.100.20"):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request()) == "198.51.100.20"
    assert client_ip(_request(FORGED)) == "198.51.100.20"
    assert client_ip(_request(f"{FORGED}, 10.0.0.1")) == "198.51.100.20"


def test_one_trusted_proxy_takes_the_address_it_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy (REMOTE_ADDR 10.0.0.2) appends the peer it saw; whatever the client wrote stays on the left.
    assert client_ip(_request("203.0.113.7", remote="10.0.0.2")) == "203.0.113.7"
    assert client_ip(_request(f"{FORGED}, 203.0.113.7", remote="10.0.0.2")) == "203.0.113.7"
    assert client_ip(_request(f"{FORGED},1.2.3.4 , 2001:DB8::1", remote="10.0.0.2")) == "2001:db8::1"
    assert client_ip(_request(remote="10.0.0.2")) == "10.0.0.2"  # no header: the peer itself
    assert client_ip(_request("not-an-ip", remote="10.0.0.2")) == "10.0.0.2"  # junk never becomes "the IP"


def test_two_trusted_proxies_take_the_second_address_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(f"{FORGED}, 203.0.113.7, 10.0.0.1", remote="10.0.0.2")) == "203.0.113.7"
    assert client_ip(_request("203.0.113.7", remote="10.0.0.2")) == "203.0.113.7"


def test_the_login_lockout_uses_the_same_address(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_COUNT = 0
    assert get_client_ip_address(_request(FORGED)) == "198.51.100.20"
    settings.TRUSTED_PROXY_COUNT = 1
    assert get_client_ip_address(_request(f"{FORGED}, 203.0.113.7", remote="10.0.0.2")) == "203.0.113.7"


@pytest.mark.django_db
@pytest.mark.parametrize(("proxies", "expected"), [(0, "198.51.100.20"), (1, "203.0.113.7")])
def test_audit_log_keeps_the_trusted_address_not_the_forged_one(alice, settings, proxies, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    response = login(alice).post("/settings/holidays/", {"date": "2026-12-31", "name": "Корпоратив"},
                                 REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR=f"{FORGED}, 203.0.113.7")
    assert response.status_code == 302
    with scopes_disabled():
        row = AuditLog.objects.get(agency=alice.agency, action="holiday.added")
    assert row.ip_address == expected
