from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import token_views, views

app_name = "api"

urlpatterns = [
    path("api/", token_views.docs, name="docs"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/plans/", views.PlanList.as_view(), name="plan-list"),
    path("api/v1/plans/<slug:slug>/", views.PlanDetail.as_view(), name="plan-detail"),
    path("api/v1/plans/<slug:slug>/items/", views.ItemList.as_view(), name="item-list"),
    path("api/v1/plans/<slug:slug>/links/", views.LinkList.as_view(), name="link-list"),
    path("api/v1/plans/<slug:slug>/editions/", views.EditionList.as_view(), name="edition-list"),
    path("api/v1/plans/<slug:slug>/scorecards/<str:period>/", views.ScorecardDetail.as_view(), name="scorecard-detail"),
    path("api/v1/periods/", views.PeriodList.as_view(), name="period-list"),
    path("api/v1/returns/", views.ReturnList.as_view(), name="return-list"),
    path("api/v1/scorecards/", views.ScorecardList.as_view(), name="scorecard-list"),
    path("account/api-tokens/", token_views.token_list, name="token-list"),
    path("account/api-tokens/<int:pk>/revoke/", token_views.token_revoke, name="token-revoke"),
]
