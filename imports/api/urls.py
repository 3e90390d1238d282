from django.urls import path

from imports.api import views

V1 = "v1/data-import/"
V2 = "v2/data-import/"

urlpatterns = [
    path(f"{V1}validate-account/", views.ValidateAccountV1.as_view(), name="import-v1-validate"),
    path(
        f"{V1}account-import-process/create-or-update/",
        views.CreateOrUpdateV1.as_view(),
        name="import-v1-stage",
    ),
    path(f"{V1}account-import-process/process/", views.ProcessV1.as_view(), name="import-v1-process"),
    path(
        f"{V1}account-transfer-status/<str:import_supplier_code>/<str:external_account_number>/",
        views.TransferStatusV1.as_view(),
        name="import-v1-transfer-status",
    ),
    path(f"{V1}pending-account-import-processes/<str:import_supplier_code>/", views.PendingList.as_view()),
    path(f"{V1}imported-account-import-processes/<str:import_supplier_code>/", views.ImportedList.as_view()),
    path(f"{V1}all-account-import-processes/<str:import_supplier_code>/", views.AllList.as_view()),
    path(
        f"{V1}meterpoint-statuses-for-account/<str:import_supplier_code>/<str:external_account_number>/",
        views.MeterPointStatusesV1.as_view(),
        name="import-v1-meter-point-statuses",
    ),
    path(
        f"{V1}send-registration-flows/<str:import_supplier_code>/<str:external_account_number>/",
        views.SendRegistrationFlowsV1.as_view(),
        name="import-v1-send-registration-flows",
    ),
    path(
        f"{V1}historical-statements/create/",
        views.HistoricalStatementsV1.as_view(),
        name="import-v1-historical-statements",
    ),
    path(f"{V1}notes/create/", views.NotesV1.as_view(), name="import-v1-notes"),
    path(f"{V1}transactions/create/", views.TransactionsV1.as_view(), name="import-v1-transactions"),
    path(
        f"{V1}payment-instruction/create/",
        views.PaymentInstructionV1.as_view(),
        name="import-v1-payment-instruction",
    ),
    path(f"{V2}accounts/validate/", views.ValidateV2.as_view(), name="import-v2-validate"),
    path(f"{V2}accounts/", views.ScheduleV2.as_view(), name="import-v2-schedule"),
    path(
        f"{V2}accounts/<str:import_supplier_code>/<str:external_identifier>/",
        views.StatusV2.as_view(),
        name="import-v2-status",
    ),
]
