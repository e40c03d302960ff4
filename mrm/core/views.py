import mimetypes
import re

from django.core.exceptions import SuspiciousFileOperation
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from mrm.tenancy.permissions import member_required

from .first_steps import steps_for
from .storage import public_storage


@member_required("workspace.view")
def today_view(request):
    steps = steps_for(agency=request.agency, membership=request.membership)
    return render(request, "core/today.html", {
        "steps": steps, "steps_done": sum(1 for _s, done in steps if done),
        "sections": [section(request) for section in TODAY_SECTIONS],
    })


# Apps append callables (request) -> dict(template=..., **context) to show blocks on Today.
TODAY_SECTIONS: list = []


def home_view(request):
    return redirect("core:today" if request.user.is_authenticated else "accounts:login")


def _broker_ok() -> tuple[bool, str]:
    from mrm.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return False, exc.__class__.__name__


@never_cache
def healthz_view(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        db = (True, "ok")
    except Exception as exc:  # noqa: BLE001
        db = (False, exc.__class__.__name__)
    broker = _broker_ok()
    healthy = db[0] and broker[0]
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": db[1], "broker": broker[1]},
        status=200 if healthy else 503,
    )


def bad_request_view(request, exception=None):
    """Django's 400 (a request it refuses before any view: too many form fields, a broken multipart body, a
    disallowed host): JSON under /api/, like every other API error; the standard page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Bad request: the request could not be read."}, status=400)
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def error_404_view(request, exception=None):
    return render(request, "404.html", status=404)


# Public files are images; anything else a public storage might hold is downloaded, never rendered inline.
_INLINE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}
# The folders of public files (mrm.core.storage.public_file_name), plus where logos and case images were
# saved before the public/private split. Nothing else under MEDIA_ROOT is served, not even a stray file
# left there by an older version.
_PUBLIC_NAME = re.compile(r"^(?:logos|people|cases|agency-logos)/[^/]+$|^proposals/\d+/cases/[^/]+$")


@require_safe
def public_file_view(request, name):
    """A file of the public storage (logo, team photo, case image) at MEDIA_URL, with DEBUG on or off.

    Only the public storage is reachable here (private files live elsewhere and have no URL); names are
    random tokens (mrm.core.storage.public_file_name), and a path outside the storage is a 404."""
    storage = public_storage()
    try:
        if not _PUBLIC_NAME.match(name) or not storage.exists(name):
            raise Http404
        handle = storage.open(name, "rb")
    except (OSError, SuspiciousFileOperation, ValueError) as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = content_type in _INLINE_TYPES
    response = FileResponse(handle, content_type=content_type if inline else "application/octet-stream",
                            as_attachment=not inline, filename=name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
