from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from kraken import views

handler404 = views.not_found
admin.site.site_header = "Kraken core back office"
admin.site.site_title = "Kraken core"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("healthz/", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("", include("imports.api.urls")),
    path("", include("billing.api.urls")),
    path("", include("billing.api.rest_urls")),
    path("", include("metering.api.urls")),
    path("cds-au/v1/", include("cdr.urls")),
    path("", include("kraken.graphql.urls")),
]
