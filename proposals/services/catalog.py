"""The rate card and the service catalog, the agency's proposal settings and its case library."""
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency
from mrm.tenancy.services import apply_changes, audit

from ..models import Case, LineKind, ProposalSettings, RateRole, Service

ROLE_FIELDS = ("name", "hourly_rate", "cost_rate", "order", "is_active")
SERVICE_FIELDS = ("discipline", "name", "description", "unit", "hours_min", "hours_max", "order", "is_active",
                  "price_kind", "price", "commission_percent")
SETTINGS_FIELDS = ("followup_days", "validity_days", "default_terms", "brief_owner", "brief_intro",
                   "brief_form_enabled", "vat_mode")
CASE_FIELDS = ("title", "kind", "client_name", "description", "result", "discipline")


def _check_role(*, agency: Agency, data: dict, role: RateRole | None = None) -> None:
    name = (data.get("name") or "").strip()
    if name:
        # Compared in Python: SQLite's case-insensitive match is ASCII-only, role names are Cyrillic.
        others = RateRole.objects.filter(agency=agency).exclude(pk=role.pk if role else None)
        if any(n.casefold() == name.casefold() for n in others.values_list("name", flat=True)):
            raise ServiceError(_("A role with this name is already on the rate card."), field="name")
    if data.get("hourly_rate") is not None and Decimal(data["hourly_rate"]) < 0:
        raise ServiceError(_("A rate cannot be negative."), field="hourly_rate")


@transaction.atomic
def role_create(*, agency: Agency, actor, data: dict) -> RateRole:
    """Add a role with its hourly rate and internal cost rate (agency currency)."""
    data = {k: v for k, v in data.items() if k in ROLE_FIELDS}
    _check_role(agency=agency, data=data)
    role = RateRole.objects.create(agency=agency, **data)
    audit(agency=agency, actor=actor, action="ratecard.role_created", target=role,
          changes={"hourly_rate": (None, role.hourly_rate)})
    return role


@transaction.atomic
def role_update(*, agency: Agency, actor, role: RateRole, data: dict) -> RateRole:
    role = RateRole.objects.select_for_update().get(agency=agency, pk=role.pk)
    data = {k: v for k, v in data.items() if k in ROLE_FIELDS}
    _check_role(agency=agency, data=data, role=role)
    changes = apply_changes(role, data)
    if changes:
        role.save()
        audit(agency=agency, actor=actor, action="ratecard.role_updated", target=role, changes=changes)
    return role


def _check_service(*, agency: Agency, data: dict, roles) -> None:
    low, high = data.get("hours_min"), data.get("hours_max")
    if low is not None and high is not None and Decimal(low) > Decimal(high):
        raise ServiceError(_("“Hours from” must not be more than “hours to”."), field="hours_max")
    kind = data.get("price_kind") or LineKind.TIME
    if kind not in LineKind.values:
        raise ServiceError(_("Choose how the service is priced."), field="price_kind")
    if kind in (LineKind.FIXED, LineKind.QUANTITY) and not Decimal(data.get("price") or 0) > 0:
        raise ServiceError(_("A package or a per-piece service needs its price."), field="price")
    if data.get("commission_percent") is not None and not 0 <= Decimal(data["commission_percent"]) <= 100:
        raise ServiceError(_("A commission is between 0 and 100 %."), field="commission_percent")
    if roles is not None:
        roles = list(roles)
        if not roles and kind == LineKind.TIME:
            raise ServiceError(_("Choose at least one role that delivers this service."), field="roles")
        if any(r.agency_id != agency.pk for r in roles):
            raise ServiceError(_("Unknown role."), field="roles")


@transaction.atomic
def service_create(*, agency: Agency, actor, data: dict, roles) -> Service:
    """Add a catalog service with its default hours range and delivering roles."""
    data = {k: v for k, v in data.items() if k in SERVICE_FIELDS}
    _check_service(agency=agency, data=data, roles=roles)
    service = Service.objects.create(agency=agency, **data)
    service.roles.set(roles)
    audit(agency=agency, actor=actor, action="catalog.service_created", target=service)
    return service


@transaction.atomic
def service_update(*, agency: Agency, actor, service: Service, data: dict, roles=None) -> Service:
    service = Service.objects.select_for_update().get(agency=agency, pk=service.pk)
    data = {k: v for k, v in data.items() if k in SERVICE_FIELDS}
    merged = {"hours_min": data.get("hours_min", service.hours_min), "hours_max": data.get("hours_max",
                                                                                         service.hours_max),
              "price_kind": data.get("price_kind", service.price_kind), "price": data.get("price", service.price),
              "commission_percent": data.get("commission_percent", service.commission_percent)}
    _check_service(agency=agency, data=merged, roles=roles)
    changes = apply_changes(service, data)
    if changes:
        service.save()
    if roles is not None:
        before = sorted(str(r.pk) for r in service.roles.all())
        after = sorted(str(r.pk) for r in roles)
        if before != after:
            service.roles.set(roles)
            changes["roles"] = (", ".join(before), ", ".join(after))
    if changes:
        audit(agency=agency, actor=actor, action="catalog.service_updated", target=service, changes=changes)
    return service


def settings_get(*, agency: Agency) -> ProposalSettings:
    """The agency's proposal settings, created with defaults on first use."""
    obj = ProposalSettings.objects.filter(agency=agency).first()
    if obj is None:
        obj, _created = ProposalSettings.objects.get_or_create(agency=agency)
    return obj


def parse_followup_days(raw: str) -> list[int]:
    """'3, 7, 14' → [3, 7, 14]; raises ServiceError with a readable message."""
    try:
        days = sorted({int(part) for part in raw.replace(";", ",").split(",") if part.strip()})
    except ValueError as exc:
        raise ServiceError(_("List whole days separated by commas, e.g. 3, 7, 14, 30, 90."),
                           field="followup_days") from exc
    if not days or days[0] < 1 or days[-1] > 365 or len(days) > 10:
        raise ServiceError(_("Use 1 to 10 follow-ups between 1 and 365 days after sending."), field="followup_days")
    return days


@transaction.atomic
def settings_update(*, agency: Agency, actor, data: dict) -> ProposalSettings:
    obj = settings_get(agency=agency)
    obj = ProposalSettings.objects.select_for_update().get(agency=agency, pk=obj.pk)
    data = {k: v for k, v in data.items() if k in SETTINGS_FIELDS}
    if isinstance(data.get("followup_days"), str):
        data["followup_days"] = parse_followup_days(data["followup_days"])
    changes = apply_changes(obj, data)
    if changes:
        obj.save()
        audit(agency=agency, actor=actor, action="proposals.settings_updated", target=obj, changes=changes)
    return obj


@transaction.atomic
def case_create(*, agency: Agency, actor, data: dict, image=None) -> Case:
    """Add a case to the library (image checked by the form: type and size)."""
    case = Case(agency=agency, **{k: v for k, v in data.items() if k in CASE_FIELDS})
    if image is not None:
        case.image = image
    case.save()
    audit(agency=agency, actor=actor, action="case.created", target=case)
    return case


@transaction.atomic
def case_update(*, agency: Agency, actor, case: Case, data: dict, image=None, remove_image: bool = False) -> Case:
    case = Case.objects.select_for_update().get(agency=agency, pk=case.pk)
    changes = apply_changes(case, {k: v for k, v in data.items() if k in CASE_FIELDS})
    if image is not None:
        case.image = image
        changes["image"] = ("", image.name)
    elif remove_image and case.image:
        changes["image"] = (case.image.name, "")
        case.image = ""
    if changes:
        case.save()
        audit(agency=agency, actor=actor, action="case.updated", target=case, changes=changes)
    return case


@transaction.atomic
def case_delete(*, agency: Agency, actor, case: Case) -> None:
    audit(agency=agency, actor=actor, action="case.deleted", target=case)
    Case.objects.filter(agency=agency, pk=case.pk).delete()
