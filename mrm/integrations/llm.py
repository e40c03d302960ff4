"""The one seam to a large language model: the `openai` client, configured from settings.

`complete_json()` sends a system prompt plus user messages and asks for structured output that matches
a JSON schema (chat completions with `response_format={"type": "json_schema", ...}`), so any
OpenAI-compatible endpoint works (`OPENAI_BASE_URL`). It never retries by itself: it raises
`LLMTransientError` for what is worth retrying later (timeout, connection, 429, 5xx) and `LLMError`
for everything else, each with a message a user can read. Whether AI is available at all is
`is_configured()`: without `OPENAI_API_KEY` callers use their deterministic fallback.

`openai` (with pydantic and httpx, ~38 MB) is imported by the first call, not by every web worker that loads a
module which might one day draft something.
"""
from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    import openai

logger = logging.getLogger(__name__)

MAX_TIMEOUT_SECONDS = 60.0


class LLMError(Exception):
    """The model call failed in a way retrying will not fix; `message` is shown to the user."""

    transient = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LLMTransientError(LLMError):
    """Timeout, connection problem, rate limit or server error: worth another attempt later."""

    transient = True


def is_configured() -> bool:
    return bool(getattr(settings, "OPENAI_API_KEY", ""))


def model_name() -> str:
    return getattr(settings, "OPENAI_MODEL", "") or "gpt-4o-mini"


def _timeout() -> float:
    return min(float(getattr(settings, "OPENAI_TIMEOUT", 45) or 45), MAX_TIMEOUT_SECONDS)


def _client() -> openai.OpenAI:
    import openai

    return openai.OpenAI(api_key=settings.OPENAI_API_KEY, base_url=getattr(settings, "OPENAI_BASE_URL", None) or None,
                         timeout=_timeout(), max_retries=0)


def complete_json(*, system: str, messages: list[dict], schema: dict, schema_name: str,
                  temperature: float = 0.3) -> dict:
    """Ask for a JSON object matching `schema`; returns the parsed object (not yet validated by meaning)."""
    if not is_configured():
        raise LLMError(_("AI is not configured for this installation."))
    import openai

    try:
        response = _client().chat.completions.create(
            model=model_name(),
            messages=[{"role": "system", "content": system}, *messages],
            response_format={"type": "json_schema",
                             "json_schema": {"name": schema_name, "strict": True, "schema": schema}},
            temperature=temperature,
        )
    except openai.APITimeoutError as exc:
        raise LLMTransientError(_("The AI service did not answer in time.")) from exc
    except openai.APIConnectionError as exc:
        raise LLMTransientError(_("Could not reach the AI service.")) from exc
    except openai.RateLimitError as exc:
        raise LLMTransientError(_("The AI service is busy (rate limit).")) from exc
    except openai.APIStatusError as exc:
        if exc.status_code >= 500:
            raise LLMTransientError(_("The AI service had an internal error.")) from exc
        logger.warning("LLM call refused: %s %s", exc.status_code, exc)
        raise LLMError(_("The AI service refused the request (error %(code)s). Check the AI settings.")
                       % {"code": exc.status_code}) from exc
    except openai.OpenAIError as exc:
        logger.warning("LLM call failed: %s", exc)
        raise LLMError(_("The AI service answered in an unexpected way.")) from exc
    try:
        choice = response.choices[0]
        content = choice.message.content
    except (AttributeError, IndexError, TypeError) as exc:
        raise LLMError(_("The AI service answered in an unexpected way.")) from exc
    if getattr(choice.message, "refusal", None):
        raise LLMError(_("The AI declined to draft this brief."))
    if choice.finish_reason == "length":
        raise LLMError(_("The AI answer was cut off (too long)."))
    try:
        data = json.loads(content or "")
    except (TypeError, ValueError) as exc:
        raise LLMError(_("The AI answered with malformed JSON.")) from exc
    if not isinstance(data, dict):
        raise LLMError(_("The AI answered with malformed JSON."))
    return data
