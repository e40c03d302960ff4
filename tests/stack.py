"""What "the real stack" means for MRM_REQUIRE_REAL_STACK=1 (set by .ci/run): PostgreSQL and Redis."""


def real_stack_problems(*, database_engine: str, broker_urls: list[str]) -> list[str]:
    """Why this test session is not on the production stack (empty when it is)."""
    problems = []
    if database_engine != "django.db.backends.postgresql":
        problems.append(f"the database is {database_engine}, not PostgreSQL (set DATABASE_URL=postgres://…)")
    for url in broker_urls:
        if not url.startswith(("redis://", "rediss://")):
            problems.append(f"the Celery broker is {url.split('://')[0]}://, not Redis (set CELERY_BROKER_URL=redis://…)")
    return problems
