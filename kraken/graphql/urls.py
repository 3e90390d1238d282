from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from kraken.graphql import schema, view

urlpatterns = [
    # API clients send no CSRF token; they authenticate with the Authorization header, not cookies.
    path("v1/graphql/", csrf_exempt(view.KrakenGraphQLView.as_view(schema=schema.schema)), name="graphql"),
]
