from django.urls import path

from public import results_views, views

app_name = "public"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("plans/<slug:slug>/", views.plan_detail, name="plan-detail"),
]

# a published plan's results (pubresults): scorecards of locked quarters, PDFs, open data
urlpatterns += [
    path("plans/<slug:slug>/scorecards/", results_views.scorecard_list, name="scorecard-list"),
    path("plans/<slug:slug>/scorecards/<str:period>/", results_views.scorecard, name="scorecard"),
    path("plans/<slug:slug>/scorecards/<str:period>/pdf/", results_views.scorecard_pdf, name="scorecard-pdf"),
    path("plans/<slug:slug>/editions/<int:edition_id>/pdf/", results_views.edition_pdf, name="edition-pdf"),
    path("plans/<slug:slug>/results.<str:fmt>", results_views.results_download, name="results-download"),
]
