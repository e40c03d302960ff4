"""SECRET_KEY values that must never run in production: placeholders and keys published in this repository.

Imported by mrm/settings/production.py (refuses to start) and by the `mrm.E001` deploy check
(`manage.py check --deploy`). tests/core/test_deployment.py scans the repository for SECRET_KEY values and fails
if one is missing here.
"""

KNOWN_SECRET_KEYS = frozenset({
    # mrm/settings/base.py: the development default
    "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz",
    # .env.example: the placeholder to replace
    "change-me-to-a-long-random-string-of-at-least-fifty-characters-please",
    # Dockerfile (before it generated a throwaway key for collectstatic)
    "build-only-key-build-only-key-build-only-key-0123456789",
})
# Words that mark a value as a placeholder rather than a generated secret.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "change_me", "dev-only", "build-only", "insecure", "placeholder")
GENERATE_HINT = "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"


def secret_key_problem(key: str | None) -> str | None:
    """Why this SECRET_KEY is unfit for production, or None when it looks like a generated secret."""
    if not key:
        return "SECRET_KEY is empty."
    if key in KNOWN_SECRET_KEYS or any(marker in key.lower() for marker in PLACEHOLDER_MARKERS):
        return "SECRET_KEY is a placeholder or a key published in the repository; anyone can forge sessions with it."
    if len(key) < 50 or len(set(key)) < 5:
        return "SECRET_KEY must be a random string of at least 50 characters."
    return None
