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
