"""The one seam to the Telegram Bot API (https://core.telegram.org/bots/api), over httpx.

Requests go to `{TELEGRAM_API_URL}/bot{TELEGRAM_BOT_TOKEN}/{method}` as JSON; every answer is
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": 400, "description": "...",
"parameters": {"retry_after": 5}}`. `TELEGRAM_API_URL` points tests and staging at a fake.

Errors: `TelegramTransientError` for what a later retry can fix (the request never reached the bot API,
429 Too Many Requests, 5xx), `TelegramError` for the rest (bad chat, bot blocked, wrong token) and for
an unknown outcome (a read timeout: the message may have gone out, so it is never sent again).
"""
import httpx2 as httpx
from django.conf import settings


class TelegramError(Exception):
    transient = False

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class TelegramTransientError(TelegramError):
    transient = True


def is_configured() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN)


def bot_link(code: str) -> str:
    """The deep link that opens the bot with `/start <code>` (empty without TELEGRAM_BOT_USERNAME)."""
    username = settings.TELEGRAM_BOT_USERNAME.lstrip("@")
    return f"https://t.me/{username}?start={code}" if username else ""


def _call(method: str, payload: dict, *, timeout: float | None = None) -> object:
    if not is_configured():
        raise TelegramError("Telegram is not configured (TELEGRAM_BOT_TOKEN is empty).")
    url = f"{settings.TELEGRAM_API_URL}/bot{settings.TELEGRAM_BOT_TOKEN}/{method}"
    seconds = timeout if timeout is not None else settings.TELEGRAM_TIMEOUT_SECONDS
    try:
        response = httpx.post(url, json=payload, timeout=httpx.Timeout(seconds, connect=min(seconds, 5.0)))
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise TelegramTransientError(f"Telegram is unreachable: {exc.__class__.__name__}") from exc
    except httpx.TimeoutException as exc:
        raise TelegramError("Telegram did not answer in time; the outcome is unknown.") from exc
    except httpx.TransportError as exc:
        raise TelegramTransientError(f"Telegram connection failed: {exc.__class__.__name__}") from exc
    try:
        data = response.json()
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    if response.status_code == 200 and data.get("ok") is True:
        return data.get("result")
    description = str(data.get("description") or f"HTTP {response.status_code}")
    retry_after = (data.get("parameters") or {}).get("retry_after") if isinstance(data.get("parameters"), dict) else None
    code = int(data.get("error_code") or response.status_code)
    if code == 429 or code >= 500:
        raise TelegramTransientError(f"Telegram {code}: {description}", retry_after=retry_after)
    raise TelegramError(f"Telegram {code}: {description}")


def send_message(*, chat_id: int, text: str) -> dict:
    """sendMessage: plain text (no parse mode, so user text is never read as markup); returns the Message."""
    result = _call("sendMessage", {"chat_id": chat_id, "text": text[:4096],
                                   "link_preview_options": {"is_disabled": True}})
    return result if isinstance(result, dict) else {}


def get_updates(*, offset: int | None = None, timeout: int = 0) -> list[dict]:
    """getUpdates (long polling when `timeout` > 0): only messages; pass `offset` = last update_id + 1."""
    payload: dict = {"timeout": timeout, "allowed_updates": ["message"]}
    if offset is not None:
        payload["offset"] = offset
    result = _call("getUpdates", payload, timeout=settings.TELEGRAM_TIMEOUT_SECONDS + timeout)
    return result if isinstance(result, list) else []
