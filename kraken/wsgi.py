import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from kraken import heap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kraken.settings")

application = get_wsgi_application()
# Every view and the GraphQL schema are loaded now, not by the first requests, so that they are
# frozen with the rest (kraken/heap.py says why).
get_resolver().url_patterns  # noqa: B018
heap.freeze_loaded_objects()
