from django.db.models import QuerySet
from django.http import Http404
from django_scopes import scopes_disabled

from .models import Agency, AuditLog, Holiday, Invitation, Membership, Role


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
        return Invitation.objects.filter(token_hash=hash_token(token)).select_related("agency").first()


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
