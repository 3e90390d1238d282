from django.db import connection
from django.http import JsonResponse
from django.views import defaults

# The APIs under /v1/ (REST v1, data import) answer in JSON, an unmatched path included.
API_PREFIX = "/v1/"


def health(request):
    """Liveness and database reachability, for load balancers and `make run`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request, exception):
    """404 for a path no URL matches (a hostile segment such as `%00` included): under /v1/ in the
    APIs' documented shape `{"detail": "Not found."}`, elsewhere Django's page."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
