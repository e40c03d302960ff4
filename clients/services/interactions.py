from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency, Membership, Role
from mrm.tenancy.services import apply_changes, audit

from ..models import Client, Contact, Interaction

INTERACTION_FIELDS = ("kind", "direction", "channel", "occurred_at", "duration_minutes", "subject", "summary",
                      "is_unplanned", "is_extra_revision", "is_urgent", "needs_reply", "deal")

# What a kind of interaction usually goes through, so the quick log needs no channel choice.
DEFAULT_CHANNEL = {
    Interaction.Kind.CALL: Interaction.Channel.PHONE,
    Interaction.Kind.MEETING: Interaction.Channel.MEETING,
    Interaction.Kind.EMAIL: Interaction.Channel.EMAIL,
    Interaction.Kind.MESSAGE: Interaction.Channel.TELEGRAM,
    Interaction.Kind.NOTE: Interaction.Channel.OTHER,
}


def can_change_interaction(*, membership: Membership, interaction: Interaction) -> bool:
    """Its author or a director may edit or delete an interaction."""
    return membership.role == Role.DIRECTOR or interaction.author_id == membership.user_id


def _check_contacts(*, agency: Agency, client: Client, contacts) -> list[Contact]:
    contacts = list(contacts or [])
    if any(c.agency_id != agency.pk or c.client_id != client.pk for c in contacts):
        raise ServiceError(_("Participants must be contacts of this client."), field="contacts")
    return contacts


def _check_reply_to(*, agency: Agency, client: Client, reply_to: Interaction | None, direction: str) -> None:
    if reply_to is None:
        return
    if reply_to.agency_id != agency.pk or reply_to.client_id != client.pk:
        raise ServiceError(_("You can only answer a message of the same client."), field="reply_to")
    if direction != Interaction.Direction.OUTBOUND:
        raise ServiceError(_("A reply goes to the client: set the direction to “To the client”."), field="direction")


def _normalise(data: dict) -> dict:
    if data.get("direction") != Interaction.Direction.INBOUND:
        data["needs_reply"] = False  # only the client's messages wait for our answer
    return data


def _refresh_last_contact(*, agency: Agency, client_id) -> None:
    # Internal notes are not contact with the client.
    last = Interaction.objects.filter(agency=agency, client_id=client_id).exclude(
        direction=Interaction.Direction.INTERNAL).aggregate(last=Max("occurred_at"))["last"]
    Client.objects.filter(agency=agency, pk=client_id).update(last_contact_at=last)


def _mark_replied(*, agency: Agency, reply_to: Interaction | None, when) -> None:
    if reply_to is not None:
        # Compare-and-set: the first answer counts for the response time.
        Interaction.objects.filter(agency=agency, pk=reply_to.pk, replied_at__isnull=True).update(replied_at=when)


@transaction.atomic
def interaction_log(*, agency: Agency, actor, client: Client, data: dict, contacts=None,
                    reply_to: Interaction | None = None) -> Interaction:
    """Log a call, meeting, e-mail, message or note; moves the client's last contact and answers `reply_to`."""
    data = {k: v for k, v in data.items() if k in INTERACTION_FIELDS}
    data.setdefault("kind", Interaction.Kind.CALL)
    if not data.get("direction"):
        note = data["kind"] == Interaction.Kind.NOTE
        data["direction"] = Interaction.Direction.INTERNAL if note else Interaction.Direction.OUTBOUND
    data = _normalise(data)
    if not data.get("channel"):
        data["channel"] = DEFAULT_CHANNEL.get(data["kind"], Interaction.Channel.OTHER)
    if not data.get("occurred_at"):
        data["occurred_at"] = timezone.now()
    contacts = _check_contacts(agency=agency, client=client, contacts=contacts)
    _check_reply_to(agency=agency, client=client, reply_to=reply_to, direction=data["direction"])
    interaction = Interaction.objects.create(agency=agency, client=client, reply_to=reply_to,
                                             author=actor if getattr(actor, "is_authenticated", False) else None,
                                             **data)
    if contacts:
        interaction.contacts.set(contacts)
    _mark_replied(agency=agency, reply_to=reply_to, when=interaction.occurred_at)
    if interaction.direction != Interaction.Direction.INTERNAL:
        _refresh_last_contact(agency=agency, client_id=client.pk)
    audit(agency=agency, actor=actor, action="interaction.logged", target=interaction)
    _economics_schedule(agency=agency)
    from dashboards.health_rollups import health_rollup_schedule

    health_rollup_schedule(agency=agency)  # days since contact, contact frequency, waiting requests
    return interaction


@transaction.atomic
def interaction_update(*, agency: Agency, actor, interaction: Interaction, data: dict, contacts=None) -> Interaction:
    interaction = Interaction.objects.select_for_update().get(agency=agency, pk=interaction.pk)
    data = {k: v for k, v in data.items() if k in INTERACTION_FIELDS and (k != "direction" or v)}
    if "occurred_at" in data and data["occurred_at"] is None:
        data.pop("occurred_at")
    if "direction" in data:
        data = _normalise(data)
        if interaction.reply_to_id and data["direction"] != Interaction.Direction.OUTBOUND:
            raise ServiceError(_("A reply goes to the client: set the direction to “To the client”."),
                               field="direction")
    changes = apply_changes(interaction, data)
    if changes:
        interaction.save()
    if contacts is not None:
        contacts = _check_contacts(agency=agency, client=interaction.client, contacts=contacts)
        before = sorted(str(c.pk) for c in interaction.contacts.all())
        if before != sorted(str(c.pk) for c in contacts):
            interaction.contacts.set(contacts)
            changes["contacts"] = (len(before), len(contacts))
    if changes:
        _refresh_last_contact(agency=agency, client_id=interaction.client_id)
        audit(agency=agency, actor=actor, action="interaction.updated", target=interaction, changes=changes)
        _economics_schedule(agency=agency)
    return interaction


@transaction.atomic
def interaction_delete(*, agency: Agency, actor, interaction: Interaction) -> None:
    audit(agency=agency, actor=actor, action="interaction.deleted", target=interaction)
    _economics_schedule(agency=agency)
    # An answered message whose answer is deleted waits for a reply again.
    for original in Interaction.objects.filter(agency=agency, pk=interaction.reply_to_id):
        if not Interaction.objects.filter(agency=agency, reply_to=original).exclude(pk=interaction.pk).exists():
            Interaction.objects.filter(agency=agency, pk=original.pk).update(replied_at=None)
    Interaction.objects.filter(agency=agency, pk=interaction.pk).delete()
    _refresh_last_contact(agency=agency, client_id=interaction.client_id)


def _economics_schedule(*, agency: Agency) -> None:
    """Flagged interactions are hidden costs on the portfolio page: rebuild its rollup soon (debounced)."""
    from dashboards.portfolio_rollup import client_economics_schedule

    client_economics_schedule(agency=agency)
