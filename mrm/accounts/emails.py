"""One spelling of an e-mail address for log-in, lockout, sign-up, invitations and password reset."""


def email_normalize(value: str | None) -> str:
    """`" PM@Piksel.Demo "` → `"pm@piksel.demo"`: accounts are unique by this form, and lockout counts by it."""
    return (value or "").strip().lower()
