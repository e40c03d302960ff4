"""Lookups an imported row needs: its company, its owner and the existing record it matches.
Each index is loaded once per run with one query, so checking 100,000 rows costs a handful of queries.
AMs only reach the clients they can see (`client_list`); a match outside that set is a row error."""
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from mrm.tenancy.models import Agency, Membership, Role

from ..models import Client, Contact, Deal, ImportFile
from ..selectors import client_list
from .readers import Row
from .schema import MATCH_KEYS, Field, custom_import_fields, fields_for, parse_row, raw_values

E = ImportFile.Entity
_QUOTES = re.compile(r"[«»\"“”„'`]")
MULTILINE_FIELDS = {"notes"}  # the only values that may hold line breaks


ENTITY_OF_IMPORT = {E.COMPANIES: "client", E.CONTACTS: "contact", E.DEALS: "deal"}


def import_custom_fields(*, agency: Agency, entity: str) -> tuple[Field, ...]:
    """The agency's active custom fields of what the file holds, as import fields ("cf.<key>")."""
    from ..selectors.custom_fields import custom_field_defs

    return custom_import_fields(custom_field_defs(agency=agency, entity=ENTITY_OF_IMPORT[entity]))


def norm(text: str) -> str:
    """Case, ё/е, quotes and spaces do not make two names different."""
    return " ".join(_QUOTES.sub("", text).casefold().replace("ё", "е").split())


@dataclass
class CheckedRow:
    line: int
    raw: dict[str, str]
    data: dict
    errors: list[str]
    key: object = None  # the match key value (normalized)
    existing_id: object = None  # pk of the record this row updates
    client_id: object = None
    owner_id: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class Resolver:
    def __init__(self, *, agency: Agency, membership: Membership, entity: str, match_key: str) -> None:
        self.agency, self.membership, self.entity, self.match_key = agency, membership, entity, match_key
        self.key_label = dict(MATCH_KEYS[entity]).get(match_key, match_key)
        self.custom = import_custom_fields(agency=agency, entity=entity)
        self.visible: set | None = None
        if membership.role != Role.DIRECTOR:
            self.visible = set(client_list(agency=agency, membership=membership).values_list("pk", flat=True))
        self._staff()
        if entity == E.COMPANIES:
            self._load_clients(for_matching=True)
        else:
            self._load_clients(for_matching=False)
            self._load_existing()

    def _staff(self) -> None:
        users = get_user_model().objects.filter(pk__in=Membership.objects.filter(
            agency=self.agency, is_active=True, role__in=[Role.DIRECTOR, Role.AM]).values("user_id"))
        self.staff: dict[str, int] = {}
        for pk, full_name, email in users.values_list("pk", "full_name", "email"):
            self.staff[norm(email)] = pk
            if full_name:
                self.staff[norm(full_name)] = pk
                parts = full_name.split()
                if len(parts) == 2:  # "Волков Алексей" as amoCRM writes it
                    self.staff[norm(f"{parts[1]} {parts[0]}")] = pk

    def _load_clients(self, *, for_matching: bool) -> None:
        self.by_name: dict[str, list] = {}
        self.by_external: dict[str, object] = {}
        for pk, name, legal, external in Client.objects.filter(agency=self.agency).values_list(
                "pk", "name", "legal_name", "external_id"):
            self.by_name.setdefault(norm(name), []).append(pk)
            if legal and norm(legal) != norm(name):
                self.by_name.setdefault(norm(legal), []).append(pk)
            if external:
                self.by_external[external.strip()] = pk
        if for_matching:
            # Matching companies on the name looks at the brand name only, not the legal name.
            self.existing: dict = {}
            if self.match_key == "external_id":
                self.existing = dict(self.by_external)
            else:
                for pk, name in Client.objects.filter(agency=self.agency).values_list("pk", "name"):
                    self.existing.setdefault(norm(name), pk)
            self.existing_client = {pk: pk for pk in self.existing.values()}

    def _load_existing(self) -> None:
        model = Contact if self.entity == E.CONTACTS else Deal
        self.existing, self.existing_client = {}, {}
        field_name = {"external_id": "external_id", "email": "email", "full_name": "full_name",
                      "title": "title"}[self.match_key]
        rows = model.objects.filter(agency=self.agency).exclude(**{field_name: ""}).values_list(
            "pk", field_name, "client_id")
        for pk, value, client_id in rows:
            key = self._key(value, client_id)
            self.existing.setdefault(key, pk)
            self.existing_client[pk] = client_id

    def _key(self, value: str, client_id=None):
        if self.match_key == "external_id":
            return value.strip()
        if self.match_key in ("full_name", "title"):
            return (client_id, norm(value))
        return norm(value)

    def _can_see(self, client_id) -> bool:
        return self.visible is None or client_id in self.visible

    def check(self, row: Row, mapping: dict[int, str]) -> CheckedRow:
        data, errors = parse_row(self.entity, mapping, row.values, self.custom)
        checked = CheckedRow(row.line, raw_values(mapping, row.values), data, errors)
        errors.extend(_line_break_errors(self.entity, row, checked.raw, self.custom))
        if self.entity != E.COMPANIES:
            self._company(checked)
        owner = data.get("owner")
        if self.membership.role == Role.DIRECTOR and owner:
            checked.owner_id = self.staff.get(norm(owner))
        if checked.errors:
            return checked
        value = data.get(self.match_key, "")
        if not value:
            checked.errors.append(_("%(key)s is empty, so a re-import could not find this row.") % {
                "key": self.key_label})
            return checked
        checked.key = self._key(value, checked.client_id)
        existing = self.existing.get(checked.key)
        if existing is not None:
            if not self._can_see(self.existing_client[existing]):
                checked.errors.append(_("This record exists at a client of another account manager; ask a "
                                        "director to import it."))
                return checked
            checked.existing_id = existing
        return checked

    def _company(self, checked: CheckedRow) -> None:
        external = checked.data.get("company_external_id", "")
        name = checked.data.get("company", "")
        if external:
            found = [self.by_external[external]] if external in self.by_external else []
        elif name:
            found = self.by_name.get(norm(name), [])
        else:
            return  # "Company is empty" is already reported
        found = [pk for pk in dict.fromkeys(found) if self._can_see(pk)]
        if not found:
            checked.errors.append(_("Unknown company “%(name)s”: import the companies first or check the name.") % {
                "name": name or external})
        elif len(found) > 1:
            checked.errors.append(_("Several companies are called “%(name)s”: add a company ID column to tell them "
                                    "apart.") % {"name": name})
        else:
            checked.client_id = found[0]


def _line_break_errors(entity: str, row: Row, raw: dict[str, str], custom: tuple[Field, ...] = ()) -> list[str]:
    """A CSV record read across several lines with a line break in a one-line value (a name, an e-mail):
    a quote opened on its first line and never closed merged the lines under it into this value."""
    if not row.spans_lines:
        return []
    fields = fields_for(entity, custom)
    return [_("%(field)s takes lines %(first)s–%(last)s of the file: a quote (\") is probably not closed on line "
              "%(first)s, so the lines under it were read as this one value. Close or remove the quote and upload "
              "the file again.") % {"field": fields[key].label, "first": row.first, "last": row.last}
            for key, value in raw.items()
            if key not in MULTILINE_FIELDS and key in fields and ("\n" in value or "\r" in value)]
