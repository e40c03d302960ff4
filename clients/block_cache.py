"""The client page's blocks, rendered once and served again until one of their rows changes (issue 15).

A block that declares the rows it shows (`Section.rows`, built with `of_client`, `through_client` and `of_agency`)
is cached per member, language, time zone and day under a fingerprint of those rows: for each table, the number of
matching rows and a sum of a hash of every row's version (PostgreSQL's `xmin` and `ctid`, which every INSERT, UPDATE
and DELETE changes, whoever writes: a view, a Celery task, an import with `bulk_create`, a queryset `update()` or
raw SQL). One query reads the fingerprints of every block of the page, before the blocks are computed, so a block is
never stored under a fingerprint newer than its rows. Nothing has to announce a write: a block whose rows changed
simply has a new key, and the old entry expires.

Every block also depends on rows of the client itself (its fields, tags and team) and of the agency (members and
their users, custom field definitions, pipelines, holidays, KPI targets): they are part of every fingerprint.
What changes with the clock ("5 min ago", a task turning overdue) is kept no longer than it stays true
(`mrm.core.freshness`). The CSRF token inside a block's forms is replaced by a placeholder when stored and by the
member's current token when served.

PostgreSQL only: on SQLite (the embedded `make run` default) every block is computed on every request, as before."""
import functools
import hashlib
import os
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from mrm.core.freshness import watch

TTL = 3600  # an hour at most, whatever the block shows
KEY_PREFIX = "clients:block:v2"  # a new version when what is stored changes shape (v2: compressed HTML)
CSRF_PLACEHOLDER = "\ue000csrf\ue000"
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
ROW_VERSION = "t.xmin::text || t.ctid::text"


@dataclass(frozen=True)
class Rows:
    """`FROM … WHERE …` over the alias `t`, with `%(client)s` and `%(agency)s`; `version` is what of a row counts
    (by default any write to it)."""
    sql: str
    version: str = ROW_VERSION


def _table(label: str, *columns: str) -> str:
    """ "app.Model" → its table; "app.Model.field" → the table of that many-to-many field. A missing model or
    `columns` missing from it fail at start-up (the sections are registered from `AppConfig.ready`)."""
    parts = label.split(".")
    model = apps.get_model(parts[0], parts[1])
    if len(parts) == 3:
        model = model._meta.get_field(parts[2]).remote_field.through
    missing = set(columns) - {field.column for field in model._meta.concrete_fields}
    if missing:
        raise LookupError(f"{label} has no column {', '.join(sorted(missing))}")
    return model._meta.db_table


def of_client(label: str, column: str = "client_id") -> Rows:
    return Rows(f"FROM {_table(label, column)} t WHERE t.{column} = %(client)s")


def through_client(label: str, *, parent: str, column: str) -> Rows:
    """Rows that reach the client through a parent row: `label`.`column` → `parent`.id, whose client_id matches."""
    return Rows(f"FROM {_table(label, column)} t JOIN {_table(parent, 'id', 'client_id')} p ON p.id = t.{column} "
                f"WHERE p.client_id = %(client)s")


def of_agency(label: str) -> Rows:
    return Rows(f"FROM {_table(label, 'agency_id')} t WHERE t.agency_id = %(agency)s")


@functools.cache
def _common() -> tuple[Rows, ...]:
    """Built once, on the first request (the app registry is ready by then)."""
    return (
        Rows(f"FROM {_table('clients.Client')} t WHERE t.id = %(client)s"),
        of_client("clients.Client.tags"), of_client("clients.Client.team"),
        Rows(f"FROM {_table('tenancy.Agency')} t WHERE t.id = %(agency)s"),
        of_agency("tenancy.Membership"),
        # A member's name, photo and contacts show in blocks; a login (last_login) changes nothing they show.
        Rows(f"FROM {_table('accounts.User')} t JOIN {_table('tenancy.Membership')} m ON m.user_id = t.id "
             f"WHERE m.agency_id = %(agency)s",
             version="concat_ws('|', t.id, t.email, t.full_name, t.position, t.phone, t.photo, t.is_active)"),
        of_agency("clients.CustomField"), of_agency("clients.Pipeline"), of_agency("clients.PipelineStage"),
        of_agency("tenancy.Holiday"), of_agency("tenancy.KpiTarget"),
    )


def enabled() -> bool:
    return connection.vendor == "postgresql"


def fingerprints(*, agency_id: int, client_id, sections: Iterable) -> dict[str, str]:
    """Each cacheable section's fingerprint (key → digest), from one query over the rows of all of them."""
    sections = [s for s in sections if s.rows is not None]
    if not sections or not enabled():
        return {}
    common = _common()
    sources: list[Rows] = list(dict.fromkeys([*common, *(rows for s in sections for rows in s.rows)]))
    sql = " UNION ALL ".join(
        f"SELECT {n}, count(*), coalesce(sum(hashtextextended({rows.version}, 0)), 0) {rows.sql}"
        for n, rows in enumerate(sources))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"client": client_id, "agency": agency_id})
        state = {n: (count, str(total)) for n, count, total in cursor.fetchall()}
    common_state = [state[n] for n in range(len(common))]
    index = {rows: n for n, rows in enumerate(sources)}
    return {s.key: hashlib.blake2b(repr((common_state, [state[index[r]] for r in s.rows])).encode(),
                                   digest_size=16).hexdigest() for s in sections}


_SOURCE_SUFFIXES = (".py", ".html", ".mo")
_SKIPPED_DIRS = {".git", ".venv", "node_modules", "var", "static", "staticfiles", "media", "__pycache__"}


@functools.cache
def code_version() -> str:
    """A digest of the code, templates and translations this process runs (their paths, sizes and modification
    times, read once): a deploy that changes a block's template or context starts with new keys, never serving
    HTML of the previous release."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.blake2b(digest_size=8)
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        for name in sorted(files):
            if name.endswith(_SOURCE_SUFFIXES):
                stat = os.stat(os.path.join(directory, name))
                digest.update(f"{os.path.relpath(os.path.join(directory, name), root)}:{stat.st_size}:"
                              f"{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


def _viewer(request) -> str:
    """What besides the rows a block's HTML depends on: the member, role, language, time zone, day and release
    (once per request)."""
    if not hasattr(request, "_block_viewer"):
        membership = request.membership
        viewer = (membership.user_id, membership.role, get_language(), timezone.get_current_timezone_name(),
                  timezone.localdate().isoformat(), code_version())
        request._block_viewer = hashlib.blake2b(repr(viewer).encode(), digest_size=12).hexdigest()
    return request._block_viewer


def _key(request, section, client, digest: str) -> str:
    return f"{KEY_PREFIX}:{section.key}:{client.pk}:{digest}:{_viewer(request)}"


def _store(html: str) -> bytes:
    # Compressed (HTML shrinks five- to tenfold): the cache shares its Redis with the Celery broker, which must
    # never be evicted, so what the cache holds is kept small rather than bounded by an eviction policy.
    return zlib.compress(_CSRF_INPUT.sub(f'name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}"', html).encode(), 1)


def _serve(request, stored: bytes) -> SafeString:
    # Our own template's output, stored as rendered (autoescaped); only the member's token goes in.
    html = zlib.decompress(stored).decode()
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308


@dataclass(frozen=True)
class Value:
    """A computed value cached like a block (`cached_value`): `rows` as a section's."""
    key: str
    rows: tuple


_MISSING = object()


def _digests(request, client, parts: Iterable) -> dict[str, str]:
    """The fingerprints of `parts`, read once per request and client (one query for the parts not read yet)."""
    known = request.__dict__.setdefault("_block_digests", {}).setdefault(client.pk, {})
    missing = [part for part in parts if part.key not in known]
    if missing:
        known.update(fingerprints(agency_id=request.agency.pk, client_id=client.pk, sections=missing))
    return known


def cached_value(request, client, part: Value, compute):
    """`compute()`, cached until a row of `part` changes or what it computed stops being true by the clock."""
    digest = _digests(request, client, [part]).get(part.key)
    if digest is None:
        return compute()
    key = _key(request, part, client, digest)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        with watch() as horizon:
            value = compute()
        ttl = horizon.seconds_left(cap=TTL)
        if ttl > 0:
            cache.set(key, value, timeout=ttl)
    return value


def render_blocks(request, client, sections: list, compute, *, also: Iterable[Value] = ()) -> dict[str, SafeString]:
    """The HTML of each cacheable section in `sections`, from the cache or rendered with `compute(section)` (its
    `block` context) and stored; sections without rows, or every section off PostgreSQL, are left to the page.
    `also`: values the same request reads next (`cached_value`), fingerprinted in the same query."""
    digests = _digests(request, client, [*sections, *also])
    if not digests:
        return {}
    keys = {s.key: _key(request, s, client, digests[s.key]) for s in sections if s.key in digests}
    found = cache.get_many(list(keys.values()))
    html, fresh = {}, {}
    for section in sections:
        key = keys.get(section.key)
        if key is None:
            continue
        if key in found:
            html[section.key] = _serve(request, found[key])
            continue
        with watch() as horizon:
            rendered = render_to_string(section.template, {"block": compute(section), "client": client}, request)
        html[section.key] = mark_safe(rendered)  # noqa: S308 (a template's autoescaped output)
        ttl = horizon.seconds_left(cap=TTL)
        if ttl > 0:
            fresh.setdefault(ttl, {})[key] = _store(rendered)
    for ttl, values in fresh.items():
        cache.set_many(values, timeout=ttl)
    return html
