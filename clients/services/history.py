"""Records of the overwritten fields (client status and owner, deal stage). Every service that writes
those fields calls these after saving; bulk writers (imports, demo data) pass all their rows at once.
A row is written only when the value really changed; an old value of None means "just created" and
records the initial state (a row with an empty "from")."""
from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from mrm.tenancy.models import Agency

from ..models import Client, ClientOwnerChange, ClientStatusChange, Deal, DealStageChange


def _actor(actor):
    # Public forms and background jobs have no person behind them.
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None


def client_history_record(*, agency: Agency, actor, client: Client, old_status: str | None,
                          old_owner_id=None) -> int:
    """Record one client's status and owner change; `old_status=None` records the state at creation."""
    return client_history_record_bulk(agency=agency, actor=actor, rows=[(client, old_status, old_owner_id)])


def client_history_record_bulk(*, agency: Agency, actor, rows: Iterable[tuple[Client, str | None, object]],
                               at: datetime | None = None) -> int:
    """`rows` are (client as saved, old status or None when created, old owner id). Returns rows written."""
    at = at or timezone.now()
    who = _actor(actor)
    statuses, owners = [], []
    for client, old_status, old_owner_id in rows:
        created = old_status is None
        if created or old_status != client.status:
            statuses.append(ClientStatusChange(agency=agency, client_id=client.pk, actor=who, changed_at=at,
                                               from_status=old_status or "", to_status=client.status))
        if (client.owner_id is not None) if created else (old_owner_id != client.owner_id):
            owners.append(ClientOwnerChange(agency=agency, client_id=client.pk, actor=who, changed_at=at,
                                            from_owner_id=None if created else old_owner_id,
                                            to_owner_id=client.owner_id))
    ClientStatusChange.objects.bulk_create(statuses, batch_size=1000)
    ClientOwnerChange.objects.bulk_create(owners, batch_size=1000)
    if statuses or owners:
        _figures_changed(agency)
    if statuses:
        from dashboards.portfolio_rollup import client_economics_schedule

        client_economics_schedule(agency=agency)  # a client's tenure starts and ends with its status history
    return len(statuses) + len(owners)


def deal_history_record(*, agency: Agency, actor, deal: Deal, old_stage: str | None) -> int:
    """Record one deal's stage change; `old_stage=None` records its first stage."""
    return deal_history_record_bulk(agency=agency, actor=actor, rows=[(deal, old_stage)])


def deal_history_record_bulk(*, agency: Agency, actor, rows: Iterable[tuple[Deal, str | None]],
                             at: datetime | None = None) -> int:
    """`rows` are (deal as saved, old stage or None when created). Returns rows written."""
    at = at or timezone.now()
    who = _actor(actor)
    changes = [DealStageChange(agency=agency, deal_id=deal.pk, actor=who, changed_at=at,
                               from_stage=old_stage or "", to_stage=deal.stage)
               for deal, old_stage in rows if old_stage is None or old_stage != deal.stage]
    DealStageChange.objects.bulk_create(changes, batch_size=1000)
    if changes:
        _figures_changed(agency)
    return len(changes)


def _figures_changed(agency: Agency) -> None:
    from dashboards.figures_cache import figures_changed  # the dashboards count retention, churn and upsell

    figures_changed(agency_id=agency.pk)
