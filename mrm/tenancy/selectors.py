from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django_scopes import scopes_disabled

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


def membership_list_for_user(*, user) -> list[Membership]:
    """The active memberships of a user across agencies (for resolving and switching the agency)."""
    # Tenancy code: the agency is not known yet, it is what we are resolving.
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user, is_active=True).select_related("agency").order_by("agency__name")
        )


def membership_list(*, agency: Agency) -> QuerySet[Membership]:
    return Membership.objects.filter(agency=agency).select_related("user").order_by("-is_active", "user__full_name")


def membership_get(*, agency: Agency, membership_id) -> Membership:
    membership = Membership.objects.filter(agency=agency, uuid=membership_id).select_related("user").first()
    if membership is None:
        raise Http404
    return membership


def holiday_get(*, agency: Agency, holiday_id) -> Holiday:
    holiday = Holiday.objects.filter(agency=agency, pk=holiday_id).first()
    if holiday is None:
        raise Http404
    return holiday


def staff_list(*, agency: Agency, roles=None) -> QuerySet[Membership]:
    qs = membership_list(agency=agency).filter(is_active=True).exclude(role=Role.CLIENT)
    return qs.filter(role__in=roles) if roles else qs


def invitation_list_pending(*, agency: Agency) -> QuerySet[Invitation]:
    from django.utils import timezone

    return Invitation.objects.filter(
        agency=agency, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def invitation_get(*, agency: Agency, invitation_id) -> Invitation:
    invitation = Invitation.objects.filter(agency=agency, uuid=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def invitation_get_by_token(*, token: str) -> Invitation | None:
    """Find an invitation by its raw token, whatever its state (the caller explains why it can't be used)."""
    from .services import hash_token

    # Tenancy code: an invitation link is opened before the visitor belongs to the agency.
    with scopes_disabled():
        return (Invitation.objects.filter(token_hash=hash_token(token))
                .select_related("agency", "contact", "contact__client").first())


def audit_list(*, agency: Agency, actor_id=None, action: str = "", target_type_id=None, date_from=None, date_to=None):
    qs = AuditLog.objects.filter(agency=agency).select_related("actor", "target_type")
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if action:
        qs = qs.filter(action__startswith=action)
    if target_type_id:
        qs = qs.filter(target_type_id=target_type_id)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs.order_by("-created_at")


def audit_action_list(*, agency: Agency) -> list[str]:
    return list(
        AuditLog.objects.filter(agency=agency).order_by("action").values_list("action", flat=True).distinct()
    )


def kpi_target(*, agency: Agency, metric: str, on: date | None = None, am=None, client=None) -> Decimal:
    """The target of `metric` on date `on`: a client's target beats an AM's, which beats the agency's;
    at the same level a dated target beats an open-ended one, and the one that started later wins."""
    on = on or timezone.localdate()
    people = Q(user__isnull=True, client__isnull=True)
    if am is not None:
        people |= Q(user=am)
    if client is not None:
        people |= Q(client=client)
    rows = (KpiTarget.objects.filter(agency=agency, metric=metric).filter(people)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)))

    def rank(row: KpiTarget):
        level = 2 if row.client_id else 1 if row.user_id else 0
        return level, row.valid_from is not None or row.valid_to is not None, row.valid_from or date.min, \
            row.created_at

    best = max(rows, key=rank, default=None)
    return best.value if best is not None else KPI_TARGET_DEFAULTS[KpiMetric(metric)]


def kpi_target_defaults(*, agency: Agency) -> dict[str, Decimal]:
    """The agency-wide, open-ended target of every metric (the values the settings screen edits)."""
    stored = dict(KpiTarget.objects.filter(agency=agency, user__isnull=True, client__isnull=True,
                                           valid_from__isnull=True, valid_to__isnull=True)
                  .values_list("metric", "value"))
    return {str(metric): stored.get(metric, default) for metric, default in KPI_TARGET_DEFAULTS.items()}


def kpi_target_overrides(*, agency: Agency) -> QuerySet[KpiTarget]:
    """Every target that is not an open-ended agency-wide one: per AM, per client or for a period."""
    return (KpiTarget.objects.filter(agency=agency)
            .exclude(user__isnull=True, client__isnull=True, valid_from__isnull=True, valid_to__isnull=True)
            .select_related("user", "client").order_by("metric", "valid_from", "created_at"))


def kpi_target_get(*, agency: Agency, target_id) -> KpiTarget:
    target = KpiTarget.objects.filter(agency=agency, pk=target_id).first()
    if target is None:
        raise Http404
    return target
