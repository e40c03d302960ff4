"""A connector source's access: save the OAuth tokens encrypted, read them for a sync, keep refreshed ones.

Tokens never leave this module in clear except to the connector that sends them; the page and the API see
`token_hint` and `expires_at` only. Saving a new token clears the source's error: the next sync tells.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency
from mrm.tenancy.services import audit

from ..connectors import crypto
from ..models import DataSource, SourceCredential

MAX_TOKEN = 4000


@dataclass(frozen=True)
class Access:
    access_token: str
    refresh_token: str
    client_id: str
    client_secret: str
    expires_at: datetime | None


def _clean_token(value: str | None, *, field: str) -> str | None:
    if value is None:
        return None
    value = "".join(str(value).split())
    if len(value) > MAX_TOKEN:
        raise ServiceError(_("That token is too long to be a token."), field=field)
    return value


@transaction.atomic
def credential_save(*, agency: Agency, actor, source: DataSource, access_token: str | None = None,
                    refresh_token: str | None = None, client_id: str | None = None,
                    client_secret: str | None = None, expires_in: int | None = None) -> SourceCredential:
    """Store what was given (None keeps the saved value, "" clears it) for a connector source."""
    if source.kind == DataSource.Kind.FILE:
        raise ServiceError(_("A file source has no connection: import a file instead."))
    access_token = _clean_token(access_token, field="access_token")
    refresh_token = _clean_token(refresh_token, field="refresh_token")
    client_secret = _clean_token(client_secret, field="client_secret")
    credential, _created = SourceCredential.objects.select_for_update().get_or_create(
        agency=agency, source=source, defaults={"updated_by": actor})
    changed = []
    if access_token is not None:
        credential.access_token = crypto.encrypt(access_token)
        credential.token_hint = crypto.hint(access_token) if access_token else ""
        credential.expires_at = timezone.now() + timedelta(seconds=expires_in) if expires_in else None
        changed += ["access_token", "token_hint", "expires_at"]
    if refresh_token is not None:
        credential.refresh_token = crypto.encrypt(refresh_token)
        changed.append("refresh_token")
    if client_id is not None:
        credential.client_id = " ".join(str(client_id).split())[:200]
        changed.append("client_id")
    if client_secret is not None:
        credential.client_secret = crypto.encrypt(client_secret)
        changed.append("client_secret")
    credential.updated_by = actor
    credential.save()
    if changed:
        DataSource.objects.filter(agency=agency, pk=source.pk, status=DataSource.Status.ERROR).update(
            status=DataSource.Status.ACTIVE, last_error="", updated_at=timezone.now())
        # The audit names what changed, never a value.
        audit(agency=agency, actor=actor, action="reporting.source_connected", target=source,
              changes={name: (None, "•••") for name in changed if name not in ("token_hint", "expires_at")})
    return credential


def credential_access(*, source: DataSource) -> Access:
    """The source's tokens in clear for its connector; ServiceError when none is saved (or unreadable)."""
    credential = SourceCredential.objects.filter(agency_id=source.agency_id, source=source).first()
    token = crypto.decrypt(credential.access_token) if credential else ""
    refresh = crypto.decrypt(credential.refresh_token) if credential else ""
    if not token and not refresh:
        raise ServiceError(_("The source is not connected: paste its access token on the source's "
                             "Connection page."), code="not_connected")
    return Access(access_token=token, refresh_token=refresh, client_id=credential.client_id,
                  client_secret=crypto.decrypt(credential.client_secret), expires_at=credential.expires_at)


def credential_refreshed(*, source: DataSource, access_token: str, refresh_token: str | None,
                         expires_in: int | None) -> None:
    """Keep the tokens a refresh returned (a refresh token may be single-use: the new one replaces it)."""
    values = {"access_token": crypto.encrypt(access_token), "token_hint": crypto.hint(access_token),
              "expires_at": timezone.now() + timedelta(seconds=expires_in) if expires_in else None,
              "refreshed_at": timezone.now(), "updated_at": timezone.now()}
    if refresh_token:
        values["refresh_token"] = crypto.encrypt(refresh_token)
    SourceCredential.objects.filter(agency_id=source.agency_id, source=source).update(**values)
