from django.urls import path

from public import results_views, views

app_name = "public"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    # the plan pages (helper pubpages)
    path("plans/<slug:slug>/", views.plan_detail, name="plan-detail"),
    path("plans/<slug:slug>/summary/", views.plan_summary, name="plan-summary"),
    path("plans/<slug:slug>/items/<int:pk>/", views.item_detail, name="item-detail"),
    path("plans/<slug:slug>/editions/", views.plan_editions, name="plan-editions"),
    path("plans/<slug:slug>/editions/<int:pk>/", views.edition_detail, name="edition-detail"),
    path("plans/<slug:slug>/download.<str:fmt>", views.plan_download, name="plan-download"),
    path("items/<int:pk>/", views.item_permalink, name="item-permalink"),
]

# a published plan's results (pubresults): scorecards of locked quarters, PDFs, open data
urlpatterns += [
    path("plans/<slug:slug>/scorecards/", results_views.scorecard_list, name="scorecard-list"),
    path("plans/<slug:slug>/scorecards/<str:period>/", results_views.scorecard, name="scorecard"),
    path("plans/<slug:slug>/scorecards/<str:period>/pdf/", results_views.scorecard_pdf, name="scorecard-pdf"),
    path("plans/<slug:slug>/editions/<int:edition_id>/pdf/", results_views.edition_pdf, name="edition-pdf"),
    path("plans/<slug:slug>/results.<str:fmt>", results_views.results_download, name="results-download"),
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
