from django.urls import path

from planning.views import (
    alignment,
    co_writing,
    comments,
    home,
    imports,
    lifecycle,
    links,
    overview,
    search,
    timetravel,
)
from planning.views import authoring as views
from planning.views import suggestions as suggesting

app_name = "planning"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("search/", search.search, name="search"),
    path("imports/", imports.import_upload, name="import-upload"),
    path("imports/<int:import_id>/", imports.import_preview, name="import-preview"),
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
    path("plans/<slug:slug>/items/<int:pk>/links/add/", links.link_add, name="link-add"),
    path("plans/<slug:slug>/items/<int:pk>/links/<int:link_id>/delete/", links.link_delete, name="link-delete"),
    path("plans/<slug:slug>/editions/", timetravel.plan_editions, name="plan-editions"),
    path("plans/<slug:slug>/as-of/", timetravel.plan_as_of, name="plan-as-of"),
    path("plans/<slug:slug>/compare/", timetravel.plan_compare, name="plan-compare"),
    path("plans/<slug:slug>/summary/", overview.plan_summary, name="plan-summary"),
    path("map/", overview.plan_map, name="plan-map"),
    path("i/<int:pk>/", links.item_permalink, name="item-permalink"),
    path("p/<int:pk>/", links.plan_permalink, name="plan-permalink"),
    path("plans/<slug:slug>/alignment/", alignment.plan_alignment, name="plan-alignment"),
    path("alignment/", alignment.council_alignment, name="council-alignment"),
    path("plans/<slug:slug>/comments/", comments.plan_comments, name="plan-comments"),
    path("plans/<slug:slug>/items/<int:pk>/comments/new/", comments.item_comment, name="item-comment"),
    path("plans/<slug:slug>/comments/<int:comment_id>/respond/", comments.comment_respond, name="comment-respond"),
    path("plans/<slug:slug>/consultation/summary/", comments.consultation_summary, name="consultation-summary"),
    path("plans/<slug:slug>/items/<int:pk>/suggest/", suggesting.item_suggest, name="item-suggest"),
    path("plans/<slug:slug>/items/<int:pk>/suggest/new/", suggesting.item_suggest_new, name="item-suggest-new"),
    path(
        "plans/<slug:slug>/suggestions/<int:suggestion_id>/accept/",
        suggesting.suggestion_accept,
        name="suggestion-accept",
    ),
    path(
        "plans/<slug:slug>/suggestions/<int:suggestion_id>/decline/",
        suggesting.suggestion_decline,
        name="suggestion-decline",
    ),
    path("plans/<slug:slug>/status/", lifecycle.plan_status, name="plan-status"),
    path("plans/<slug:slug>/status/approve/", lifecycle.plan_approve, name="plan-approve"),
    path("plans/<slug:slug>/status/set/", lifecycle.plan_status_set, name="plan-status-set"),
    path("plans/<slug:slug>/status/revise/", lifecycle.plan_revise, name="plan-revise"),
    path("plans/<slug:slug>/status/publish/", lifecycle.plan_publish, name="plan-publish"),
    path("plans/<slug:slug>/status/withdraw/", lifecycle.plan_withdraw, name="plan-withdraw"),
    path("plans/<slug:slug>/consultation/new/", lifecycle.consultation_open, name="consultation-open"),
    path("partners/home/", home.partner_home, name="partner-home"),
    path("plans/<slug:slug>/drafting/", co_writing.plan_drafting, name="plan-drafting"),
    path("plans/<slug:slug>/drafting/groups/new/", co_writing.drafting_group_create, name="drafting-group-create"),
    path("plans/<slug:slug>/drafting/groups/<int:group_id>/", co_writing.drafting_group, name="drafting-group"),
    path(
        "plans/<slug:slug>/drafting/groups/<int:group_id>/delete/",
        co_writing.drafting_group_delete,
        name="drafting-group-delete",
    ),
    path(
        "plans/<slug:slug>/drafting/groups/<int:group_id>/members/<int:membership_id>/remove/",
        co_writing.drafting_member_remove,
        name="drafting-member-remove",
    ),
    path("plans/<slug:slug>/drafting/invite/", co_writing.partner_invite, name="partner-invite"),
    path("plans/<slug:slug>/sign-off/", co_writing.sign_off, name="sign-off"),
    path(
        "plans/<slug:slug>/sign-off/<int:sign_off_id>/withdraw/", co_writing.sign_off_withdraw, name="sign-off-withdraw"
    ),
]
