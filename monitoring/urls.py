from django.urls import path

from monitoring.views import (
    chase,
    documents,
    exports,
    inspections,
    periods,
    questions,
    returns,
    risks,
    scorecards,
    thread,
    workbooks,
)
from planning.views import exports as plan_exports

app_name = "monitoring"

R = "plans/<slug:slug>/items/<int:pk>/returns/<str:period>/"
INSPECTION = "inspections/<int:inspection_id>/"
RECOMMENDATION = INSPECTION + "recommendations/<int:recommendation_id>/"

urlpatterns = [
    # reporting periods (admins)
    path("monitoring/quarters/", periods.period_list, name="period-list"),
    path("monitoring/quarters/new-year/", periods.year_create, name="year-create"),
    path("monitoring/quarters/<str:period>/edit/", periods.period_edit, name="period-edit"),
    path("monitoring/quarters/<str:period>/lock/", periods.period_lock, name="period-lock"),
    # my returns
    path("monitoring/my-returns/", returns.my_returns, name="my-returns"),
    path("monitoring/my-returns/<str:period>/fill/", returns.fill_several, name="fill-several"),
    # one return
    path(R, returns.return_detail, name="return-detail"),
    path(R + "edit/", returns.return_edit, name="return-edit"),
    path(R + "review/", returns.return_review, name="return-review"),
    path(R + "evidence/", returns.return_evidence, name="return-evidence"),
    path("plans/<slug:slug>/items/<int:pk>/progress/", returns.item_progress, name="item-progress"),
    # what contributes to an item across every plan (issue 17)
    path("plans/<slug:slug>/items/<int:pk>/contributions/", thread.item_contributions, name="item-contributions"),
    # a cross-cutting theme's page: what is tagged with it, rolled up like a priority (issue 17)
    path("themes/<slug:slug>/", thread.theme_contributions, name="theme-detail"),
    # a plan's quarter: received, missing, returned; chase
    path("plans/<slug:slug>/monitoring/", chase.plan_monitoring, name="plan-monitoring"),
    path("plans/<slug:slug>/monitoring/<str:period>/", chase.plan_period, name="plan-period"),
    path("plans/<slug:slug>/monitoring/<str:period>/remind/", chase.reminders_send, name="reminders-send"),
    # risks
    path("plans/<slug:slug>/risks/", risks.risk_register, name="risk-register"),
    path("plans/<slug:slug>/risks/new/", risks.risk_create, name="risk-create"),
    path("plans/<slug:slug>/risks/<int:risk_id>/", risks.risk_detail, name="risk-detail"),
    path("plans/<slug:slug>/risks/<int:risk_id>/edit/", risks.risk_edit, name="risk-edit"),
    path("plans/<slug:slug>/risks/<int:risk_id>/review/", risks.risk_review, name="risk-review"),
    # scorecards: what members read
    path("start/", scorecards.start, name="start"),
    path("members/", scorecards.members_home, name="members-home"),
    path("plans/<slug:slug>/scorecards/<str:period>/", scorecards.scorecard, name="scorecard"),
    # members' questions (issue 17, decision 0022)
    path("plans/<slug:slug>/scorecards/<str:period>/ask/<int:pk>/", questions.question_ask, name="question-ask"),
    path("plans/<slug:slug>/questions/", questions.question_list, name="question-list"),
    path("plans/<slug:slug>/questions/<int:question_id>/", questions.question_detail, name="question-detail"),
    path(
        "plans/<slug:slug>/questions/<int:question_id>/withdraw/",
        questions.question_withdraw,
        name="question-withdraw",
    ),
    # inspections and their recommendations (issue 18, decision 0030)
    path("inspections/", inspections.inspection_list, name="inspection-list"),
    path("inspections/new/", inspections.inspection_create, name="inspection-create"),
    path(INSPECTION, inspections.inspection_detail, name="inspection-detail"),
    path(INSPECTION + "edit/", inspections.inspection_edit, name="inspection-edit"),
    path(INSPECTION + "judgements/", inspections.inspection_judgements, name="inspection-judgements"),
    path(
        INSPECTION + "judgements/<int:judgement_id>/remove/",
        inspections.judgement_remove,
        name="inspection-judgement-remove",
    ),
    path(INSPECTION + "recommendations/new/", inspections.recommendation_create, name="recommendation-create"),
    path(RECOMMENDATION, inspections.recommendation_detail, name="recommendation-detail"),
    path(RECOMMENDATION + "edit/", inspections.recommendation_edit, name="recommendation-edit"),
    path(RECOMMENDATION + "actions/", inspections.recommendation_actions, name="recommendation-actions"),
    path(
        RECOMMENDATION + "actions/<int:link_id>/remove/",
        inspections.recommendation_action_remove,
        name="recommendation-action-remove",
    ),
    path(RECOMMENDATION + "progress/<str:period>/", inspections.progress_record, name="recommendation-progress"),
    path(INSPECTION + "report/<str:period>/", inspections.inspection_report, name="inspection-report"),
    path(INSPECTION + "report/<str:period>/pdf/", inspections.inspection_report_pdf, name="inspection-report-pdf"),
    # PDFs: requested, produced in the background, then served from storage
    path("plans/<slug:slug>/pdf/", documents.plan_pdf, name="plan-pdf"),
    path("plans/<slug:slug>/scorecards/<str:period>/pdf/", documents.scorecard_pdf, name="scorecard-pdf"),
    path("documents/<int:document_id>/", documents.document_status, name="document-status"),
    path("documents/<int:document_id>/download/", documents.document_download, name="document-download"),
    # spreadsheets
    path("monitoring/workbook/", workbooks.workbook_download, name="workbook-download"),
    path("monitoring/workbook/upload/", workbooks.workbook_upload, name="workbook-upload"),
    path("monitoring/workbook/uploads/<int:upload_id>/", workbooks.workbook_preview, name="workbook-preview"),
    # the plan export lives with the plan; its URL keeps the name every page reverses (docs/decisions/0011)
    path("plans/<slug:slug>/export/<str:fmt>/", plan_exports.plan_export, name="plan-export"),
    path("plans/<slug:slug>/monitoring/<str:period>/export/<str:fmt>/", exports.returns_export, name="returns-export"),
]
