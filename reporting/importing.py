"""The columns of a metrics file: the fields, the mapping guessed from Russian and English headers, and one
row parsed into clean values with its errors. Reading the file itself (encoding, delimiter, xlsx safety)
is the CRM import's reader (`clients.importing.readers`); dates and money are parsed by its schema."""
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.importing.schema import normalize_header, parse_amount, parse_currency, parse_date

from . import channels


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    synonyms: tuple[str, ...]
    metric: bool = False


FIELDS: tuple[Field, ...] = (
    Field("date", gettext_lazy("Date"), ("дата", "день", "date", "day", "период", "дата статистики")),
    Field("channel", gettext_lazy("Channel / source"), ("канал", "источник", "площадка", "рекламная система",
                                                        "channel", "source", "platform", "network")),
    Field("campaign", gettext_lazy("Campaign"), ("кампания", "название кампании", "рекламная кампания",
                                                 "campaign", "campaign name")),
    Field("campaign_id", gettext_lazy("Campaign ID"), ("id кампании", "ид кампании", "номер кампании",
                                                       "campaign id", "campaignid")),
    Field("impressions", gettext_lazy("Impressions"), ("показы", "показов", "impressions", "impr", "views"),
          metric=True),
    Field("clicks", gettext_lazy("Clicks"), ("клики", "кликов", "переходы", "clicks"), metric=True),
    Field("cost", gettext_lazy("Cost"), ("расход", "расходы", "затраты", "стоимость", "бюджет", "расход руб",
                                         "cost", "spend", "spent", "amount spent"), metric=True),
    Field("conversions", gettext_lazy("Conversions"), ("конверсии", "конверсий", "заявки", "лиды", "цели",
                                                       "достижения целей", "conversions", "leads", "goals"),
          metric=True),
    Field("revenue", gettext_lazy("Revenue"), ("доход", "выручка", "продажи", "revenue", "income", "sales"),
          metric=True),
    Field("sessions", gettext_lazy("Sessions"), ("визиты", "сеансы", "сессии", "sessions", "visits"), metric=True),
    Field("currency", gettext_lazy("Currency"), ("валюта", "currency")),
)
BY_KEY = {f.key: f for f in FIELDS}
METRICS = tuple(f.key for f in FIELDS if f.metric)
COUNTS = ("impressions", "clicks", "sessions")
MAX_COUNT = 10**15
MAX_CONVERSIONS = Decimal("999999999999.99")


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Column index (a string) → field key: exact header names first, then headers containing every word
    of a known name («Расход, руб.», «Показы (всего)»). Each field is taken once."""
    normalized = [normalize_header(h) for h in headers]
    mapping: dict[str, str] = {}
    for exact in (True, False):
        for f in FIELDS:
            if f.key in mapping.values():
                continue
            for synonym in f.synonyms:
                target = normalize_header(synonym)
                hit = next((i for i, h in enumerate(normalized) if str(i) not in mapping and h and (
                    h == target if exact else set(target.split()) <= set(h.split()) and len(target) > 3)), None)
                if hit is not None:
                    mapping[str(hit)] = f.key
                    break
    return mapping


def mapping_problems(mapping: dict[str, str]) -> list[str]:
    """What keeps a mapping from being imported, in the user's words."""
    keys = list(mapping.values())
    problems = []
    if "date" not in keys:
        problems.append(_("Choose the column with the date."))
    if not any(k in METRICS for k in keys):
        problems.append(_("Choose at least one column with figures (impressions, clicks, cost…)."))
    doubled = sorted({str(BY_KEY[k].label) for k in keys if keys.count(k) > 1 and k in BY_KEY})
    if doubled:
        problems.append(_("Each field can come from one column only: %(fields)s.") % {"fields": ", ".join(doubled)})
    return problems


_COUNT_NOISE = re.compile(r"[\s\u00a0\u202f\u2009']")


def parse_count(value: str) -> int:
    text = _COUNT_NOISE.sub("", value)
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+", text):
        text = text.replace(",", "")  # 1,250,000
    text = re.sub(r"[.,]0+$", "", text)  # Excel's 1200.0
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(_("“%(value)s” is not a whole number") % {"value": value})
    number = int(text)
    if number < 0:
        raise ValueError(_("cannot be negative (%(value)s)") % {"value": value})
    if number > MAX_COUNT:
        raise ValueError(_("%(value)s is too large") % {"value": value})
    return number


def parse_money(value: str) -> Decimal:
    text = value.strip()
    if text.startswith("-") or text.startswith("\u2212"):
        raise ValueError(_("cannot be negative (%(value)s)") % {"value": value})
    return parse_amount(text)


def parse_conversions(value: str) -> Decimal:
    number = parse_money(value)
    if number > MAX_CONVERSIONS:
        raise ValueError(_("%(value)s is too large") % {"value": value})
    return number


PARSERS = {"impressions": parse_count, "clicks": parse_count, "sessions": parse_count, "cost": parse_money,
           "revenue": parse_money, "conversions": parse_conversions}


@dataclass
class ParsedRow:
    line: int
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def key(self) -> tuple:
        """What a day is unique by in a source: the campaign (its id, else its name) or the channel."""
        campaign = self.data.get("campaign_id") or (self.data.get("campaign") or "").lower()
        return (self.data.get("date"), campaign, "" if campaign else self.data.get("channel", ""))


def parse_row(*, line: int, values: list[str], mapping: dict[int, str], today: date, currency: str,
              channel: str) -> ParsedRow:
    """One row of the file: clean values, or the reasons it cannot be imported (each in the user's words)."""
    row = ParsedRow(line=line)
    for index, key in mapping.items():
        value = values[index].strip() if index < len(values) else ""
        row.raw[key] = value
    if any("\ufffd" in v for v in row.raw.values()):
        row.errors.append(_("the row has characters that could not be read: save the file in UTF-8 or "
                            "Windows-1251"))
    label = {f.key: str(f.label) for f in FIELDS}
    text = row.raw.get("date", "")
    if not text:
        row.errors.append(_("no date"))
    else:
        try:
            day = parse_date(text)
        except ValueError as exc:
            row.errors.append(str(exc))
        else:
            if day > today:
                row.errors.append(_("the date %(date)s is in the future") % {"date": day.strftime("%d.%m.%Y")})
            row.data["date"] = day
    for key in METRICS:
        value = row.raw.get(key, "")
        if not value or value in ("-", "—"):
            row.data[key] = 0 if key in COUNTS else Decimal(0)
            continue
        try:
            row.data[key] = PARSERS[key](value)
        except (ValueError, InvalidOperation) as exc:
            row.errors.append(f"{label[key]}: {exc}")
    row.data["channel"] = channels.normalize(row.raw.get("channel") or channel)
    row.data["campaign"] = " ".join(row.raw.get("campaign", "").split())[:300]
    row.data["campaign_id"] = row.raw.get("campaign_id", "")[:200]
    cur = row.raw.get("currency", "")
    if cur:
        try:
            row.data["currency"] = parse_currency(cur)
        except ValueError as exc:
            row.errors.append(str(exc))
    else:
        row.data["currency"] = currency
    if not any(row.raw.get(k) for k in METRICS) and not row.errors:
        row.errors.append(_("the row has no figures"))
    return row


def check_duplicates(rows: list[ParsedRow]) -> None:
    """A second row for the same day of the same campaign (or channel) is an error, naming the first one:
    summing them silently would double the figures of a file exported twice into one."""
    seen: dict[tuple, int] = {}
    for row in rows:
        if "date" not in row.data:
            continue
        first = seen.setdefault(row.key, row.line)
        if first != row.line:
            row.errors.append(_("the same day and campaign as row %(line)s") % {"line": first})
