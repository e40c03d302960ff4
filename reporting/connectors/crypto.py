"""Tokens at rest: Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under CONNECTOR_TOKEN_KEY.

The setting is either a Fernet key (44 url-safe base64 characters) or any passphrase, which is stretched with
SHA-256 into one; without it the key is derived from SECRET_KEY (fine for a laptop, not for production: the
README says to set it). A ciphertext that no longer decrypts (the key changed) reads as "no token", and the
source page asks for the token again instead of failing with a server error.
"""
import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    secret = settings.CONNECTOR_TOKEN_KEY or f"mrm-connectors:{settings.SECRET_KEY}"
    try:
        return Fernet(secret.encode() if isinstance(secret, str) else secret)
    except ValueError:
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(value: str) -> str:
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except (InvalidToken, ValueError):
        return ""


def hint(value: str) -> str:
    """The last four characters of a token, to tell which one is saved."""
    return f"…{value[-4:]}" if len(value) >= 8 else "…"
