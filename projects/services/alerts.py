"""Writes on alerts made by people: acknowledging one (the engine does the rest)."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency
from mrm.tenancy.services import audit

from ..alerts.selectors import alert_badge_changed
from ..models import Alert


@transaction.atomic
def alert_acknowledge(*, agency: Agency, actor, alert: Alert) -> Alert:
    """Quiet an open alert at its current value: it is not raised again unless it gets worse. Acknowledging an
    acknowledged alert changes nothing."""
    alert = Alert.objects.select_for_update().get(agency=agency, pk=alert.pk)
    if alert.resolved_at is not None:
        raise ServiceError(_("This alert is already resolved."), code="alert_resolved")
    if alert.acknowledged_at is not None:
        return alert
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.acknowledged_value = alert.value
    alert.acknowledged_severity = alert.severity
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledged_value", "acknowledged_severity"])
    audit(agency=agency, actor=actor, action="alert.acknowledged", target=alert)
    alert_badge_changed(agency_id=agency.pk)
    return alert
