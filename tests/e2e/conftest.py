import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "ru-RU"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            # One browser per xdist worker is plenty on 2 cores; keep journeys together.
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.fixture(autouse=True)
def _requests_end_before_the_flush(request, _django_db_marker):
    """Let the browser's in-flight requests finish before the database is flushed.

    A page loads blocks lazily (``hx-trigger="load"``); when a test ends right after a navigation, the live
    server may still be answering one of them while the transactional teardown truncates every table. Both then
    lock the same tables and PostgreSQL kills one of them: the flush fails and the next test meets the last
    one's rows. Depending on ``_django_db_marker`` makes this teardown run before the flush.
    """
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    pending: set = set()
    page.on("request", lambda req: pending.add(req))
    page.on("requestfinished", lambda req: pending.discard(req))
    page.on("requestfailed", lambda req: pending.discard(req))
    yield
    for _ in range(100):
        if not pending:
            break
        page.wait_for_timeout(100)
