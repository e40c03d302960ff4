"""Channel names: a file says «Яндекс Директ», «Директ» or «yandex direct»; the facts store one key for
each known channel (so the by-channel table has one row for it) and any other name as written."""
import re

from django.utils.translation import gettext_lazy as _

KNOWN = {
    "yandex_direct": (_("Yandex Direct"), ("яндекс директ", "яндекс.директ", "директ", "yandex direct", "direct",
                                           "yandex_direct")),
    "vk_ads": (_("VK Ads"), ("vk реклама", "vk ads", "вк реклама", "вконтакте", "vk", "вк", "vk_ads", "mytarget")),
    "yandex_metrica": (_("Yandex Metrica"), ("яндекс метрика", "яндекс.метрика", "метрика", "yandex metrica",
                                             "metrica", "yandex_metrica")),
    "google_ads": (_("Google Ads"), ("google ads", "google adwords", "adwords", "google_ads")),
    "telegram_ads": (_("Telegram Ads"), ("telegram ads", "telegram", "телеграм", "telegram_ads")),
    "seo": (_("SEO / organic"), ("seo", "organic", "органика", "поиск органика", "органический поиск")),
    "email": (_("E-mail"), ("email", "e-mail", "рассылка", "почта")),
}
_WORDS = {re.sub(r"\s+", " ", word): key for key, (_label, words) in KNOWN.items() for word in words}
MAX_LENGTH = 60


def normalize(text: str) -> str:
    """The stored channel of a name from a file or the API ('' for no channel)."""
    clean = " ".join((text or "").split())[:MAX_LENGTH]
    return _WORDS.get(clean.lower(), clean)


def label(key: str) -> str:
    if not key:
        return str(_("No channel"))
    known = KNOWN.get(key)
    return str(known[0]) if known else key


# The channel a connector's rows belong to (DataSource.Kind value → channel key); a file has none.
FOR_SOURCE_KIND = {"yandex_direct": "yandex_direct", "yandex_metrica": "yandex_metrica", "vk_ads": "vk_ads"}
