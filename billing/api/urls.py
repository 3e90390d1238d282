from django.urls import path

from billing.api import views

urlpatterns = [
    path(
        "v1/billing/accounts/<str:account_number>/bill-preview/",
        views.BillPreviewView.as_view(),
        name="billing-bill-preview",
    ),
]
