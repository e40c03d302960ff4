"""Demo custom fields for `seed_demo`: two fields on clients per agency, filled in on a few clients.
Idempotent: the fields are keyed on (agency, entity, key) and a value already present is left alone."""
from clients.models import Client, CustomField

FIELDS = (
    ("contract_no", "Номер договора", CustomField.Kind.TEXT, []),
    ("segment", "Сегмент", CustomField.Kind.CHOICE, ["A — ключевой", "B — растущий", "C — базовый"]),
)
FILLED = 8  # clients (by name) that get values


def seed_custom_fields(*, agency, members) -> None:
    for order, (key, label, kind, choices) in enumerate(FIELDS):
        CustomField.objects.get_or_create(agency=agency, entity=CustomField.Entity.CLIENT, key=key, defaults={
            "label": label, "kind": kind, "choices": choices, "order": order})
    segments = FIELDS[1][3]
    for i, client in enumerate(Client.objects.filter(agency=agency).order_by("name", "pk")[:FILLED]):
        values = {"contract_no": f"Д-{2024 + i % 3}/{101 + i}", "segment": segments[i % len(segments)]}
        if not all(k in client.custom for k in values):
            client.custom = {**values, **client.custom}
            client.save(update_fields=["custom", "updated_at"])
