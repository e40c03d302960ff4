"""Hand-off of an accepted proposal to delivery — the interface the projects app implements.

The proposals app does not create projects. When a client accepts a proposal it calls
`emit_accepted(...)` after the transaction commits; every registered receiver gets an `AcceptedProposal`
describing exactly what was accepted (the frozen version snapshot, its hash and the deal). The projects
app registers its receiver once, at startup:

    # projects/apps.py
    def ready(self):
        from proposals.handoff import register_receiver
        from .services import project_create_from_proposal
        register_receiver(project_create_from_proposal)

A receiver is `fn(handoff: AcceptedProposal) -> None`, runs inside the agency's scope, and should be
idempotent (keyed on `handoff.proposal_id` + `handoff.version_hash`). Until a receiver exists, an
acceptance is simply recorded and the hand-off is a no-op (logged), so nothing pretends that a project
was created. A failing receiver is logged and does not undo the acceptance.
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

logger = logging.getLogger(__name__)


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


def emit_accepted(handoff: AcceptedProposal) -> int:
    """Call every receiver; returns how many ran without error."""
    if not _receivers:
        logger.info("proposal %s accepted; no project receiver is registered yet", handoff.proposal_id)
        return 0
    ok = 0
    for receiver in list(_receivers):
        try:
            receiver(handoff)
            ok += 1
        except Exception:
            logger.exception("hand-off receiver %r failed for proposal %s", receiver, handoff.proposal_id)
    return ok
