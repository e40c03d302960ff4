"""Hand-off of an accepted proposal to delivery — the interface the projects app implements.

The proposals app does not create projects. When a client accepts a proposal, `handoff_record(...)` writes
a durable outbox row (`mrm.jobs.models.OutboxEvent`, kind "proposal.accepted", key "<proposal id>:<version
hash>") in the SAME transaction as the acceptance — so an acceptance is never without its hand-off, and
accepting (or recording) twice still gives one row. After commit `handoff_deliver_task` (queue "default")
hands the event to every registered receiver; a beat sweep (`handoff_outbox_sweep_task`, every 5 minutes)
re-sends rows that are not processed yet, with growing pauses after each failure.

The projects app registers its receiver once, at startup:

    # projects/apps.py
    def ready(self):
        from proposals.handoff import register_receiver
        from .services import project_create_from_proposal
        register_receiver(project_create_from_proposal)

The contract of a receiver `fn(handoff: AcceptedProposal) -> None`:
- it runs in a Celery worker inside the agency's scope, inside a database transaction (its own savepoint)
  that also marks it delivered: if it returns, its writes and "delivered to fn" commit together, and it is
  not called again for this acceptance;
- if it raises, its writes are rolled back, the error is stored on the row (`last_error`, `attempts`), the
  acceptance stays, and the same event is offered again later (other receivers that took it are not
  called again);
- it must still be idempotent, keyed on (`handoff.proposal_id`, `handoff.version_hash`): a worker that dies
  after the receiver's commit point but before the row's commit — or an external call the receiver makes —
  can run it twice. It must not start Celery work before commit (use `delay_on_commit`).
- it is identified by `module.qualname`; renaming it makes it a new receiver for unprocessed rows.

Until a receiver exists, an event is marked processed with nobody to deliver to (logged), so nothing
pretends that a project was created; the rows stay, and the projects app can re-offer past acceptances by
clearing `processed_at` of the "proposal.accepted" rows in a data migration.
"""
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from uuid import UUID

from mrm.jobs.models import OutboxEvent
from mrm.jobs.outbox import outbox_deliver, outbox_write
from mrm.tenancy.models import Agency

logger = logging.getLogger(__name__)

KIND = "proposal.accepted"


@dataclass(frozen=True)
class AcceptedProposal:
    agency_id: int
    proposal_id: UUID
    version_id: UUID
    version_number: int
    version_hash: str
    client_id: UUID
    deal_id: UUID | None
    owner_id: int | None
    total: Decimal
    currency: str
    snapshot: dict  # the exact content the client accepted (see proposals.services.documents)

    def to_payload(self) -> dict:
        data = asdict(self)
        for name in ("proposal_id", "version_id", "client_id", "deal_id", "total"):
            data[name] = str(data[name]) if data[name] is not None else None
        return data

    @classmethod
    def from_payload(cls, data: dict) -> "AcceptedProposal":
        def uuid_or_none(value):
            return UUID(value) if value else None

        return cls(agency_id=data["agency_id"], proposal_id=UUID(data["proposal_id"]),
                   version_id=UUID(data["version_id"]), version_number=data["version_number"],
                   version_hash=data["version_hash"], client_id=uuid_or_none(data["client_id"]),
                   deal_id=uuid_or_none(data["deal_id"]), owner_id=data["owner_id"], total=Decimal(data["total"]),
                   currency=data["currency"], snapshot=data["snapshot"])


Receiver = Callable[[AcceptedProposal], None]
_receivers: list[Receiver] = []


def register_receiver(receiver: Receiver) -> None:
    """Subscribe to accepted proposals (idempotent for the same function)."""
    if receiver not in _receivers:
        _receivers.append(receiver)


def unregister_receiver(receiver: Receiver) -> None:
    if receiver in _receivers:
        _receivers.remove(receiver)


def receivers() -> list[Receiver]:
    return list(_receivers)


def handoff_record(*, agency: Agency, handoff: AcceptedProposal) -> OutboxEvent:
    """Write the hand-off in the acceptance's transaction (once per proposal + version hash) and deliver it
    after commit."""
    event, created = outbox_write(agency=agency, kind=KIND, key=f"{handoff.proposal_id}:{handoff.version_hash}",
                                  payload=handoff.to_payload())
    if created:
        from .tasks import handoff_deliver_task

        handoff_deliver_task.delay_on_commit(agency_id=agency.pk, event_id=str(event.pk))
    return event


def _adapt(receiver: Receiver) -> Callable[[OutboxEvent], None]:
    def call(event: OutboxEvent) -> None:
        receiver(AcceptedProposal.from_payload(event.payload))

    # The outbox records a receiver by its name: keep the receiver's own.
    call.__module__ = getattr(receiver, "__module__", None) or "builtins"
    call.__qualname__ = getattr(receiver, "__qualname__", repr(receiver))
    return call


def handoff_deliver(*, agency: Agency, event_id) -> bool | None:
    """Offer one recorded acceptance to the receivers (see the module docstring for the contract)."""
    if not _receivers:
        logger.info("hand-off %s: no project receiver is registered yet", event_id)
    return outbox_deliver(agency=agency, event_id=event_id, receivers=[_adapt(r) for r in receivers()])
