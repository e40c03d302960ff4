"""What can be imported: the fields of companies, contacts and deals, header guessing (amoCRM,
Bitrix24 and plain spreadsheets, Russian and English) and parsing one row into clean values with
the reasons it is bad. Pure functions: no database here (see `resolve` for lookups)."""
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Client, Deal, ImportFile

E = ImportFile.Entity


@dataclass(frozen=True)
class Field:
    key: str
    label: str | Promise
    kind: str = "text"  # text, email, phone, telegram, url, date, amount, currency, status, stage, deal_kind,
    # source, tags
    required: bool = False
    max_length: int = 200
    synonyms: tuple[str, ...] = ()  # headers this column is known under, best first
    multi: bool = False  # several columns may feed it (work and mobile phone): the first non-empty wins
    choices: tuple[str, ...] = ()  # a custom choice field's choices


CUSTOM_PREFIX = "cf."  # mapping keys of the agency's custom fields: "cf.<key>"
_CUSTOM_KINDS = {"text": "text", "number": "cf_number", "date": "date", "choice": "cf_choice"}


def custom_import_fields(defs) -> tuple[Field, ...]:
    """The agency's active custom fields (clients.models.CustomField rows, read by the caller) as import
    fields: a column may be mapped to them; their header is guessed from the label or the key."""
    return tuple(Field(f"{CUSTOM_PREFIX}{d.key}", d.label, kind=_CUSTOM_KINDS[d.kind], max_length=500,
                       synonyms=(d.label, d.key), choices=tuple(d.choices)) for d in defs)


OWNER = ("ответственный", "ответственный менеджер", "менеджер", "аккаунт-менеджер", "responsible", "owner",
         "responsible user", "account manager", "manager")
NOTES = ("примечание", "примечания", "комментарий", "заметки", "заметка", "описание", "notes", "note", "comment",
         "comments", "description")
COMPANY = ("компания", "название компании", "организация", "клиент", "контрагент", "company", "company name",
           "client", "account", "organization")
COMPANY_ID = ("id компании", "ид компании", "company id", "внешний id компании")

FIELDS: dict[str, tuple[Field, ...]] = {
    E.COMPANIES: (
        Field("external_id", gettext_lazy("External ID / INN"), max_length=100, synonyms=(
            "id", "ид", "external id", "внешний id", "id компании", "ид компании", "company id", "код", "код клиента",
            "инн", "inn", "tax id", "vat id")),
        Field("name", gettext_lazy("Company name"), required=True, synonyms=(
            "название компании", "название", "компания", "наименование", "бренд", "клиент", "name", "company",
            "company name", "brand", "client", "account name", "организация")),
        Field("legal_name", gettext_lazy("Legal name"), max_length=255, synonyms=(
            "юридическое название", "юридическое наименование", "юридическое лицо", "юрлицо", "юр лицо",
            "полное название", "полное наименование", "legal name", "legal entity", "company legal name")),
        Field("industry", gettext_lazy("Industry"), max_length=100, synonyms=(
            "сфера деятельности", "отрасль", "сфера", "вид деятельности", "индустрия", "industry", "sector")),
        Field("website", gettext_lazy("Website"), kind="url", synonyms=(
            "сайт", "веб-сайт", "корпоративный сайт", "адрес сайта", "web", "website", "web site", "url", "site")),
        Field("status", gettext_lazy("Status"), kind="status", synonyms=("статус", "статус клиента", "status")),
        Field("owner", gettext_lazy("Account manager"), synonyms=OWNER),
        Field("start_date", gettext_lazy("Start date"), kind="date", synonyms=(
            "дата начала работы", "начало работы", "дата начала", "клиент с", "start date", "client since")),
        Field("source", gettext_lazy("Source"), kind="source", synonyms=(
            "источник", "источник клиента", "канал привлечения", "source", "lead source")),
        Field("tags", gettext_lazy("Tags"), kind="tags", synonyms=("теги", "тэги", "метки", "tags", "labels")),
        Field("notes", gettext_lazy("Notes"), max_length=10_000, synonyms=NOTES),
    ),
    E.CONTACTS: (
        Field("external_id", gettext_lazy("External ID"), max_length=100, synonyms=(
            "id", "ид", "id контакта", "contact id", "external id", "внешний id")),
        Field("full_name", gettext_lazy("Full name"), required=True, max_length=150, synonyms=(
            "полное имя", "фио", "полное имя контакта", "имя фамилия", "имя и фамилия", "контакт", "контактное лицо",
            "full name", "name", "contact", "contact name")),
        Field("first_name", gettext_lazy("First name"), max_length=80, synonyms=("имя", "first name", "given name")),
        Field("last_name", gettext_lazy("Last name"), max_length=80, synonyms=("фамилия", "last name", "surname",
                                                                                "family name")),
        Field("middle_name", gettext_lazy("Middle name"), max_length=80, synonyms=("отчество", "middle name")),
        Field("company", gettext_lazy("Company"), required=True, synonyms=COMPANY),
        Field("company_external_id", gettext_lazy("Company external ID"), max_length=100, synonyms=COMPANY_ID),
        Field("position", gettext_lazy("Position"), max_length=120, synonyms=("должность", "position", "job title",
                                                                               "title", "role")),
        Field("email", gettext_lazy("E-mail"), kind="email", max_length=254, multi=True, synonyms=(
            "email", "e-mail", "рабочий email", "рабочий e-mail", "почта", "электронная почта", "эл почта",
            "личный email", "личный e-mail", "другой email", "другой e-mail", "email рабочий", "work email", "mail")),
        Field("phone", gettext_lazy("Phone"), kind="phone", max_length=40, multi=True, synonyms=(
            "телефон", "рабочий телефон", "мобильный телефон", "мобильный", "рабочий прямой телефон",
            "телефон рабочий", "телефон мобильный", "другой телефон", "домашний телефон", "phone", "mobile",
            "mobile phone", "work phone", "phone number")),
        Field("telegram", gettext_lazy("Telegram"), kind="telegram", max_length=64, synonyms=(
            "telegram", "телеграм", "телеграмм", "tg", "telegram username", "ник в telegram")),
        Field("notes", gettext_lazy("Notes"), max_length=10_000, synonyms=NOTES),
    ),
    E.DEALS: (
        Field("external_id", gettext_lazy("External ID"), max_length=100, synonyms=(
            "id", "ид", "id сделки", "deal id", "external id", "внешний id")),
        Field("title", gettext_lazy("Deal title"), required=True, synonyms=(
            "название сделки", "сделка", "название", "наименование", "deal", "deal name", "title", "name",
            "opportunity")),
        Field("company", gettext_lazy("Company"), required=True, synonyms=COMPANY),
        Field("company_external_id", gettext_lazy("Company external ID"), max_length=100, synonyms=COMPANY_ID),
        Field("stage", gettext_lazy("Stage"), kind="stage", synonyms=(
            "этап сделки", "этап", "стадия сделки", "стадия", "статус сделки", "статус", "stage", "deal stage",
            "status")),
        Field("amount", gettext_lazy("Amount"), kind="amount", synonyms=(
            "бюджет", "сумма", "сумма сделки", "стоимость", "amount", "budget", "deal amount", "value")),
        Field("currency", gettext_lazy("Currency"), kind="currency", synonyms=("валюта", "currency")),
        Field("expected_close_date", gettext_lazy("Expected close date"), kind="date", synonyms=(
            "предполагаемая дата закрытия", "планируемая дата закрытия", "дата закрытия", "ожидаемая дата закрытия",
            "дата завершения", "expected close date", "close date", "closing date")),
        Field("kind", gettext_lazy("Deal type"), kind="deal_kind", synonyms=("тип сделки", "тип", "deal type",
                                                                               "type")),
        Field("owner", gettext_lazy("Owner"), synonyms=OWNER),
        Field("lost_reason", gettext_lazy("Reason lost"), max_length=255, synonyms=(
            "причина отказа", "причина проигрыша", "причина закрытия", "причина отказа от сделки", "lost reason",
            "reason lost", "loss reason")),
    ),
}

# A required field is also satisfied by these columns (a company ID instead of its name, first and last
# name instead of the full name).
ALTERNATIVES = {"company": ("company_external_id",), "full_name": ("first_name", "last_name")}

# Keys a re-import matches existing rows on, per entity; the first mapped one is the default.
MATCH_KEYS: dict[str, tuple[tuple[str, str | Promise], ...]] = {
    E.COMPANIES: (("external_id", gettext_lazy("External ID / INN")), ("name", gettext_lazy("Company name"))),
    E.CONTACTS: (("external_id", gettext_lazy("External ID")), ("email", gettext_lazy("E-mail")),
                 ("full_name", gettext_lazy("Full name at the company"))),
    E.DEALS: (("external_id", gettext_lazy("External ID")), ("title", gettext_lazy("Deal title at the company"))),
}


def fields_for(entity: str, custom: tuple[Field, ...] = ()) -> dict[str, Field]:
    return {f.key: f for f in (*FIELDS[entity], *custom)}


def normalize_header(text: str) -> str:
    text = text.lower().replace("ё", "е").replace("\ufeff", "")
    text = re.sub(r"[-_]", "", text)
    return re.sub(r"[^\w]+", " ", text).strip()


def guess_mapping(entity: str, headers: list[str], custom: tuple[Field, ...] = ()) -> dict[str, str]:
    """Column index (as a string, JSON-friendly) → field key. Exact header names first, then headers
    that contain every word of a known name ("Телефон (мобильный)")."""
    normalized = [normalize_header(h) for h in headers]
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for exact in (True, False):
        for f in (*FIELDS[entity], *custom):
            if f.key in taken and not f.multi:
                continue
            for synonym in f.synonyms:
                target = normalize_header(synonym)
                hits = [i for i, h in enumerate(normalized) if str(i) not in mapping and h and (
                    h == target if exact else set(target.split()) <= set(h.split()) and len(target) > 3)]
                for i in hits if f.multi else hits[:1]:
                    mapping[str(i)] = f.key
                    taken.add(f.key)
                if hits and not f.multi:
                    break
    if entity == E.CONTACTS and "full_name" in taken:
        # "Имя" next to "Полное имя" is the first name of the same person: the full name is enough.
        mapping = {i: k for i, k in mapping.items() if k not in ("first_name", "last_name", "middle_name")}
    return mapping


def default_match_key(entity: str, mapping: dict[str, str]) -> str:
    mapped = set(mapping.values())
    if entity == E.CONTACTS and "full_name" not in mapped and {"first_name", "last_name"} & mapped:
        mapped.add("full_name")
    for key, _label in MATCH_KEYS[entity]:
        if key in mapped:
            return key
    return MATCH_KEYS[entity][-1][0]


def mapping_problems(entity: str, mapping: dict[str, str], match_key: str,
                     custom: tuple[Field, ...] = ()) -> list[tuple[str, str]]:
    """(form field, message) for a mapping that cannot work: required fields not mapped, a field
    taken by two columns, a match key with no column."""
    fields = fields_for(entity, custom)
    problems = []
    counts: dict[str, int] = {}
    for key in mapping.values():
        counts[key] = counts.get(key, 0) + 1
    mapped = set(counts)
    for key, n in counts.items():
        if key not in fields:
            problems.append(("", _("Unknown field “%(key)s”.") % {"key": key}))
        elif n > 1 and not fields[key].multi:
            problems.append(("", _("“%(field)s” is chosen for %(n)s columns; choose it for one.") % {
                "field": fields[key].label, "n": n}))
    named = "full_name" in mapped or {"first_name", "last_name"} & mapped
    for f in fields.values():
        if f.required and f.key not in mapped and not set(ALTERNATIVES.get(f.key, ())) & mapped:
            alternatives = [fields[k].label for k in ALTERNATIVES.get(f.key, ())]
            problems.append(("", _("Choose the column with “%(field)s”: it is required.") % {"field": f.label}
                             if not alternatives else
                             _("Choose the column with “%(field)s” (or “%(other)s”): it is required.") % {
                                 "field": f.label, "other": "”, “".join(str(a) for a in alternatives)}))
    keys = dict(MATCH_KEYS[entity])
    if match_key not in keys:
        problems.append(("match_key", _("Choose what to match existing records on.")))
    elif match_key not in mapped and not (match_key == "full_name" and named):
        problems.append(("match_key", _("You match on “%(key)s”, but no column is chosen for it.") % {
            "key": keys[match_key]}))
    return problems


# --- values -----------------------------------------------------------------------------------------

DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y", "%Y.%m.%d")


def parse_date(value: str) -> date:
    text = value.strip().split("T")[0].split(" ")[0]
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 1900 <= parsed.year <= 2100:
            return parsed
    raise ValueError(_("“%(value)s” is not a date: use dd.mm.yyyy or yyyy-mm-dd") % {"value": value})


_MONEY_NOISE = re.compile(r"(руб\.?|р\.|₽|rub|rur|usd|eur|\$|€|[\s\u00a0\u202f\u2009'])", re.IGNORECASE)
MAX_AMOUNT = Decimal("999999999999.99")


def parse_amount(value: str) -> Decimal:
    text = _MONEY_NOISE.sub("", value)
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")  # Russian decimal comma
    elif text.count(",") > 1:
        text = text.replace(",", "")  # 1,250,000
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ValueError(_("“%(value)s” is not an amount") % {"value": value})
    if amount < 0:
        raise ValueError(_("the amount cannot be negative (%(value)s)") % {"value": value})
    if amount > MAX_AMOUNT:
        raise ValueError(_("the amount %(value)s is too large") % {"value": value})
    return amount.quantize(Decimal("0.01"))


def parse_email(value: str) -> str:
    first = re.split(r"[,;\s]+", value.strip())[0]
    try:
        validate_email(first)
    except ValidationError:
        raise ValueError(_("“%(value)s” is not a valid e-mail address") % {"value": value}) from None
    return first


def parse_phone(value: str) -> str:
    text = value.strip().lstrip("'").strip()
    digits = re.sub(r"\D", "", text.split(",")[0])
    if not 5 <= len(digits) <= 15:
        raise ValueError(_("“%(value)s” is not a phone number") % {"value": value})
    return text.split(",")[0].strip()[:40]


def parse_url(value: str) -> str:
    text = value.strip()
    if not re.match(r"^https?://", text, re.IGNORECASE):
        text = "https://" + text
    try:
        URLValidator()(text)
    except ValidationError:
        raise ValueError(_("“%(value)s” is not a website address") % {"value": value}) from None
    return text[:200]


def parse_telegram(value: str) -> str:
    text = re.sub(r"^(https?://)?(t\.me/|telegram\.me/)", "", value.strip(), flags=re.IGNORECASE)
    return text.lstrip("@")[:64]


def parse_tags(value: str) -> list[str]:
    return sorted({t.strip()[:40] for t in re.split(r"[,;]", value) if t.strip()})


def _by_keywords(value: str, table: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    text = value.strip().lower().replace("ё", "е")
    for result, words in table:
        if any(w in text for w in words):
            return result
    return None


STATUS_WORDS = (
    (Client.Status.CHURNED, ("ушел", "ушли", "отток", "бывш", "потерян", "churn", "former", "lost")),
    (Client.Status.PAUSED, ("пауз", "приостанов", "заморож", "pause", "on hold")),
    (Client.Status.ONBOARDING, ("онбординг", "запуск", "onboard")),
    (Client.Status.ACTIVE, ("актив", "действующ", "работаем", "клиент", "active", "client", "customer")),
    (Client.Status.LEAD, ("лид", "потенциальн", "новый", "переговор", "lead", "prospect", "new")),
)
# Closed stages first: "Закрыто и не реализовано" must not read as "реализовано".
STAGE_WORDS = (
    (Deal.Stage.LOST, ("не реализ", "нереализ", "провал", "проигр", "отказ", "неуспеш", "закрыто и не", "lost",
                       "closed lost")),
    (Deal.Stage.WON, ("успешн", "выигр", "реализовано", "оплачен", "won", "closed won")),
    (Deal.Stage.NEGOTIATION, ("перегов", "решени", "согласов", "договор", "счет", "negotiat", "contract")),
    (Deal.Stage.PROPOSAL_SENT, ("кп", "предложен", "коммерческ", "proposal", "quote")),
    (Deal.Stage.BRIEF_RECEIVED, ("бриф", "квалиф", "brief", "qualif")),
)
KIND_WORDS = (
    (Deal.Kind.UPSELL, ("допрод", "апсел", "апсейл", "расширен", "upsell", "up-sell")),
    (Deal.Kind.CROSS_SELL, ("кросс", "перекрест", "cross")),
    (Deal.Kind.RENEWAL, ("продлен", "пролонг", "renewal")),
)
SOURCE_WORDS = (
    (Client.Source.REFERRAL, ("рекоменд", "реферал", "сарафан", "referral")),
    (Client.Source.TENDER, ("тендер", "конкурс", "tender")),
    (Client.Source.BRIEF_FORM, ("бриф", "форма", "сайт", "brief", "form")),
    (Client.Source.EVENT, ("конференц", "выставк", "мероприят", "event")),
    (Client.Source.OUTBOUND, ("холодн", "исходящ", "outbound", "cold")),
    (Client.Source.INBOUND, ("входящ", "заявка", "звонок", "inbound")),
)
CURRENCIES = {"rub": "RUB", "rur": "RUB", "руб": "RUB", "рубль": "RUB", "рубли": "RUB", "₽": "RUB", "р": "RUB",
              "usd": "USD", "$": "USD", "доллар": "USD", "eur": "EUR", "€": "EUR", "евро": "EUR", "kzt": "KZT",
              "₸": "KZT", "тенге": "KZT", "byn": "BYN"}


def parse_status(value: str) -> str:
    found = value.strip().lower() if value.strip().lower() in Client.Status.values else \
        _by_keywords(value, STATUS_WORDS)
    if found is None:
        raise ValueError(_("unknown status “%(value)s”: use lead, onboarding, active, paused or churned") % {
            "value": value})
    return found


def parse_stage(value: str) -> str:
    # Custom pipeline stages we do not recognise are open deals: they start in "New".
    text = value.strip().lower()
    return text if text in Deal.Stage.values else (_by_keywords(value, STAGE_WORDS) or Deal.Stage.NEW)


def parse_deal_kind(value: str) -> str:
    text = value.strip().lower()
    return text if text in Deal.Kind.values else (_by_keywords(value, KIND_WORDS) or Deal.Kind.NEW_BUSINESS)


def parse_source(value: str) -> str:
    text = value.strip().lower()
    return text if text in Client.Source.values else (_by_keywords(value, SOURCE_WORDS) or Client.Source.OTHER)


def parse_currency(value: str) -> str:
    text = value.strip().lower().rstrip(".")
    if text in CURRENCIES:
        return CURRENCIES[text]
    if re.fullmatch(r"[a-z]{3}", text):
        return text.upper()
    raise ValueError(_("unknown currency “%(value)s”: use a code like RUB, USD, EUR") % {"value": value})


def parse_number(value: str) -> int | float:
    text = _MONEY_NOISE.sub("", value).replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) >= Decimal("1e15"):
        raise ValueError(_("“%(value)s” is not a number") % {"value": value})
    return int(number) if number == number.to_integral_value() else float(number)


def parse_choice(value: str, choices: tuple[str, ...]) -> str:
    text = value.strip().casefold()
    for choice in choices:
        if choice.casefold() == text:
            return choice
    raise ValueError(_("“%(value)s” is not one of: %(choices)s") % {"value": value, "choices": ", ".join(choices)})


PARSERS = {
    "date": parse_date, "amount": parse_amount, "email": parse_email, "phone": parse_phone, "url": parse_url,
    "telegram": parse_telegram, "tags": parse_tags, "status": parse_status, "stage": parse_stage,
    "deal_kind": parse_deal_kind, "source": parse_source, "currency": parse_currency, "cf_number": parse_number,
}


def raw_values(mapping: dict[int, str], values: list[str]) -> dict[str, str]:
    """Field → the cell text (the first non-empty one when several columns feed a field)."""
    raw: dict[str, str] = {}
    for index, key in mapping.items():
        value = values[index].strip() if index < len(values) else ""
        if value and not raw.get(key):
            raw[key] = value
    return raw


def parse_row(entity: str, mapping: dict[int, str], values: list[str],
              custom: tuple[Field, ...] = ()) -> tuple[dict, list[str]]:
    """Clean values and the reasons the row is bad (empty list when it is fine). Custom fields come back
    as "cf.<key>" with their stored form (a date as an ISO string)."""
    fields = fields_for(entity, custom)
    raw = raw_values(mapping, values)
    if entity == E.CONTACTS and not raw.get("full_name"):
        parts = [raw.get(k, "") for k in ("last_name", "first_name", "middle_name")]
        raw["full_name"] = " ".join(p for p in parts if p)
    data: dict = {}
    errors: list[str] = []
    for f in fields.values():
        value = raw.get(f.key, "")
        if not value:
            if f.required and not any(raw.get(k) for k in ALTERNATIVES.get(f.key, ())):
                errors.append(_("%(field)s is empty") % {"field": f.label})
            continue
        if value.startswith("=") and f.kind != "text":
            # A formula Excel did not compute (or a CSV cell starting with "="): text, never evaluated.
            errors.append(_("%(field)s: “%(value)s” is a formula, not a value") % {"field": f.label, "value": value})
            continue
        parser = PARSERS.get(f.kind)
        try:
            if f.kind == "cf_choice":
                parsed = parse_choice(value, f.choices)
            else:
                parsed = parser(value) if parser else value
            if f.key.startswith(CUSTOM_PREFIX) and isinstance(parsed, date):
                parsed = parsed.isoformat()
        except ValueError as exc:
            errors.append(f"{f.label}: {exc}")
            continue
        if isinstance(parsed, str) and len(parsed) > f.max_length:
            errors.append(_("%(field)s is longer than %(n)s characters") % {"field": f.label, "n": f.max_length})
            continue
        data[f.key] = parsed
    for key in ("first_name", "last_name", "middle_name"):
        data.pop(key, None)
    return data, errors
