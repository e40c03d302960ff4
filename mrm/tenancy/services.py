import hashlib
from datetime import date, time
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scope

from mrm.core.errors import ServiceError

from .context import current_ip
from .models import (
    KPI_TARGET_DEFAULTS,
    Agency,
    AuditLog,
    Holiday,
    Invitation,
    KpiMetric,
    KpiTarget,
    Membership,
    Role,
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _json_safe(value):
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "url"):  # file fields
        return value.name or ""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def audit(*, agency: Agency, actor, action: str, target: models.Model | None = None, changes: dict | None = None) -> AuditLog:
    """Record one change for the director's audit log; the request IP comes from the middleware."""
    return AuditLog.objects.create(
        agency=agency,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        changes={k: [_json_safe(a), _json_safe(b)] for k, (a, b) in (changes or {}).items()},
        ip_address=current_ip.get(),
    )


def apply_changes(instance: models.Model, data: dict) -> dict:
    """Set fields on an instance and return {field: (old, new)} for those that really changed."""
    changes = {}
    for field, new in data.items():
        old = getattr(instance, field)
        if old != new:
            changes[field] = (old, new)
            setattr(instance, field, new)
    return changes


def _unique_slug(name: str) -> str:
    base = slugify(name, allow_unicode=False)[:50] or "agency"
    slug, n = base, 1
    while Agency.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def agency_create(*, name: str, owner) -> Agency:
    """Create an agency with its owner as director."""
    agency = Agency.objects.create(name=name.strip(), slug=_unique_slug(_translit(name)))
    Membership.objects.create(agency=agency, user=owner, role=Role.DIRECTOR, is_owner=True)
    kpi_targets_initial(agency=agency)
    audit(agency=agency, actor=owner, action="agency.created", target=agency)
    return agency


_CYR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
                 "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))


def _translit(text: str) -> str:
    return "".join(_CYR.get(ch, ch) for ch in text.lower())


AGENCY_SETTINGS_FIELDS = (
    "name", "brand_color", "accent_color", "currency", "vat_rate", "timezone", "business_hours_start",
    "business_hours_end", "work_days", "require_2fa", "no_contact_days", "portal_client_invites",
    "concentration_warning_share", "concentration_warning_hhi", "internal_hourly_cost",
)


@transaction.atomic
def agency_update(*, agency: Agency, actor, data: dict, logo=None, remove_logo: bool = False) -> Agency:
    """Change agency settings (branding, money, hours); KPI targets are rows, see `kpi_targets_save`."""
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if data.get("business_hours_start") and data.get("business_hours_end"):
        if data["business_hours_start"] >= data["business_hours_end"]:
            raise ServiceError(_("The business day must end after it starts."), field="business_hours_end")
    changes = apply_changes(agency, {k: v for k, v in data.items() if k in AGENCY_SETTINGS_FIELDS})
    if logo is not None:
        agency.logo = logo
        changes["logo"] = ("", logo.name)
    elif remove_logo and agency.logo:
        changes["logo"] = (agency.logo.name, "")
        agency.logo = ""
    if changes:
        agency.save()
        audit(agency=agency, actor=actor, action="agency.updated", target=agency, changes=changes)
    return agency


@transaction.atomic
def holiday_add(*, agency: Agency, actor, day: date, name: str) -> Holiday:
    if Holiday.objects.filter(agency=agency, date=day).exists():
        raise ServiceError(_("This date is already a holiday."), field="date")
    holiday = Holiday.objects.create(agency=agency, date=day, name=name)
    audit(agency=agency, actor=actor, action="holiday.added", target=holiday)
    return holiday


@transaction.atomic
def holiday_remove(*, agency: Agency, actor, holiday: Holiday) -> None:
    audit(agency=agency, actor=actor, action="holiday.removed", target=holiday)
    holiday.delete()


@transaction.atomic
def holiday_import_official(*, agency: Agency, actor, year: int, country: str = "RU") -> int:
    """Add the official public holidays of a year (from the `holidays` package); returns how many were new."""
    import holidays as holidays_lib

    existing = set(Holiday.objects.filter(agency=agency, date__year=year).values_list("date", flat=True))
    new = [
        Holiday(agency=agency, date=day, name=str(name)[:120])
        for day, name in sorted(holidays_lib.country_holidays(country, years=year, language="ru").items())
        if day not in existing
    ]
    Holiday.objects.bulk_create(new)
    if new:
        audit(agency=agency, actor=actor, action="holiday.imported", target=agency, changes={"year": (None, year)})
    return len(new)


@transaction.atomic
def invitation_create(*, agency: Agency, actor, email: str, role: str, contact=None,
                      portal_admin: bool = False) -> tuple[Invitation, str]:
    """Create a single-use invitation; returns it with the raw token (only its hash is stored).

    A portal invitation (role CLIENT) names the client `contact` the new login will be (portal/services)."""
    from .mail import send_invitation

    email = email.strip().lower()
    if (role == Role.CLIENT) != (contact is not None):
        raise ServiceError(_("A client portal invitation is for a contact of a client company."), field="role")
    if contact is not None and contact.agency_id != agency.pk:
        raise ServiceError(_("Choose a contact of this agency."), field="email")
    if Membership.objects.filter(agency=agency, user__email__iexact=email, is_active=True).exists():
        raise ServiceError(_("%(email)s is already a member of this agency.") % {"email": email}, field="email")
    # A new invitation replaces any pending one for the same address.
    Invitation.objects.filter(agency=agency, email=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token = Invitation.new_token()
    invitation = Invitation.objects.create(
        agency=agency, email=email, role=role, token_hash=hash_token(token), invited_by=actor, contact=contact,
        portal_admin=bool(portal_admin and contact is not None),
    )
    audit(agency=agency, actor=actor, action="invitation.created", target=invitation, changes={"role": (None, role)})
    transaction.on_commit(lambda: send_invitation(invitation=invitation, token=token))
    return invitation, token


@transaction.atomic
def invitation_revoke(*, agency: Agency, actor, invitation: Invitation) -> None:
    Invitation.objects.filter(agency=agency, pk=invitation.pk).update(revoked_at=timezone.now())
    audit(agency=agency, actor=actor, action="invitation.revoked", target=invitation)


def invitation_check(*, invitation: Invitation | None) -> None:
    """Raise a ServiceError that says why this invitation link can't be used, if it can't."""
    if invitation is None:
        raise ServiceError(_("This invitation link is not valid. Ask the agency to send a new one."), code="invalid")
    if invitation.accepted_at is not None:
        raise ServiceError(_("This invitation has already been used. Log in, or ask for a new invitation."),
                           code="used")
    if invitation.revoked_at is not None:
        raise ServiceError(_("This invitation was withdrawn. Ask the agency to send a new one."), code="revoked")
    if invitation.expires_at <= timezone.now():
        raise ServiceError(_("This invitation has expired. Ask the agency to send a new one."), code="expired")


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    """Turn a valid invitation into a membership of the given user; single use (compare-and-set)."""
    from .selectors import invitation_get_by_token

    invitation = invitation_get_by_token(token=token)
    invitation_check(invitation=invitation)
    if user.email.lower() != invitation.email.lower():
        raise ServiceError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}, code="wrong_user",
        )
    agency = invitation.agency
    claimed = Invitation.objects.with_scope(agency=agency).filter(
        pk=invitation.pk, accepted_at__isnull=True
    ).update(accepted_at=timezone.now())
    if not claimed:
        raise ServiceError(_("This invitation has already been used."), code="used")
    # A portal invitation makes the login that contact (and a portal admin if the invitation says so).
    portal = {"contact_id": invitation.contact_id, "is_portal_admin": invitation.portal_admin}
    membership, created = Membership.objects.with_scope(agency=agency).get_or_create(
        agency=agency, user=user, defaults={"role": invitation.role, **portal}
    )
    if not created:
        membership.role, membership.is_active = invitation.role, True
        membership.contact_id, membership.is_portal_admin = portal["contact_id"], portal["is_portal_admin"]
        membership.save(update_fields=["role", "is_active", "contact", "is_portal_admin"])
    audit(agency=agency, actor=user, action="membership.joined", target=membership,
          changes={"role": (None, invitation.role)})
    return membership


@transaction.atomic
def membership_update(*, agency: Agency, actor, membership: Membership, role: str, is_active: bool) -> Membership:
    """Change a colleague's role or deactivate them; the owner keeps the director role."""
    membership = Membership.objects.select_for_update().get(agency=agency, pk=membership.pk)
    if membership.is_owner and (role != Role.DIRECTOR or not is_active):
        raise ServiceError(_("The agency owner always stays an active director."))
    changes = apply_changes(membership, {"role": role, "is_active": is_active})
    if changes:
        membership.save(update_fields=list(changes))
        audit(agency=agency, actor=actor, action="membership.updated", target=membership, changes=changes)
    return membership


# What a target may sensibly be, per metric (the form shows the same bounds).
KPI_TARGET_RANGES = {
    KpiMetric.RETENTION: (Decimal("0"), Decimal("100")), KpiMetric.NPS: (Decimal("-100"), Decimal("100")),
    KpiMetric.UPSELL: (Decimal("0"), Decimal("100")), KpiMetric.RESPONSE_HOURS: (Decimal("0"), Decimal("720")),
    KpiMetric.REPORT_QUALITY: (Decimal("1"), Decimal("5")),
    KpiMetric.REVENUE_GROWTH: (Decimal("-100"), Decimal("1000")),
}


def _check_target_value(*, metric: str, value: Decimal, field: str) -> None:
    low, high = KPI_TARGET_RANGES[KpiMetric(metric)]
    if not low <= value <= high:
        raise ServiceError(_("%(metric)s: the target must be between %(low)s and %(high)s.") % {
            "metric": KpiMetric(metric).label, "low": low, "high": high}, field=field)


def kpi_targets_initial(*, agency: Agency) -> int:
    """The agency-wide targets a new agency starts with, for the metrics that have none (idempotent).
    Called at signup and by the demo seed, before any request scope exists: it enters this agency's own."""
    with scope(agency=agency):
        have = set(KpiTarget.objects.filter(agency=agency, user__isnull=True, client__isnull=True,
                                            valid_from__isnull=True, valid_to__isnull=True)
                   .values_list("metric", flat=True))
        rows = [KpiTarget(agency=agency, metric=metric, value=value)
                for metric, value in KPI_TARGET_DEFAULTS.items() if metric not in have]
        KpiTarget.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def kpi_targets_save(*, agency: Agency, actor, values: dict[str, Decimal]) -> dict[str, Decimal]:
    """Set the agency-wide, open-ended target of each metric given (metric → value)."""
    changes = {}
    for metric, value in values.items():
        _check_target_value(metric=metric, value=value, field=f"target_{metric}")
        row = KpiTarget.objects.select_for_update().filter(
            agency=agency, metric=metric, user__isnull=True, client__isnull=True, valid_from__isnull=True,
            valid_to__isnull=True).first()
        if row is None:
            KpiTarget.objects.create(agency=agency, metric=metric, value=value)
            changes[metric] = (None, str(value))
        elif row.value != value:
            changes[metric] = (str(row.value), str(value))
            row.value = value
            row.save(update_fields=["value", "updated_at"])
    if changes:
        audit(agency=agency, actor=actor, action="kpi_targets.updated", target=agency, changes=changes)
    return values


@transaction.atomic
def kpi_target_create(*, agency: Agency, actor, metric: str, value: Decimal, valid_from: date | None = None,
                      valid_to: date | None = None, user=None, client=None) -> KpiTarget:
    """A target for one AM or one client, or for a period: it overrides the agency-wide one there."""
    if metric not in KpiMetric.values:
        raise ServiceError(_("Choose a metric from the list."), field="metric")
    _check_target_value(metric=metric, value=value, field="value")
    if user is not None and client is not None:
        raise ServiceError(_("A target is for an account manager or for a client, not both."), field="client")
    if user is not None and not Membership.objects.filter(agency=agency, user=user, is_active=True,
                                                          role__in=[Role.DIRECTOR, Role.AM]).exists():
        raise ServiceError(_("Choose an active account manager of this agency."), field="user")
    if client is not None and client.agency_id != agency.pk:
        raise ServiceError(_("Choose a client of this agency."), field="client")
    if valid_from and valid_to and valid_to < valid_from:
        raise ServiceError(_("The period must end after it starts."), field="valid_to")
    if user is None and client is None and valid_from is None and valid_to is None:
        raise ServiceError(_("Pick an account manager, a client or a period; the agency-wide targets are "
                             "edited above."), field="user")
    target = KpiTarget.objects.create(agency=agency, metric=metric, value=value, valid_from=valid_from,
                                      valid_to=valid_to, user=user, client=client)
    audit(agency=agency, actor=actor, action="kpi_target.created", target=target,
          changes={"metric": (None, metric), "value": (None, str(value))})
    return target


@transaction.atomic
def kpi_target_remove(*, agency: Agency, actor, target: KpiTarget) -> None:
    """Remove an override; the agency-wide targets are edited, never removed."""
    if target.is_agency_default:
        raise ServiceError(_("The agency-wide target can be changed but not removed."))
    audit(agency=agency, actor=actor, action="kpi_target.removed", target=target,
          changes={"metric": (target.metric, None), "value": (str(target.value), None)})
    KpiTarget.objects.filter(agency=agency, pk=target.pk).delete()
