"""Project-wide views: liveness, the favicon."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static


def healthz(request):
    """Liveness for load balancers and compose: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request):
    """Browsers ask for /favicon.ico on pages that do not name an icon (the admin)."""
    # Resolved per request: in production only the hashed name exists.
    return redirect(static("favicon.svg"), permanent=False)
