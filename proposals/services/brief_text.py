"""Reading a client's brief as text: which services it asks for, which money amounts it names, and which
lines read as an instruction to a machine rather than information about the client.

Used by both drafters (built-in and AI) and by the validator of their output, so the three agree:
* the estimate holds only services the brief asks for; anything else is an optional suggestion;
* the sanitiser removes only amounts the drafter invented, never one the client wrote;
* an instruction-like line («IGNORE PREVIOUS INSTRUCTIONS…») never reaches the client's document.
"""
import re
from decimal import Decimal, InvalidOperation

from ..models import Brief, Discipline

# --- money ---------------------------------------------------------------------------------------

_NUMBER = r"\d[\d\s\u00a0\u202f.,]*"
_MULTIPLIER = r"(?:\s?(?:тыс|млн|млрд|k|m|к)\b\.?)?"
# Every way an agency or a client writes a currency: ₽, руб., рубль/рубля/рублей/рублями, р./р,
# RUB, rouble(s)/ruble(s), and the dollar and the euro.
_CURRENCY_AFTER = (r"(?:₽|руб\w*\.?|р\.|р(?![\w-])|rub\b|roubles?\b|rubles?\b|usd\b|eur\b|\$|€|долл\w*|евро\b|"
                   r"dollars?\b|euros?\b)")
_CURRENCY_BEFORE = r"(?:[$€₽]|\b(?:rub|usd|eur)\b)"
MONEY_RE = re.compile(
    rf"(?:{_CURRENCY_BEFORE}\s?{_NUMBER}{_MULTIPLIER}|{_NUMBER}{_MULTIPLIER}\s?{_CURRENCY_AFTER})",
    re.IGNORECASE)
_MULTIPLIERS = {"тыс": 1000, "k": 1000, "к": 1000, "млн": 1_000_000, "m": 1_000_000, "млрд": 1_000_000_000}


def _amount_value(match: str) -> Decimal | None:
    number = re.search(_NUMBER, match)
    if number is None:
        return None
    raw = re.sub(r"[\s\u00a0\u202f]", "", number.group(0)).rstrip(".,")
    parts = re.split(r"[.,]", raw)
    if len(parts) > 1 and 1 <= len(parts[-1]) <= 2:  # 900,50 → decimals; 150.000 → thousands
        text = "".join(parts[:-1]) + "." + parts[-1]
    else:
        text = "".join(parts)
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    multiplier = re.search(r"(тыс|млрд|млн|k|m|к)\b", match[number.end():], re.IGNORECASE)
    if multiplier:
        value *= _MULTIPLIERS[multiplier.group(1).lower()]
    return value.normalize()


def money_values(text: str) -> set[Decimal]:
    """The money amounts named in a text, as numbers (so «900 ₽» and «900 рублей» are the same amount)."""
    return {v for v in (_amount_value(m.group(0)) for m in MONEY_RE.finditer(text or "")) if v is not None}


def strip_invented_money(text: str, *, allowed: set[Decimal]) -> tuple[str, list[str]]:
    """Replace every amount that is not in `allowed` with «[…]»; returns the text and what was removed."""
    removed = []

    def replace(match: re.Match) -> str:
        if _amount_value(match.group(0)) in allowed:
            return match.group(0)
        removed.append(match.group(0).strip())
        return "[…]"

    return MONEY_RE.sub(replace, text), removed


# --- instructions to a machine -------------------------------------------------------------------

INSTRUCTION_RE = re.compile("|".join([
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|rules|prompts?|above|previous|prior)\b",
    r"\byou are now\b", r"\bact as (?:an? )?(?:ai|assistant|system|admin)", r"\badmin mode\b", r"\bjailbreak",
    r"^\s*(?:system|assistant|developer)\s*:", r"\bset (?:the )?(?:price|rate|cost|total)s?\b",
    r"\breveal\b.{0,40}\b(?:prompt|rates?|instructions?|rules)\b", r"\bsystem prompt\b",
    r"(?:игнорируй|проигнорируй|забудь|отмени|не обращай внимания на)\s.{0,40}(?:инструкц|правил|указани|промпт)",
    r"\bты теперь\b", r"(?:установи|поставь|сделай|укажи)\s.{0,30}(?:цен|стоимост|ставк)\w*.{0,30}\d",
    r"(?:раскрой|покажи|выведи)\s.{0,40}(?:промпт|инструкц|ставк|правил)", r"системн\w*\s(?:промпт|сообщени|инструкц)",
    r"<<<\s*brief_(?:start|end)\s*>>>", r"</?catalog>",
]), re.IGNORECASE)


def is_instruction(line: str) -> bool:
    return bool(INSTRUCTION_RE.search(line or ""))


def split_instructions(text: str) -> tuple[str, list[str]]:
    """The text without its instruction-like lines, and those lines (stripped, for the AM's flag)."""
    kept, found = [], []
    for line in (text or "").splitlines():
        if is_instruction(line):
            found.append(line.strip())
        else:
            kept.append(line)
    return "\n".join(kept).strip(), found


def brief_texts(brief: Brief) -> list[str]:
    """Everything the client typed that a drafter may read."""
    return [brief.goals, brief.audience, brief.links,
            *(str(a.get("question", "")) for a in brief.answers),
            *(str(a.get("answer", "")) for a in brief.answers)]


def brief_instruction_lines(brief: Brief) -> list[str]:
    lines = []
    for text in brief_texts(brief):
        lines += split_instructions(text)[1]
    return list(dict.fromkeys(line for line in lines if line))


def brief_money_values(brief: Brief) -> set[Decimal]:
    """Amounts the client wrote (text and chosen budget range): a drafter may quote them."""
    values = set()
    for text in [*brief_texts(brief), str(brief.get_budget_display()) if brief.budget else ""]:
        values |= money_values(text)
    return values


# --- what the brief asks for ---------------------------------------------------------------------

# Stems match at the start of a word ("контекст" in «контекстная»), abbreviations as whole words, so
# «количество» no longer means TV and «заявки с сайта» no longer means a new website.
KEYWORDS = {
    Discipline.STRATEGY: (r"стратеги", r"позиционир", r"бренд", r"ребрендинг", r"strateg", r"brand"),
    Discipline.CREATIVE: (r"креатив", r"дизайн", r"визуал", r"ролик", r"creative", r"design"),
    Discipline.SMM: (r"smm\b", r"соцсет", r"социальн\w*\s+сет", r"вконтакт", r"telegram", r"телеграм",
                     r"инстаграм", r"блогер"),
    Discipline.CONTEXT: (r"контекст", r"яндекс[\s.]*директ", r"директ\b", r"ppc\b", r"google ads", r"performance",
                         r"перформанс"),
    Discipline.SEO: (r"seo\b", r"поисков\w*\s+продвижени", r"органическ", r"сео\b"),
    Discipline.MEDIA: (r"медийн", r"медиабай", r"закупк\w*\s+медиа", r"наружн", r"olv\b", r"тв\b", r"телевиз",
                       r"радио\b", r"media\s*buy"),
    Discipline.ANALYTICS: (r"аналитик", r"метрик", r"дашборд", r"сквозн", r"analytics", r"cpa\b", r"roi\b",
                           r"romi\b"),
    Discipline.PRODUCTION: (r"съёмк", r"съемк", r"продакшн", r"фотосъ", r"видеоролик", r"production"),
    Discipline.WEB: (r"лендинг", r"landing", r"редизайн", r"(?:разработ|созда|сдела|нов)\w*\s+(?:\w+\s+)?сайт",
                     r"web\b"),
}
_KEYWORD_RE = {d: re.compile(r"(?<!\w)(?:" + "|".join(words) + ")", re.IGNORECASE) for d, words in KEYWORDS.items()}


def mentioned_disciplines(text: str) -> dict[str, str]:
    """Disciplines the text mentions, each with the word that mentioned it."""
    found = {}
    for discipline, pattern in _KEYWORD_RE.items():
        match = pattern.search(text or "")
        if match:
            found[discipline] = match.group(0)
    return found


def asked_disciplines(brief: Brief) -> tuple[list[str], dict[str, str]]:
    """(what the brief asks for, what it only mentions → the word).

    Asked: the services the client ticked and the brief type's discipline. When the client ticked
    nothing, the services the text names are the ask; when they did tick, a text mention is only a
    mention (worth an optional suggestion, not a line of the estimate)."""
    asked = [d for d in Discipline.values if d in brief.channels]
    if brief.template_id and brief.template.discipline and brief.template.discipline not in asked:
        asked.append(brief.template.discipline)
    text = "\n".join(split_instructions(t)[0] for t in brief_texts(brief))
    mentioned = {d: w for d, w in mentioned_disciplines(text).items() if d not in asked}
    if not asked:
        asked, mentioned = list(mentioned), {}
    return sorted(asked, key=Discipline.values.index), mentioned
