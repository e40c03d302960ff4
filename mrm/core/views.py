from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from mrm.tenancy.permissions import member_required

from .first_steps import steps_for


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


def error_404_view(request, exception=None):
    return render(request, "404.html", status=404)
