"""Custom fields: the directors' definitions and the validation of every value written to a record.

Values are stored canonically in the record's `custom` dict (see clients.models.custom): text as a
string, a number as a JSON number, a date as an ISO string, a choice as one of the field's choices.
"""
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency
from mrm.tenancy.services import audit

from ..models import Client, Contact, CustomField, Deal

TEXT_MAX = 500
NUMBER_MAX = Decimal("1e15")
MAX_CHOICES = 50
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MODELS = {CustomField.Entity.CLIENT: Client, CustomField.Entity.CONTACT: Contact, CustomField.Entity.DEAL: Deal}


class CustomValuesInvalid(ServiceError):
    """One message per custom field key; `field` names the form field of the first one (`cf_<key>`)."""

    def __init__(self, errors: dict[str, str]) -> None:
        key, message = next(iter(errors.items()))
        super().__init__(message, field=f"cf_{key}")
        self.errors = errors


def _number(value) -> int | float:
    if isinstance(value, bool):
        raise ValueError(_("Enter a number."))
    try:
        number = Decimal(str(value).strip().replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        raise ValueError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValueError(_("Enter a number."))
    if abs(number) >= NUMBER_MAX:
        raise ValueError(_("The number is too large."))
    return int(number) if number == number.to_integral_value() else float(number)


def _date(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None


def custom_value_clean(field: CustomField, value):
    """The canonical stored value, or None for "no value"; ValueError with the message when it is bad."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if field.kind == CustomField.Kind.NUMBER:
        return _number(value)
    if field.kind == CustomField.Kind.DATE:
        return _date(value)
    if not isinstance(value, (str, int, float, Decimal)) or isinstance(value, bool):
        raise ValueError(_("Enter text."))
    text = str(value).strip()
    if field.kind == CustomField.Kind.CHOICE:
        if text not in field.choices:
            raise ValueError(_("“%(value)s” is not one of the choices: %(choices)s.") % {
                "value": text[:50], "choices": ", ".join(field.choices)})
        return text
    if len(text) > TEXT_MAX:
        raise ValueError(_("At most %(n)s characters.") % {"n": TEXT_MAX})
    return text


def custom_values_clean(*, defs: list[CustomField], values: dict, current: dict | None = None) -> dict:
    """The record's new `custom` dict: `current` with `values` applied. Keys must be active fields of the
    entity (`defs`); an empty value removes the key; values of inactive fields are kept as they are; every
    required active field must end up with a value. Raises CustomValuesInvalid (a message per key)."""
    if not isinstance(values, dict):
        raise CustomValuesInvalid({"": _("Send an object of field key → value.")})
    by_key = {d.key: d for d in defs}
    result = dict(current or {})
    errors: dict[str, str] = {}
    for key, value in values.items():
        field = by_key.get(key)
        if field is None:
            errors[str(key)] = _("Unknown field “%(key)s”.") % {"key": str(key)[:40]}
            continue
        try:
            clean = custom_value_clean(field, value)
        except ValueError as exc:
            errors[key] = str(exc)
            continue
        if clean is None:
            result.pop(key, None)
        else:
            result[key] = clean
    for field in defs:
        if field.required and field.key not in errors and result.get(field.key) in (None, ""):
            errors[field.key] = _("%(label)s is required.") % {"label": field.label}
    if errors:
        raise CustomValuesInvalid(errors)
    return result


def custom_values_for_write(*, agency: Agency, entity: str, data: dict, current: dict | None = None) -> dict | None:
    """For the record services: None when `data` has no "custom" (the values stay), else the checked dict."""
    if "custom" not in data or data["custom"] is None:
        return None
    from ..selectors.custom_fields import custom_field_defs

    return custom_values_clean(defs=custom_field_defs(agency=agency, entity=entity), values=data["custom"],
                               current=current)


# --- definitions (directors, in the settings) ----------------------------------------------------------

def _clean_choices(kind: str, choices) -> list[str]:
    if kind != CustomField.Kind.CHOICE:
        return []
    items = [str(c).strip()[:80] for c in (choices or []) if str(c).strip()]
    items = list(dict.fromkeys(items))
    if not items:
        raise ServiceError(_("A choice field needs at least one choice."), field="choices")
    if len(items) > MAX_CHOICES:
        raise ServiceError(_("At most %(n)s choices.") % {"n": MAX_CHOICES}, field="choices")
    return items


@transaction.atomic
def custom_field_create(*, agency: Agency, actor, entity: str, key: str, label: str, kind: str,
                        choices: list[str] | None = None, required: bool = False, order: int = 0) -> CustomField:
    key = (key or "").strip().lower()
    if not KEY_RE.match(key):
        raise ServiceError(_("The key starts with a Latin letter and has only a–z, 0–9 and _ (up to 40)."),
                           field="key")
    if entity not in CustomField.Entity.values:
        raise ServiceError(_("Choose where the field is shown."), field="entity")
    if kind not in CustomField.Kind.values:
        raise ServiceError(_("Choose the type."), field="kind")
    if CustomField.objects.filter(agency=agency, entity=entity, key=key).exists():
        raise ServiceError(_("This key is already used by another field here."), field="key")
    field = CustomField.objects.create(agency=agency, entity=entity, key=key, label=label.strip(), kind=kind,
                                       choices=_clean_choices(kind, choices), required=required, order=order)
    audit(agency=agency, actor=actor, action="custom_field.created", target=field)
    return field


@transaction.atomic
def custom_field_update(*, agency: Agency, actor, field: CustomField, label: str, choices: list[str] | None = None,
                        required: bool = False, order: int = 0, is_active: bool = True) -> CustomField:
    """Label, choices, required, order and active; the key, the entity and the type never change (stored
    values are keyed and typed by them). Removing a choice still held by records is refused."""
    field = CustomField.objects.select_for_update().get(agency=agency, pk=field.pk)
    new_choices = _clean_choices(field.kind, choices)
    if field.kind == CustomField.Kind.CHOICE:
        dropped = [c for c in field.choices if c not in new_choices]
        model = MODELS[field.entity]
        used = [c for c in dropped if model.objects.filter(agency=agency, **{f"custom__{field.key}": c}).exists()]
        if used:
            raise ServiceError(_("Records still hold “%(choice)s”: change them first, or keep the choice.") % {
                "choice": used[0]}, field="choices")
    before = {"label": field.label, "choices": field.choices, "required": field.required, "order": field.order,
              "is_active": field.is_active}
    after = {"label": label.strip(), "choices": new_choices, "required": required, "order": order,
             "is_active": is_active}
    changes = {k: (before[k], v) for k, v in after.items() if before[k] != v}
    if changes:
        for name, value in after.items():
            setattr(field, name, value)
        field.save(update_fields=[*after, "updated_at"])
        audit(agency=agency, actor=actor, action="custom_field.updated", target=field, changes=changes)
    return field


@transaction.atomic
def custom_field_delete(*, agency: Agency, actor, field: CustomField, confirmed: bool = False) -> int:
    """Delete a definition; records holding a value need `confirmed`, and lose that value. Returns how
    many records were cleared."""
    from django.db.models import F
    from django.db.models.expressions import CombinedExpression, Value

    model = MODELS[field.entity]
    holders = model.objects.filter(agency=agency, custom__has_key=field.key)
    count = holders.count()
    if count and not confirmed:
        raise ServiceError(_("%(n)s records hold a value of this field: confirm to delete the values too.") % {
            "n": count}, field="confirm", code="confirm")
    if count:
        if _is_postgres():  # one UPDATE: jsonb minus the key
            holders.update(custom=CombinedExpression(F("custom"), "-", Value(field.key)))
        else:
            for obj in holders.only("pk", "custom"):
                obj.custom.pop(field.key, None)
                model.objects.filter(agency=agency, pk=obj.pk).update(custom=obj.custom)
    audit(agency=agency, actor=actor, action="custom_field.deleted", target=field, changes={
        "values_cleared": (None, count)})
    CustomField.objects.filter(agency=agency, pk=field.pk).delete()
    return count


def _is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"
