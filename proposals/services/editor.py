"""Writing a proposal: create, cover, sections, estimate lines, discount, team, cases, terms.
Every change to lines or discount ends with `_recalculate`, so the cached totals always equal
pricing.compute() over the stored lines."""
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency, Membership
from mrm.tenancy.services import apply_changes, audit

from ..models import (
    Billing,
    EstimateLine,
    LineKind,
    Proposal,
    ProposalSection,
    ProposalTeamMember,
    RateRole,
    Service,
)
from . import pricing
from .catalog import settings_get

HOURS_MIN = Decimal("0.5")
HOURS_MAX = Decimal("5000")


def _lock(*, agency: Agency, proposal: Proposal) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(agency=agency, pk=proposal.pk)
    if not proposal.is_editable:
        raise ServiceError(_("This proposal was %(status)s by the client and can no longer be changed.")
                           % {"status": proposal.get_status_display().lower()})
    return proposal


def price_line(line: EstimateLine) -> pricing.PriceLine:
    return pricing.PriceLine(stage=line.stage, amount=line.amount, billing=line.billing, months=line.months,
                             hours=line.hours if line.kind == LineKind.TIME else Decimal("0"))


def _reprice(line: EstimateLine) -> bool:
    """Set the line's amount and internal cost from its inputs; True when they changed."""
    amount = pricing.line_price(kind=line.kind, hours=line.hours, rate=line.rate, quantity=line.quantity,
                                unit_price=line.unit_price, budget=line.budget,
                                commission_percent=line.commission_percent, fee=line.fee)
    cost = pricing.line_cost(kind=line.kind, hours=line.hours, cost_rate=line.internal_cost_rate, budget=line.budget)
    changed = line.amount != amount or line.cost_amount != cost
    line.amount, line.cost_amount = amount, cost
    return changed


def recalculate(*, proposal: Proposal) -> pricing.Totals:
    """Recompute line amounts and the proposal's cached totals (see pricing). Optional items get their amount
    (the AM and the client see what switching one on costs) but stay out of the totals."""
    all_lines = list(EstimateLine.objects.filter(agency_id=proposal.agency_id, proposal=proposal))
    changed = [line for line in all_lines if _reprice(line)]
    if changed:
        EstimateLine.objects.bulk_update(changed, ["amount", "cost_amount"])
    totals = totals_for(proposal=proposal, lines=[ln for ln in all_lines if not ln.is_optional])
    Proposal.objects.filter(agency_id=proposal.agency_id, pk=proposal.pk).update(
        subtotal=totals.subtotal, discount_amount=totals.discount_amount, vat_amount=totals.vat_amount,
        total=totals.total, one_off_total=totals.one_off_total, monthly_total=totals.monthly_total,
        updated_at=timezone.now())
    proposal.subtotal, proposal.discount_amount = totals.subtotal, totals.discount_amount
    proposal.vat_amount, proposal.total = totals.vat_amount, totals.total
    proposal.one_off_total, proposal.monthly_total = totals.one_off_total, totals.monthly_total
    return totals


def totals_for(*, proposal: Proposal, lines=None, options=()) -> pricing.Totals:
    """Totals of the included lines (default: the stored non-optional ones) plus the given optional lines."""
    lines = lines if lines is not None else EstimateLine.objects.filter(agency_id=proposal.agency_id,
                                                                        proposal=proposal, is_optional=False)
    return pricing.compute(lines=[price_line(ln) for ln in [*lines, *options]],
                           discount_percent=proposal.discount_percent, vat_rate=proposal.vat_rate,
                           vat_mode=proposal.vat_mode)


@transaction.atomic
def proposal_create(*, agency: Agency, actor, client, title: str, brief=None, deal=None,
                    drafted_by: str = Proposal.DraftedBy.MANUAL, flags: list | None = None) -> Proposal:
    """A new draft: today's date, validity and terms from the agency settings, the owner on the team."""
    options = settings_get(agency=agency)
    today = timezone.localdate()
    owner = actor if getattr(actor, "is_authenticated", False) else client.owner
    proposal = Proposal.objects.create(
        agency=agency, client=client, brief=brief, deal=deal or (brief.deal if brief else None), owner=owner,
        title=title[:200], issued_on=today, valid_until=today + timedelta(days=options.validity_days),
        currency=agency.currency, vat_rate=agency.vat_rate, vat_mode=options.vat_mode, terms=options.default_terms, drafted_by=drafted_by,
        draft_flags=flags or [],
    )
    if owner is not None and Membership.objects.filter(agency=agency, user=owner, is_active=True).exists():
        ProposalTeamMember.objects.create(agency=agency, proposal=proposal, user=owner,
                                          role_title=owner.position or _("Account manager"))
    audit(agency=agency, actor=actor, action="proposal.created", target=proposal,
          changes={"drafted_by": (None, drafted_by)})
    return proposal


@transaction.atomic
def cover_update(*, agency: Agency, actor, proposal: Proposal, data: dict) -> Proposal:
    proposal = _lock(agency=agency, proposal=proposal)
    data = {k: v for k, v in data.items() if k in ("title", "issued_on", "valid_until")}
    if data.get("issued_on") and data.get("valid_until") and data["valid_until"] < data["issued_on"]:
        raise ServiceError(_("The proposal must stay valid at least until its date."), field="valid_until")
    changes = apply_changes(proposal, data)
    if changes:
        proposal.save()
        audit(agency=agency, actor=actor, action="proposal.updated", target=proposal, changes=changes)
    return proposal


@transaction.atomic
def terms_update(*, agency: Agency, actor, proposal: Proposal, terms: str) -> Proposal:
    proposal = _lock(agency=agency, proposal=proposal)
    changes = apply_changes(proposal, {"terms": terms})
    if changes:
        proposal.save(update_fields=["terms", "updated_at"])
        audit(agency=agency, actor=actor, action="proposal.terms_updated", target=proposal)
    return proposal


@transaction.atomic
def discount_update(*, agency: Agency, actor, proposal: Proposal, percent: Decimal, reason: str) -> Proposal:
    """Set the discount; any discount needs a reason (shown to the director in the audit log)."""
    proposal = _lock(agency=agency, proposal=proposal)
    percent = Decimal(percent or 0)
    reason = (reason or "").strip()
    if percent < 0 or percent > 100:
        raise ServiceError(_("A discount is between 0 and 100 %."), field="discount_percent")
    if percent and not reason:
        raise ServiceError(_("Say why there is a discount: it is shown to the director."), field="discount_reason")
    changes = apply_changes(proposal, {"discount_percent": percent, "discount_reason": reason if percent else ""})
    if changes:
        proposal.save(update_fields=["discount_percent", "discount_reason", "updated_at"])
        recalculate(proposal=proposal)
        audit(agency=agency, actor=actor, action="proposal.discount_changed", target=proposal, changes=changes)
    return proposal


# --- sections -----------------------------------------------------------------------------------

def _next_order(model, proposal: Proposal) -> int:
    last = model.objects.filter(agency_id=proposal.agency_id, proposal=proposal).order_by("-order").first()
    return (last.order + 1) if last else 0


@transaction.atomic
def section_add(*, agency: Agency, actor, proposal: Proposal, title: str, body: str = "",
                kind: str = ProposalSection.Kind.CUSTOM) -> ProposalSection:
    proposal = _lock(agency=agency, proposal=proposal)
    section = ProposalSection.objects.create(agency=agency, proposal=proposal, title=title[:200], body=body,
                                             kind=kind, order=_next_order(ProposalSection, proposal))
    audit(agency=agency, actor=actor, action="proposal.section_added", target=proposal,
          changes={"section": (None, section.title)})
    return section


@transaction.atomic
def section_update(*, agency: Agency, actor, proposal: Proposal, section: ProposalSection, title: str,
                   body: str) -> ProposalSection:
    _lock(agency=agency, proposal=proposal)
    changes = apply_changes(section, {"title": title, "body": body})
    if changes:
        section.save(update_fields=["title", "body", "updated_at"])
        audit(agency=agency, actor=actor, action="proposal.section_updated", target=proposal,
              changes={"section": (section.title, section.title)} | ({"title": changes["title"]}
                                                                     if "title" in changes else {}))
    return section


@transaction.atomic
def section_delete(*, agency: Agency, actor, proposal: Proposal, section: ProposalSection) -> None:
    _lock(agency=agency, proposal=proposal)
    audit(agency=agency, actor=actor, action="proposal.section_deleted", target=proposal,
          changes={"section": (section.title, None)})
    ProposalSection.objects.filter(agency=agency, pk=section.pk).delete()


def _move(model, *, agency: Agency, proposal: Proposal, item, direction: str) -> None:
    items = list(model.objects.filter(agency=agency, proposal=proposal))
    index = next(i for i, x in enumerate(items) if x.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, obj in enumerate(items):
        obj.order = position
    model.objects.bulk_update(items, ["order"])


@transaction.atomic
def section_move(*, agency: Agency, actor, proposal: Proposal, section: ProposalSection, direction: str) -> None:
    _lock(agency=agency, proposal=proposal)
    _move(ProposalSection, agency=agency, proposal=proposal, item=section, direction=direction)


# --- estimate lines -----------------------------------------------------------------------------

def _clean_hours(hours) -> Decimal:
    try:
        hours = Decimal(str(hours))
    except Exception as exc:  # noqa: BLE001
        raise ServiceError(_("Enter hours as a number, e.g. 12 or 7.5."), field="hours") from exc
    if not hours.is_finite() or hours < HOURS_MIN or hours > HOURS_MAX:
        raise ServiceError(_("Hours must be between 0.5 and 5000."), field="hours")
    return hours.quantize(Decimal("0.1"))


def default_hours(service: Service) -> Decimal:
    """The middle of the usual range, rounded to half an hour."""
    middle = (service.hours_min + service.hours_max) / 2
    return max(HOURS_MIN, (middle * 2).quantize(Decimal("1")) / 2)


def _role_for(*, agency: Agency, service: Service, role: RateRole | None) -> RateRole:
    if role is not None:
        if role.agency_id != agency.pk:
            raise ServiceError(_("Unknown role."), field="role")
        return role
    first = service.roles.filter(agency=agency).order_by("order", "name").first()
    if first is None:
        raise ServiceError(_("“%(service)s” has no delivering role on the rate card yet. Add one in the catalog.")
                           % {"service": service.name}, field="service")
    return first


MONEY_MAX = Decimal("999999999")
MONTHS_MAX = 60


def _clean_money(value, *, field: str, label: str, allow_zero: bool = True) -> Decimal:
    try:
        value = Decimal(str(value if value not in (None, "") else "0"))
    except Exception as exc:  # noqa: BLE001
        raise ServiceError(_("%(label)s: enter a number.") % {"label": label}, field=field) from exc
    if not value.is_finite() or value < 0 or value > MONEY_MAX or (not allow_zero and value == 0):
        raise ServiceError(_("%(label)s must be a positive amount.") % {"label": label}, field=field)
    return value.quantize(Decimal("0.01"))


def _clean_percent(value, *, field: str) -> Decimal:
    try:
        value = Decimal(str(value if value not in (None, "") else "0"))
    except Exception as exc:  # noqa: BLE001
        raise ServiceError(_("Enter the commission as a number of per cent."), field=field) from exc
    if not value.is_finite() or value < 0 or value > 100:
        raise ServiceError(_("A commission is between 0 and 100 %."), field=field)
    return value.quantize(Decimal("0.01"))


def _clean_quantity(value) -> Decimal:
    try:
        value = Decimal(str(value if value not in (None, "") else "1"))
    except Exception as exc:  # noqa: BLE001
        raise ServiceError(_("Enter the quantity as a number."), field="quantity") from exc
    if not value.is_finite() or value <= 0 or value > Decimal("100000"):
        raise ServiceError(_("The quantity must be between 0.01 and 100000."), field="quantity")
    return value.quantize(Decimal("0.01"))


def _clean_billing(billing, months) -> tuple[str, int]:
    billing = billing or Billing.ONE_OFF
    if billing not in Billing.values:
        raise ServiceError(_("Choose one-off or monthly billing."), field="billing")
    if billing == Billing.ONE_OFF:
        return billing, 1
    try:
        months = int(months if months not in (None, "") else DEFAULT_MONTHS)
    except (TypeError, ValueError) as exc:
        raise ServiceError(_("Enter the number of months as a whole number."), field="months") from exc
    if months < 1 or months > MONTHS_MAX:
        raise ServiceError(_("A retainer runs from 1 to 60 months."), field="months")
    return billing, months


DEFAULT_MONTHS = 3


def _service_role(*, agency: Agency, service: Service, role: RateRole | None) -> RateRole:
    """A time line's role: one of the roles that deliver the service (the first by default)."""
    role = _role_for(agency=agency, service=service, role=role)
    if not service.roles.filter(pk=role.pk).exists():
        raise ServiceError(_("%(role)s does not deliver “%(service)s”: choose one of the service's roles.")
                           % {"role": role.name, "service": service.name}, field="role")
    return role


@transaction.atomic
def line_add(*, agency: Agency, actor, proposal: Proposal, service: Service, role: RateRole | None = None,
             hours=None, stage: str = "", note: str = "", flag_note: str = "", recalc: bool = True,
             is_optional: bool = False, suggestion_reason: str = "", offered: bool = False, quantity=None,
             budget=None, billing: str | None = None, months=None) -> EstimateLine:
    """Add a catalog service, priced the way the catalog says (time, package, quantity, media budget); every
    price comes from the catalog or the rate card, never from the caller. An optional line stays outside the
    totals; `offered` puts it on the client's page as a switch, otherwise it is the AM's suggestion only."""
    proposal = _lock(agency=agency, proposal=proposal)
    if service.agency_id != agency.pk:
        raise ServiceError(_("Unknown service."), field="service")
    kind = service.price_kind
    if billing is None:
        billing = Billing.MONTHLY if service.unit == Service.Unit.MONTH else Billing.ONE_OFF
    billing, months = _clean_billing(billing, months)
    fields = {"kind": kind, "billing": billing, "months": months, "hours": Decimal("0"), "rate": Decimal("0"),
              "role_name": "", "internal_cost_rate": Decimal("0")}
    if kind == LineKind.TIME:
        role = _service_role(agency=agency, service=service, role=role)
        fields.update(role=role, role_name=role.name[:120], rate=role.hourly_rate, internal_cost_rate=role.cost_rate,
                      hours=_clean_hours(hours if hours not in (None, "") else default_hours(service)))
    elif kind in (LineKind.FIXED, LineKind.QUANTITY):
        fields.update(unit_price=service.price,
                      quantity=_clean_quantity(quantity) if kind == LineKind.QUANTITY else Decimal("1"))
    else:
        fields.update(budget=_clean_money(budget, field="budget", label=_("Media budget")),
                      commission_percent=service.commission_percent)
        if not fields["budget"] and not flag_note:
            flag_note = _("Set the client's media budget.")
    line = EstimateLine(
        agency=agency, proposal=proposal, service=service,
        stage=(stage or service.get_discipline_display())[:120], name=service.name[:160], note=note[:300],
        order=_next_order(EstimateLine, proposal), flagged=bool(flag_note), flag_note=flag_note[:300],
        is_optional=is_optional, offered=bool(is_optional and offered),
        suggestion_reason=suggestion_reason[:300] if is_optional else "", **fields)
    _reprice(line)
    line.save()
    if recalc:
        recalculate(proposal=proposal)
        audit(agency=agency, actor=actor, action="proposal.line_added", target=proposal,
              changes={"line": (None, str(line))})
    return line


@transaction.atomic
def line_update(*, agency: Agency, actor, proposal: Proposal, line: EstimateLine, hours=None,
                role: RateRole | None = None, stage: str | None = None, note: str | None = None, quantity=None,
                budget=None, commission_percent=None, fee=None, billing: str | None = None, months=None,
                optional: bool | None = None) -> EstimateLine:
    """Change what the line's kind takes (hours and role of a time line — a role the service delivers, with
    its current rate-card rate —, a quantity, a media budget with its commission % or fixed fee), its billing
    period and months, stage, note, and whether it is an optional item offered to the client."""
    proposal = _lock(agency=agency, proposal=proposal)
    data: dict = {}
    if line.kind == LineKind.TIME:
        if hours is not None:
            data["hours"] = _clean_hours(hours)
        if role is not None and role.pk != line.role_id:
            if role.agency_id != agency.pk:
                raise ServiceError(_("Unknown role."), field="role")
            if line.service_id and not line.service.roles.filter(pk=role.pk).exists():
                raise ServiceError(_("%(role)s does not deliver “%(service)s”: choose one of the service's roles.")
                                   % {"role": role.name, "service": line.name}, field="role")
            data.update(role=role, role_name=role.name, rate=role.hourly_rate, internal_cost_rate=role.cost_rate)
    elif line.kind == LineKind.QUANTITY and quantity is not None:
        data["quantity"] = _clean_quantity(quantity)
    elif line.kind == LineKind.MEDIA:
        if budget is not None:
            data["budget"] = _clean_money(budget, field="budget", label=_("Media budget"))
        if commission_percent is not None:
            data["commission_percent"] = _clean_percent(commission_percent, field="commission_percent")
        if fee is not None:
            data["fee"] = _clean_money(fee, field="fee", label=_("Fixed fee"))
    if billing is not None:
        data["billing"], data["months"] = _clean_billing(billing, months)
    if stage is not None and stage.strip():
        data["stage"] = stage.strip()[:120]
    if note is not None:
        data["note"] = note.strip()[:300]
    if optional is not None:
        data["is_optional"], data["offered"] = bool(optional), bool(optional)
        if not optional:
            data["suggestion_reason"] = ""
    changes = apply_changes(line, data)
    if changes:
        line.flagged, line.flag_note = False, ""
        _reprice(line)
        line.save()
        recalculate(proposal=proposal)
        audit(agency=agency, actor=actor, action="proposal.line_updated", target=proposal,
              changes={k: v for k, v in changes.items() if k not in ("role", "internal_cost_rate")}
              | {"line": (line.name, line.name)})
    return line


@transaction.atomic
def line_include(*, agency: Agency, actor, proposal: Proposal, line: EstimateLine) -> EstimateLine:
    """The AM accepts a drafter's optional suggestion: it joins the estimate, the totals and the document."""
    proposal = _lock(agency=agency, proposal=proposal)
    line = EstimateLine.objects.select_for_update().get(agency=agency, proposal=proposal, pk=line.pk)
    if not line.is_optional:
        return line
    line.is_optional, line.offered, line.suggestion_reason = False, False, ""
    line.save(update_fields=["is_optional", "offered", "suggestion_reason", "updated_at"])
    recalculate(proposal=proposal)
    audit(agency=agency, actor=actor, action="proposal.line_included", target=proposal,
          changes={"line": (None, str(line))})
    return line


@transaction.atomic
def line_offer(*, agency: Agency, actor, proposal: Proposal, line: EstimateLine, offered: bool) -> EstimateLine:
    """The AM decides whether an optional line is offered to the client as a switch (outside the total unless
    the client switches it on) or stays a suggestion only the agency sees."""
    proposal = _lock(agency=agency, proposal=proposal)
    line = EstimateLine.objects.select_for_update().get(agency=agency, proposal=proposal, pk=line.pk)
    if not line.is_optional or line.offered == offered:
        return line
    line.offered = offered
    line.save(update_fields=["offered", "updated_at"])
    audit(agency=agency, actor=actor, action="proposal.line_offered" if offered else "proposal.line_withheld",
          target=proposal, changes={"line": (None, str(line))})
    return line


@transaction.atomic
def line_delete(*, agency: Agency, actor, proposal: Proposal, line: EstimateLine) -> None:
    proposal = _lock(agency=agency, proposal=proposal)
    audit(agency=agency, actor=actor, action="proposal.line_deleted", target=proposal,
          changes={"line": (str(line), None)})
    EstimateLine.objects.filter(agency=agency, pk=line.pk).delete()
    recalculate(proposal=proposal)


@transaction.atomic
def line_move(*, agency: Agency, actor, proposal: Proposal, line: EstimateLine, direction: str) -> None:
    proposal = _lock(agency=agency, proposal=proposal)
    _move(EstimateLine, agency=agency, proposal=proposal, item=line, direction=direction)
    recalculate(proposal=proposal)


# --- team and cases -----------------------------------------------------------------------------

@transaction.atomic
def team_add(*, agency: Agency, actor, proposal: Proposal, user, role_title: str = "") -> ProposalTeamMember:
    _lock(agency=agency, proposal=proposal)
    if not Membership.objects.filter(agency=agency, user=user, is_active=True).exists():
        raise ServiceError(_("Only active people of the agency can be on the team."), field="user")
    member, created = ProposalTeamMember.objects.get_or_create(
        agency=agency, proposal=proposal, user=user,
        defaults={"role_title": (role_title or user.position)[:120],
                  "order": _next_order(ProposalTeamMember, proposal)})
    if not created:
        raise ServiceError(_("%(name)s is already on the team.") % {"name": user.full_name}, field="user")
    audit(agency=agency, actor=actor, action="proposal.team_added", target=proposal,
          changes={"team": (None, user.full_name)})
    return member


@transaction.atomic
def team_remove(*, agency: Agency, actor, proposal: Proposal, member: ProposalTeamMember) -> None:
    _lock(agency=agency, proposal=proposal)
    audit(agency=agency, actor=actor, action="proposal.team_removed", target=proposal,
          changes={"team": (member.user.full_name, None)})
    ProposalTeamMember.objects.filter(agency=agency, pk=member.pk).delete()


@transaction.atomic
def cases_set(*, agency: Agency, actor, proposal: Proposal, cases) -> None:
    proposal = _lock(agency=agency, proposal=proposal)
    cases = [c for c in cases if c.agency_id == agency.pk]
    before = sorted(str(c.pk) for c in proposal.cases.all())
    after = sorted(str(c.pk) for c in cases)
    if before != after:
        proposal.cases.set(cases)
        audit(agency=agency, actor=actor, action="proposal.cases_changed", target=proposal,
              changes={"cases": (len(before), len(after))})
