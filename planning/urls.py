from django.urls import path

from planning.views import authoring as views

app_name = "planning"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("plans/new/", views.plan_create, name="plan-create"),
    path("plans/<slug:slug>/", views.plan_detail, name="plan-detail"),
    path("plans/<slug:slug>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<slug:slug>/history/", views.plan_history, name="plan-history"),
    path("plans/<slug:slug>/items/<int:pk>/", views.item_detail, name="item-detail"),
    path("plans/<slug:slug>/items/<int:pk>/add/<str:kind>/", views.item_add, name="item-add"),
    path("plans/<slug:slug>/items/<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("plans/<slug:slug>/items/<int:pk>/move/", views.item_move, name="item-move"),
    path("plans/<slug:slug>/items/<int:pk>/delete/", views.item_delete, name="item-delete"),
    path("plans/<slug:slug>/items/<int:pk>/history/", views.item_history, name="item-history"),
]
