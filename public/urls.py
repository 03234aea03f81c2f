from django.urls import path

from public import views

app_name = "public"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("plans/<slug:slug>/", views.plan_detail, name="plan-detail"),
]

# public consultation and "you said, we did" (pubconsult, decision 0020)
from public import consultation_views  # noqa: E402

urlpatterns += [
    path("consultations/", consultation_views.consultation_list, name="consultation-list"),
    path("consultations/confirm/<str:token>/", consultation_views.confirm, name="consultation-confirm"),
    path("plans/<slug:slug>/consultation/", consultation_views.consultation_detail, name="consultation-detail"),
    path("plans/<slug:slug>/consultation/respond/", consultation_views.respond, name="consultation-respond"),
    path("plans/<slug:slug>/you-said-we-did/", consultation_views.you_said_we_did, name="you-said-we-did"),
]
