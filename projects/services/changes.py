"""Change requests: create and price (the КП's arithmetic: `proposals.services.pricing`), send to client
contacts (e-mail in a Celery task), withdraw, and the decision — the client's in the portal or one staff
recorded after a call. An approval adds budget lines, the project's budget and one task per new line (in a
"Change request N" milestone), in the decision's transaction, exactly once."""
import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Contact
from mrm.core.errors import ServiceError
from mrm.integrations.mail import send_templated
from mrm.tenancy.models import Agency, Membership, Role
from mrm.tenancy.services import apply_changes, audit
from proposals.models import RateRole
from proposals.services import pricing
from proposals.services.documents import snapshot_hash

from .. import events
from ..models import (
    BudgetLine,
    ChangeRequest,
    ChangeRequestLine,
    ChangeRequestRecipient,
    Milestone,
    Project,
    ProjectTask,
)

logger = logging.getLogger(__name__)

HOURS_MIN = Decimal("0.5")
HOURS_MAX = Decimal("5000")
DECIDABLE = (ChangeRequest.Status.SENT,)


# --- pricing ----------------------------------------------------------------------------------------

def _vat_rate(*, agency) -> Decimal:
    """The agency's VAT as its КП have it: no VAT at all under the simplified tax system (УСН)."""
    from proposals.models import ProposalSettings, VatMode

    mode = ProposalSettings.objects.filter(agency=agency).values_list("vat_mode", flat=True).first()
    return Decimal("0") if mode == VatMode.NONE else agency.vat_rate


def totals_for(*, change_request: ChangeRequest, lines=None) -> pricing.Totals:
    """The same computation as a КП's totals (one stage: a change request has no stages)."""
    lines = lines if lines is not None else list(ChangeRequestLine.objects.filter(
        agency_id=change_request.agency_id, change_request=change_request))
    return pricing.compute(lines=[pricing.PriceLine(stage="", amount=pricing.line_price(
        kind=pricing.TIME, hours=ln.hours, rate=ln.rate), hours=ln.hours) for ln in lines],
        discount_percent=change_request.discount_percent, vat_rate=change_request.vat_rate)


def _recalculate(*, change_request: ChangeRequest) -> pricing.Totals:
    lines = list(ChangeRequestLine.objects.filter(agency_id=change_request.agency_id, change_request=change_request))
    totals = totals_for(change_request=change_request, lines=lines)
    cost = sum((pricing.line_amount(hours=ln.hours, rate=ln.internal_cost_rate) for ln in lines), Decimal("0.00"))
    values = {"hours": totals.hours, "subtotal": totals.subtotal, "discount_amount": totals.discount_amount,
              "vat_amount": totals.vat_amount, "total": totals.total, "cost_amount": cost}
    ChangeRequest.objects.filter(agency_id=change_request.agency_id, pk=change_request.pk).update(
        updated_at=timezone.now(), **values)
    for name, value in values.items():
        setattr(change_request, name, value)
    return totals


def _clean_hours(hours) -> Decimal:
    try:
        hours = Decimal(str(hours))
    except Exception as exc:  # noqa: BLE001
        raise ServiceError(_("Enter hours as a number, e.g. 12 or 7.5."), field="hours") from exc
    if not hours.is_finite() or hours < HOURS_MIN or hours > HOURS_MAX:
        raise ServiceError(_("Hours must be between 0.5 and 5000."), field="hours")
    return hours.quantize(Decimal("0.1"))


def _lock(*, agency: Agency, change_request: ChangeRequest, editable: bool = True) -> ChangeRequest:
    change_request = ChangeRequest.objects.select_for_update(of=("self",)).select_related("project").get(
        agency=agency, pk=change_request.pk)
    if editable and not change_request.is_editable:
        raise ServiceError(_("Only a draft change request can be changed; this one is %(status)s.")
                           % {"status": change_request.get_status_display().lower()}, code="not_draft")
    return change_request


def _check_role(*, agency: Agency, role: RateRole | None) -> RateRole:
    if role is None or role.agency_id != agency.pk:
        raise ServiceError(_("Choose a role from the rate card."), field="role")
    return role


# --- drafts -----------------------------------------------------------------------------------------

@transaction.atomic
def change_request_create(*, agency: Agency, actor, project: Project, title: str, description: str = ""
                          ) -> ChangeRequest:
    """A new draft numbered next in its project (the project row is locked so two drafts never share one)."""
    project = Project.objects.select_for_update().get(agency=agency, pk=project.pk)
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("Give the change request a title."), field="title")
    last = ChangeRequest.objects.filter(agency=agency, project=project).aggregate(n=Max("number"))["n"] or 0
    change_request = ChangeRequest.objects.create(
        agency=agency, project=project, number=last + 1, title=title[:200], description=(description or "")[:5000],
        currency=project.currency, vat_rate=_vat_rate(agency=agency), created_by=actor)
    audit(agency=agency, actor=actor, action="change_request.created", target=change_request,
          changes={"project": (None, project.name)})
    return change_request


@transaction.atomic
def change_request_update(*, agency: Agency, actor, change_request: ChangeRequest, data: dict) -> ChangeRequest:
    """Title, description and discount (any discount needs a reason, as on a КП)."""
    change_request = _lock(agency=agency, change_request=change_request)
    data = {k: v for k, v in data.items() if k in ("title", "description", "discount_percent", "discount_reason")}
    if "title" in data:
        data["title"] = (data["title"] or "").strip()[:200]
        if not data["title"]:
            raise ServiceError(_("Give the change request a title."), field="title")
    if "discount_percent" in data:
        percent = Decimal(data["discount_percent"] or 0)
        reason = (data.get("discount_reason", change_request.discount_reason) or "").strip()
        if percent < 0 or percent > 100:
            raise ServiceError(_("A discount is between 0 and 100 %."), field="discount_percent")
        if percent and not reason:
            raise ServiceError(_("Say why there is a discount: it is shown to the director."),
                               field="discount_reason")
        data["discount_percent"], data["discount_reason"] = percent, reason if percent else ""
    changes = apply_changes(change_request, data)
    if changes:
        change_request.save()
        _recalculate(change_request=change_request)
        audit(agency=agency, actor=actor, action="change_request.updated", target=change_request, changes=changes)
    return change_request


def _next_order(change_request: ChangeRequest) -> int:
    last = ChangeRequestLine.objects.filter(agency_id=change_request.agency_id, change_request=change_request) \
        .aggregate(n=Max("order"))["n"]
    return 0 if last is None else last + 1


@transaction.atomic
def line_add(*, agency: Agency, actor, change_request: ChangeRequest, role: RateRole, description: str, hours,
             source_task: ProjectTask | None = None, recalc: bool = True) -> ChangeRequestLine:
    """The rate and the internal cost rate come from the rate card, never from the caller."""
    change_request = _lock(agency=agency, change_request=change_request)
    role = _check_role(agency=agency, role=role)
    hours = _clean_hours(hours)
    description = (description or "").strip()[:300]
    if not description:
        raise ServiceError(_("Say what the work is."), field="description")
    if source_task is not None and (source_task.agency_id != agency.pk
                                    or source_task.project_id != change_request.project_id):
        raise ServiceError(_("Unknown task."), field="source_task")
    line = ChangeRequestLine.objects.create(
        agency=agency, change_request=change_request, role=role, role_name=role.name[:120], description=description,
        hours=hours, rate=role.hourly_rate, amount=pricing.line_amount(hours=hours, rate=role.hourly_rate),
        internal_cost_rate=role.cost_rate, cost_amount=pricing.line_amount(hours=hours, rate=role.cost_rate),
        order=_next_order(change_request), source_task=source_task)
    if recalc:
        _recalculate(change_request=change_request)
        audit(agency=agency, actor=actor, action="change_request.line_added", target=change_request,
              changes={"line": (None, str(line))})
    return line


@transaction.atomic
def line_update(*, agency: Agency, actor, change_request: ChangeRequest, line: ChangeRequestLine, hours,
                description: str | None = None, role: RateRole | None = None) -> ChangeRequestLine:
    """New hours (and optionally work and role); a new role brings its current rate-card rates."""
    change_request = _lock(agency=agency, change_request=change_request)
    line = ChangeRequestLine.objects.select_for_update().get(agency=agency, change_request=change_request, pk=line.pk)
    data: dict = {"hours": _clean_hours(hours)}
    if description is not None:
        data["description"] = description.strip()[:300]
        if not data["description"]:
            raise ServiceError(_("Say what the work is."), field="description")
    if role is not None and role.pk != line.role_id:
        role = _check_role(agency=agency, role=role)
        data.update(role=role, role_name=role.name[:120], rate=role.hourly_rate, internal_cost_rate=role.cost_rate)
    changes = apply_changes(line, data)
    if changes:
        line.amount = pricing.line_amount(hours=line.hours, rate=line.rate)
        line.cost_amount = pricing.line_amount(hours=line.hours, rate=line.internal_cost_rate)
        line.save()
        _recalculate(change_request=change_request)
        audit(agency=agency, actor=actor, action="change_request.line_updated", target=change_request,
              changes={k: v for k, v in changes.items() if k not in ("role", "internal_cost_rate")}
              | {"line": (line.description, line.description)})
    return line


@transaction.atomic
def line_delete(*, agency: Agency, actor, change_request: ChangeRequest, line: ChangeRequestLine) -> None:
    change_request = _lock(agency=agency, change_request=change_request)
    ChangeRequestLine.objects.filter(agency=agency, change_request=change_request, pk=line.pk).delete()
    _recalculate(change_request=change_request)
    audit(agency=agency, actor=actor, action="change_request.line_deleted", target=change_request,
          changes={"line": (str(line), None)})


@transaction.atomic
def change_request_from_extra_work(*, agency: Agency, actor, project: Project) -> ChangeRequest:
    """A draft with one line per out-of-scope task whose logged time no change request prices yet: the hours
    logged, the task's role (else the role most of its time was logged as, else the first on the rate card)."""
    from .. import selectors_changes as selectors

    items = [item for item in selectors.extra_work_by_task(agency=agency, project=project) if not item.in_request]
    if not items:
        raise ServiceError(_("There is no unpriced extra work to put in a change request."), code="nothing")
    fallback = RateRole.objects.filter(agency=agency, is_active=True).order_by("order", "name").first()
    roles = {r.pk: r for r in RateRole.objects.filter(agency=agency, pk__in={i.role_id for i in items if i.role_id})}
    if fallback is None and not roles:
        raise ServiceError(_("The rate card has no roles yet: add one in the catalog to price the work."))
    change_request = change_request_create(agency=agency, actor=actor, project=project,
                                           title=_("Extra work outside the agreed scope"))
    for item in items:
        line_add(agency=agency, actor=actor, change_request=change_request, role=roles.get(item.role_id) or fallback,
                 description=item.task.title, hours=max(HOURS_MIN, item.hours.quantize(Decimal("0.1"))),
                 source_task=item.task, recalc=False)
    _recalculate(change_request=change_request)
    audit(agency=agency, actor=actor, action="change_request.prefilled", target=change_request,
          changes={"count": (None, len(items))})
    return change_request


@transaction.atomic
def task_mark_out_of_scope(*, agency: Agency, actor, project: Project, task: ProjectTask, value: bool) -> ProjectTask:
    """Flag a task as extra work the agreed scope does not cover (its time becomes visible hidden cost)."""
    task = ProjectTask.objects.select_for_update().get(agency=agency, project=project, pk=task.pk)
    if task.out_of_scope != value:
        task.out_of_scope = value
        task.save(update_fields=["out_of_scope", "updated_at"])
        audit(agency=agency, actor=actor, action="project_task.scope_changed", target=task,
              changes={"out_of_scope": (not value, value)})
    return task


# --- sending ----------------------------------------------------------------------------------------

def snapshot(*, change_request: ChangeRequest, lines) -> dict:
    """What the client reads and decides on (no internal cost): hashed, so a decision names one text."""
    totals = totals_for(change_request=change_request, lines=lines)
    return {
        "number": change_request.number, "title": change_request.title, "description": change_request.description,
        "project": change_request.project.name, "currency": change_request.currency,
        "discount_reason": change_request.discount_reason,
        "lines": [{"description": ln.description, "role": ln.role_name, "hours": str(ln.hours), "rate": str(ln.rate),
                   "amount": str(pricing.line_amount(hours=ln.hours, rate=ln.rate))} for ln in lines],
        "totals": totals.as_dict(),
    }


def portal_url(*, change_request: ChangeRequest) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("portal:change_detail", args=[change_request.pk])


def _portal_user_ids(*, agency: Agency, contact_ids) -> list[int]:
    return list(Membership.objects.filter(agency=agency, role=Role.CLIENT, is_active=True,
                                          contact_id__in=list(contact_ids)).values_list("user_id", flat=True))


@transaction.atomic
def change_request_send(*, agency: Agency, actor, change_request: ChangeRequest, contacts, message: str = ""
                        ) -> ChangeRequest:
    """Freeze what the client will read (snapshot + SHA-256), e-mail the chosen contacts of the project's client
    after commit; the request can then only be decided or withdrawn."""
    change_request = _lock(agency=agency, change_request=change_request)
    lines = list(ChangeRequestLine.objects.filter(agency=agency, change_request=change_request))
    if not lines:
        raise ServiceError(_("Add at least one line before sending: the client approves a price, not an idea."))
    contacts = list(contacts)
    if not contacts:
        raise ServiceError(_("Choose at least one contact to send to."), field="contacts")
    valid = set(Contact.objects.filter(agency=agency, client_id=change_request.project.client_id,
                                       pk__in=[c.pk for c in contacts]).exclude(email="").values_list("pk", flat=True))
    bad = [c for c in contacts if c.pk not in valid]
    if bad:
        raise ServiceError(_("%(name)s has no e-mail or is not a contact of this client.") % {
            "name": bad[0].full_name}, field="contacts")
    _recalculate(change_request=change_request)
    frozen = snapshot(change_request=change_request, lines=lines)
    now = timezone.now()
    change_request.snapshot, change_request.content_hash = frozen, snapshot_hash(frozen)
    change_request.status, change_request.sent_at, change_request.sent_by = ChangeRequest.Status.SENT, now, actor
    change_request.save(update_fields=["snapshot", "content_hash", "status", "sent_at", "sent_by", "updated_at"])
    seen = set()
    for contact in contacts:
        email = contact.email.strip().lower()
        if email in seen:
            continue
        seen.add(email)
        ChangeRequestRecipient.objects.create(agency=agency, change_request=change_request, contact=contact,
                                              name=contact.full_name, email=email)
    audit(agency=agency, actor=actor, action="change_request.sent", target=change_request,
          changes={"to": (None, ", ".join(sorted(seen))), "hash": (None, change_request.content_hash)})
    events.emit(events.Event(
        kind="change_request.sent", agency_id=agency.pk, project_id=change_request.project_id,
        object_id=str(change_request.pk), actor_id=getattr(actor, "pk", None),
        recipient_ids=_portal_user_ids(agency=agency, contact_ids=valid),
        url=reverse("portal:change_detail", args=[change_request.pk]),
        context={"title": change_request.title, "number": change_request.number, "total": str(change_request.total),
                 "currency": change_request.currency}))
    from ..tasks import change_request_send_task

    change_request_send_task.delay_on_commit(agency_id=agency.pk, change_request_id=str(change_request.pk),
                                             message=(message or "")[:2000])
    return change_request


def deliver(*, agency_id: int, change_request_id: str, message: str = "") -> int:
    """E-mail each recipient once: claimed with a compare-and-set on `email_claimed_at` (a claim older than the
    job lease is taken again, so a dead worker loses no mail), marked `emailed_at` once the server took it."""
    change_request = ChangeRequest.objects.select_related("project__account_manager", "agency").filter(
        agency_id=agency_id, pk=change_request_id).first()
    if change_request is None or change_request.status != ChangeRequest.Status.SENT:
        return 0  # withdrawn (or decided by phone) before the mail went: nothing to ask any more
    agency, owner = change_request.agency, change_request.project.account_manager
    link = portal_url(change_request=change_request)
    sent = 0
    for recipient in ChangeRequestRecipient.objects.filter(agency_id=agency_id, change_request=change_request,
                                                           emailed_at__isnull=True):
        now = timezone.now()
        abandoned = now - timedelta(seconds=settings.JOB_LEASE_SECONDS)
        claimed = ChangeRequestRecipient.objects.filter(
            Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=abandoned),
            agency_id=agency_id, pk=recipient.pk, emailed_at__isnull=True).update(email_claimed_at=now)
        if not claimed:
            continue
        try:
            send_templated(
                to=[recipient.email],
                subject=_("%(agency)s: change request №%(n)d “%(title)s”") % {
                    "agency": agency.name, "n": change_request.number, "title": change_request.title},
                template="emails/projects/change_request_sent",
                context={"recipient": recipient, "change_request": change_request, "agency": agency,
                         "owner": owner, "link": link, "message": message, "snapshot": change_request.snapshot},
                reply_to=[owner.email] if owner and owner.email else None)
        except Exception:
            ChangeRequestRecipient.objects.filter(agency_id=agency_id, pk=recipient.pk).update(email_claimed_at=None)
            logger.exception("change request %s: e-mail to recipient %s failed", change_request.pk, recipient.pk)
            raise OSError("mail delivery failed") from None
        ChangeRequestRecipient.objects.filter(agency_id=agency_id, pk=recipient.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@transaction.atomic
def change_request_delete(*, agency: Agency, actor, change_request: ChangeRequest) -> None:
    """Only a draft disappears; anything the client saw stays (withdraw it instead)."""
    change_request = _lock(agency=agency, change_request=change_request)
    audit(agency=agency, actor=actor, action="change_request.deleted", target=change_request)
    ChangeRequest.objects.filter(agency=agency, pk=change_request.pk).delete()


@transaction.atomic
def change_request_withdraw(*, agency: Agency, actor, change_request: ChangeRequest) -> ChangeRequest:
    """A draft or a sent request is taken back; the client can no longer decide on it."""
    change_request = _lock(agency=agency, change_request=change_request, editable=False)
    if change_request.status not in (ChangeRequest.Status.DRAFT, ChangeRequest.Status.SENT):
        raise ServiceError(_("This change request was already %(status)s.")
                           % {"status": change_request.get_status_display().lower()}, code="decided")
    old = change_request.status
    change_request.status, change_request.withdrawn_at = ChangeRequest.Status.WITHDRAWN, timezone.now()
    change_request.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit(agency=agency, actor=actor, action="change_request.withdrawn", target=change_request,
          changes={"status": (old, change_request.status)})
    return change_request


# --- the decision -----------------------------------------------------------------------------------

@transaction.atomic
def change_request_decide(*, agency: Agency, actor, change_request: ChangeRequest, approve: bool,
                          content_hash: str, note: str = "", via: str = ChangeRequest.DecidedVia.PORTAL,
                          contact: Contact | None = None, ip: str | None = None,
                          decided_at=None) -> ChangeRequest:
    """Record the answer on the exact text that was sent (`content_hash` must match). `actor` is the client's
    portal login (via=portal) or the staff member who recorded an answer given by phone / e-mail / in a
    meeting, naming the client `contact` who gave it. An approval applies the change in this transaction."""
    change_request = _lock(agency=agency, change_request=change_request, editable=False)
    if change_request.status not in DECIDABLE:
        raise ServiceError(_("This change request is no longer waiting for a decision (%(status)s).")
                           % {"status": change_request.get_status_display().lower()}, code="answered")
    if not content_hash or content_hash != change_request.content_hash:
        raise ServiceError(_("The change request changed while you were reading it. Reload the page and check it "
                             "again."), code="hash")
    if via not in ChangeRequest.DecidedVia.values:
        raise ServiceError(_("Say how the client gave the answer."), field="via")
    if contact is not None and (contact.agency_id != agency.pk
                                or contact.client_id != change_request.project.client_id):
        raise ServiceError(_("Choose a contact of this client."), field="contact")
    if via != ChangeRequest.DecidedVia.PORTAL and contact is None:
        raise ServiceError(_("Say who at the client gave the answer."), field="contact")
    note = (note or "").strip()[:2000]
    if not approve and via == ChangeRequest.DecidedVia.PORTAL and not note:
        raise ServiceError(_("Tell the agency why: a short note helps them offer something that fits."),
                           field="note")
    now = timezone.now()
    if decided_at is not None and (decided_at > now or decided_at < change_request.sent_at):
        raise ServiceError(_("The answer was given between sending and now."), field="decided_at")
    old = change_request.status
    change_request.status = ChangeRequest.Status.APPROVED if approve else ChangeRequest.Status.DECLINED
    change_request.decided_at = decided_at or now
    change_request.decided_by, change_request.decided_contact, change_request.decided_via = actor, contact, via
    change_request.decision_note = note
    change_request.decision_ip = ip if via == ChangeRequest.DecidedVia.PORTAL else None
    change_request.save(update_fields=["status", "decided_at", "decided_by", "decided_contact", "decided_via",
                                       "decision_note", "decision_ip", "updated_at"])
    if approve:
        _apply(agency=agency, actor=actor, change_request=change_request)
    audit(agency=agency, actor=actor,
          action="change_request.approved" if approve else "change_request.declined", target=change_request,
          changes={"status": (old, change_request.status), "decided_via": (None, via),
                   "decided_contact": (None, contact.full_name if contact else None), "hash": (None, content_hash)})
    project = change_request.project
    events.emit(events.Event(
        kind="change_request.decided", agency_id=agency.pk, project_id=project.pk, object_id=str(change_request.pk),
        actor_id=getattr(actor, "pk", None),
        recipient_ids=[uid for uid in dict.fromkeys([project.account_manager_id, project.manager_id]) if uid],
        url=reverse("projects:change_detail", args=[project.pk, change_request.pk]),
        context={"title": change_request.title, "number": change_request.number, "decision": change_request.status,
                 "via": via}))
    return change_request


def _spread_discount(*, amounts: list[Decimal], net: Decimal) -> list[Decimal]:
    """Line amounts scaled to sum to `net` (kopeck rounding; the last line takes the remainder)."""
    subtotal = sum(amounts, Decimal("0.00"))
    if not amounts or subtotal == net or not subtotal:
        return list(amounts)
    scaled = [pricing.money_round(a * net / subtotal) for a in amounts[:-1]]
    return scaled + [net - sum(scaled, Decimal("0.00"))]


def _apply(*, agency: Agency, actor, change_request: ChangeRequest) -> None:
    """Budget lines (source=change), the project's budget and one task per line that prices new work, in a
    "Change request N" milestone. Called under the request's row lock with the status just set, and guarded by
    `applied_at`: a second call (a replayed form, a retry) changes nothing."""
    if change_request.applied_at is not None:
        return
    project = Project.objects.select_for_update().get(agency=agency, pk=change_request.project_id)
    lines = list(ChangeRequestLine.objects.filter(agency=agency, change_request=change_request).select_related("role"))
    # The budget is without VAT, after the discount (as a deal's amount from a КП); the discount is spread over
    # the lines so that they still add up to what the project's budget grows by.
    net = change_request.subtotal - change_request.discount_amount
    amounts = _spread_discount(amounts=[ln.amount for ln in lines], net=net)
    BudgetLine.objects.bulk_create([BudgetLine(
        agency=agency, project=project, role_id=ln.role_id, role_name=ln.role_name, hours=ln.hours,
        sell_rate=ln.rate, cost_rate=ln.internal_cost_rate, amount=amount, cost_amount=ln.cost_amount,
        source=BudgetLine.Source.CHANGE, change_request_id=change_request.pk)
        for ln, amount in zip(lines, amounts, strict=True)])
    hours = sum((ln.hours for ln in lines), Decimal("0"))
    cost = sum((ln.cost_amount for ln in lines), Decimal("0"))
    Project.objects.filter(agency=agency, pk=project.pk).update(
        budget_amount=project.budget_amount + net, budget_hours=project.budget_hours + hours,
        budget_cost=project.budget_cost + cost, updated_at=timezone.now())
    new_work = [ln for ln in lines if ln.source_task_id is None]
    milestone = None
    if new_work:
        milestone = Milestone.objects.create(
            agency=agency, project=project, title=(_("Change request №%(n)d: %(title)s") % {
                "n": change_request.number, "title": change_request.title})[:200],
            order=change_request.number)
        last = ProjectTask.objects.filter(agency=agency, project=project).aggregate(n=Max("position"))["n"] or 0
        for offset, line in enumerate(new_work, start=1):
            task = ProjectTask.objects.create(
                agency=agency, project=project, milestone=milestone, title=line.description[:300], role_id=line.role_id,
                estimate_hours=line.hours, position=last + offset, source_key=f"change:{line.pk}")
            ChangeRequestLine.objects.filter(agency=agency, pk=line.pk).update(task=task)
    ChangeRequest.objects.filter(agency=agency, pk=change_request.pk).update(applied_at=timezone.now(),
                                                                             milestone=milestone)
    change_request.applied_at, change_request.milestone = timezone.now(), milestone
    audit(agency=agency, actor=actor, action="project.budget_changed", target=project,
          changes={"budget_amount": (str(project.budget_amount), str(project.budget_amount + net)),
                   "budget_hours": (str(project.budget_hours), str(project.budget_hours + hours)),
                   "source": (None, str(change_request))})

