"""The permission matrix: every persona × every URL of the project × GET and POST × the
plan's state, with the expected outcomes in one table (``OUTCOMES``).

Each URL names the permission it needs (``URLS``); each persona's outcome for that
permission in each plan state is read from ``OUTCOMES``. A URL without a row fails
``test_every_url_of_the_project_has_a_row``.

Outcomes: ``ok`` (the view ran: 200, 400, 409, or a redirect that is not to sign-in),
``login`` (redirected to sign in), 403, 404, 405.
"""

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api import services as api_services
from config.history import change_context
from monitoring import inspections, risks
from monitoring import questions as member_questions
from monitoring import services as monitoring
from monitoring.models import Document, Inspection, MemberQuestion, Recommendation, WorkbookUpload
from partners.models import (
    Invitation,
    Organisation,
    OrganisationDomain,
    Partnership,
    PartnershipLead,
    PartnershipMember,
    User,
    token_hash,
)
from planning import co_writing, definitions, evidence, lifecycle, services
from planning.models import Consultation, Indicator, Plan, PlanImport, Theme
from planning.suggestions import suggestion_add
from public.models import PublicAddress, PublicResponse
from tests.factories import OrganisationFactory, UserFactory, add_item, make_plan, vision_of

PERSONAS = [
    "anonymous",
    "owner",  # alice, the plan owner
    "owning_officer",  # bob, an officer of the owning service
    "other_officer",  # carol, an officer of another service
    "invited_officer",  # ian, an officer of another service invited to the consultation (issue 15)
    "invited_partner",  # pat, at the college invited to the consultation
    "uninvited_partner",  # a police partner the plan is never shared with
    "invited_member",  # mel, invited to pre-scrutiny
    "other_member",  # a councillor not invited
    "admin",  # ada
    "plan_lead",  # hal, the health board's plan lead: the plan is the partnership's (issue 15)
    "drafter",  # dee, at a charity, in the drafting group that writes the plan's priority
    "former_drafter",  # fay, at the charity, removed from that group
]
STATES = ["draft", "consultation", "approved"]

# permission -> persona -> outcome in each of STATES (draft, consultation, approved)
OUTCOMES = {
    "read": {
        "anonymous": ("login", "login", "login"),
        "owner": ("ok", "ok", "ok"),
        "owning_officer": ("ok", "ok", "ok"),
        "other_officer": ("ok", "ok", "ok"),
        "invited_officer": ("ok", "ok", "ok"),
        "invited_partner": (404, "ok", "ok"),
        "uninvited_partner": (404, 404, 404),
        "invited_member": (404, "ok", "ok"),
        "other_member": (404, 404, "ok"),
        "admin": ("ok", "ok", "ok"),
        "plan_lead": ("ok", "ok", "ok"),
        "drafter": ("ok", "ok", "ok"),
        "former_drafter": (404, 404, 404),
    },
    "change": {
        "anonymous": ("login", "login", "login"),
        "owner": ("ok", "ok", "ok"),
        "owning_officer": ("ok", "ok", "ok"),
        "other_officer": (403, 403, 403),
        "invited_officer": (403, 403, 403),
        "invited_partner": (404, 403, 403),
        "uninvited_partner": (404, 404, 404),
        "invited_member": (404, 403, 403),
        "other_member": (404, 404, 403),
        "admin": ("ok", "ok", "ok"),
        "plan_lead": ("ok", "ok", "ok"),
        "drafter": (403, 403, 403),
        "former_drafter": (404, 404, 404),
    },
    "comment": {
        "anonymous": ("login", "login", "login"),
        "owner": ("ok", "ok", "ok"),
        "owning_officer": ("ok", "ok", "ok"),
        "other_officer": (403, 403, 403),
        "invited_officer": (403, "ok", "ok"),  # invited with the consultation; after it, the page says it closed
        "invited_partner": (404, "ok", "ok"),
        "uninvited_partner": (404, 404, 404),
        "invited_member": (404, "ok", "ok"),
        "other_member": (404, 404, 403),
        "admin": ("ok", "ok", "ok"),
        "plan_lead": ("ok", "ok", "ok"),
        "drafter": (403, 403, 403),
        "former_drafter": (404, 404, 404),
    },
    "approve": {
        "anonymous": ("login", "login", "login"),
        "owner": ("ok", "ok", "ok"),
        "owning_officer": (403, 403, 403),
        "other_officer": (403, 403, 403),
        "invited_officer": (403, 403, 403),
        "invited_partner": (404, 403, 403),
        "uninvited_partner": (404, 404, 404),
        "invited_member": (404, 403, 403),
        "other_member": (404, 404, 403),
        "admin": ("ok", "ok", "ok"),
        "plan_lead": (403, 403, 403),
        "drafter": (403, 403, 403),
        "former_drafter": (404, 404, 404),
    },
    "signed_in": {persona: ("login",) * 3 if persona == "anonymous" else ("ok",) * 3 for persona in PERSONAS},
    "admin_only": {
        persona: ("login",) * 3 if persona == "anonymous" else (("ok",) * 3 if persona == "admin" else (403,) * 3)
        for persona in PERSONAS
    },
    "wrong_method": {persona: ("login",) * 3 if persona == "anonymous" else (405,) * 3 for persona in PERSONAS},
}
# writing an item's content: whoever may change the plan, and a drafting group's member in
# their part while the plan is a draft (the drafter's part is the priority and all under it)
OUTCOMES["draft"] = OUTCOMES["change"] | {"drafter": ("ok", 403, 403)}
# setting up drafting groups: the owner and admins (anyone else who reads the plan: 403)
OUTCOMES["manage_drafting"] = OUTCOMES["approve"]
# signing off: the plan leads of the owning partnership (alice for the service, hal for health)
OUTCOMES["sign_off"] = OUTCOMES["approve"] | {"plan_lead": ("ok",) * 3, "admin": (403,) * 3}
# publishing to the public and withdrawing: the owner and admins, as approval (issue 16)
OUTCOMES["publish"] = OUTCOMES["approve"]
# withdrawing the health board's sign-off: its plan lead only (alice leads for another organisation)
OUTCOMES["withdraw_health"] = OUTCOMES["sign_off"] | {"owner": (403,) * 3}

# url name -> (args from the world, permission for GET, permission for POST)
URLS = {
    "login": (lambda w: [], None, None),
    "health": (lambda w: [], "public", "public_wrong_method"),
    # choosing Welsh or English (decision 0029): anyone, by link or form; a signed-in person's
    # form keeps it on their record (tests/test_language.py has both ways)
    "partners:switch-language": (lambda w: [], "public", "public"),
    # the public pages (issue 16): anyone, read only
    "public:plan-list": (lambda w: [], "public", "public_wrong_method"),
    "public:plan-detail": (lambda w: [w.plan.slug], "public_plan", "public_wrong_method"),
    "public:plan-summary": (lambda w: [w.plan.slug], "public_plan", "public_wrong_method"),
    "public:item-detail": (lambda w: [w.plan.slug, w.action.pk], "public_plan", "public_wrong_method"),
    "public:item-permalink": (lambda w: [w.action.pk], "public_plan", "public_wrong_method"),
    "public:plan-editions": (lambda w: [w.plan.slug], "public_plan", "public_wrong_method"),
    "public:edition-detail": (lambda w: [w.plan.slug, w.edition_pk], "public_plan", "public_wrong_method"),
    "public:plan-download": (lambda w: [w.plan.slug, "csv"], "public_plan", "public_wrong_method"),
    "robots-txt": (lambda w: [], "public", "public_wrong_method"),
    "sitemap": (lambda w: [], "public", "public_wrong_method"),
    # its results: the scorecard of a locked quarter (World locks Q2 once the plan is approved),
    # the PDFs of its editions and of that quarter, its accepted returns as open data
    "public:scorecard-list": (lambda w: [w.plan.slug], "public_plan", "public_wrong_method"),
    "public:scorecard": (lambda w: [w.plan.slug, w.periods[1].slug], "public_plan", "public_wrong_method"),
    "public:scorecard-pdf": (lambda w: [w.plan.slug, w.periods[1].slug], "public_plan", "public_wrong_method"),
    "public:edition-pdf": (lambda w: [w.plan.slug, w.edition_id], "public_plan", "public_wrong_method"),
    "public:results-download": (lambda w: [w.plan.slug, "json"], "public_plan", "public_wrong_method"),
    # public consultation and "you said, we did" (issue 16, decision 0020); World's
    # consultation is open to the public
    "public:consultation-list": (lambda w: [], "public", "public_wrong_method"),
    "public:consultation-detail": (lambda w: [w.plan.slug], "public_consultation", "public_wrong_method"),
    "public:consultation-respond": (lambda w: [w.plan.slug], "public_consultation", "public_consultation"),
    "public:consultation-confirm": (lambda w: [w.confirmation_token], "public", "public"),
    "public:you-said-we-did": (lambda w: [w.plan.slug], "public_plan", "public_wrong_method"),
    "moderation:public-responses": (lambda w: [w.plan.slug], "change", "wrong_method"),
    "moderation:public-response-moderate": (lambda w: [w.plan.slug, w.public_response.pk], "wrong_method", "change"),
    "logout": (lambda w: [], None, None),
    # the read API (issue 16): a browser's session is not accepted, so a signed-in person reads
    # it as the public does (tokens: every endpoint × persona in tests/api/test_api_matrix.py)
    "api:docs": (lambda w: [], "public", "public_wrong_method"),
    "api:schema": (lambda w: [], "public", "public_wrong_method"),
    "api:plan-list": (lambda w: [], "public", "public_wrong_method"),
    "api:plan-detail": (lambda w: [w.plan.slug], "public_plan", "public_wrong_method"),
    "api:item-list": (lambda w: [w.plan.slug], "public_plan", "public_wrong_method"),
    "api:link-list": (lambda w: [w.plan.slug], "public_plan", "public_wrong_method"),
    "api:edition-list": (lambda w: [w.plan.slug], "public_plan", "public_wrong_method"),
    "api:period-list": (lambda w: [], "public", "public_wrong_method"),
    "api:return-list": (lambda w: [], "public", "public_wrong_method"),
    "api:scorecard-list": (lambda w: [], "public", "public_wrong_method"),
    # an unlocked quarter's scorecard is not public
    "api:scorecard-detail": (lambda w: [w.plan.slug, w.periods[0].slug], "nobody", "public_wrong_method"),
    # one's own API tokens: the owner has one, which only they may revoke
    "api:token-list": (lambda w: [], "signed_in", "signed_in"),
    "api:token-revoke": (lambda w: [w.api_token.pk], "wrong_method", "own_token"),
    # joining and passwords: an invitation's link is its own key; the reset pages are for
    # anyone (they say the same whoever asks); changing a password needs signing in
    "invitation-accept": (lambda w: [w.invitation_token], "public", "public"),
    "invitation-resend": (lambda w: [w.invitation_token], "public_wrong_method", "public"),
    "sign-on-start": (lambda w: [], "public", "public_wrong_method"),
    "sign-on-callback": (lambda w: [], "public", "public_wrong_method"),
    "password_reset": (lambda w: [], "public", "public"),
    "password_reset_done": (lambda w: [], "public", "public_wrong_method"),
    "password_reset_confirm": (lambda w: ["MQ", "set-password"], "public", "public"),
    "password_reset_complete": (lambda w: [], "public", "public_wrong_method"),
    "password_change": (lambda w: [], "signed_in", "signed_in"),
    "password_change_done": (lambda w: [], "signed_in", "wrong_method"),
    "planning:plan-list": (lambda w: [], "signed_in", "wrong_method"),
    "planning:plan-create": (lambda w: [], "signed_in_staff", "signed_in_staff"),
    "planning:plan-map": (lambda w: [], "signed_in", "wrong_method"),
    "planning:search": (lambda w: [], "signed_in", "wrong_method"),
    # importing plans in the browser (issue 16): admins only, each their own import (another
    # admin's is 404: tests/planning/test_browser_import.py)
    "planning:import-upload": (lambda w: [], "admin_only", "admin_only"),
    "planning:import-preview": (lambda w: [w.plan_import.pk], "admin_only", "admin_only"),
    "planning:council-alignment": (lambda w: [], "signed_in", "wrong_method"),
    "planning:council-duplicates": (lambda w: [], "signed_in", "wrong_method"),
    "planning:plan-detail": (lambda w: [w.plan.slug], "read", "wrong_method"),
    # shared definitions (issue 17, decision 0025): themes are read by anyone signed in and
    # defined by admins; an item is tagged by whoever may change its plan; indicators are read
    # by anyone signed in and defined by council staff (partners and members: 403)
    "planning:theme-list": (lambda w: [], "signed_in", "wrong_method"),
    "planning:theme-create": (lambda w: [], "admin_only", "admin_only"),
    "planning:theme-edit": (lambda w: [w.theme.slug], "admin_only", "admin_only"),
    "monitoring:theme-detail": (lambda w: [w.theme.slug], "signed_in", "wrong_method"),
    "planning:item-themes": (lambda w: [w.plan.slug, w.action.pk], "change", "change"),
    "planning:indicator-list": (lambda w: [], "signed_in", "wrong_method"),
    "planning:indicator-create": (lambda w: [], "signed_in_staff", "signed_in_staff"),
    "planning:indicator-edit": (lambda w: [w.indicator.code], "signed_in_staff", "signed_in_staff"),
    # self-evaluation and equality impact (issue 18, decision 0032): recorded by whoever may
    # change the plan, read by its readers
    "planning:item-self-evaluation": (lambda w: [w.plan.slug, w.priority.pk], "change", "change"),
    "planning:plan-equality": (lambda w: [w.plan.slug], "read", "wrong_method"),
    "planning:plan-equality-edit": (lambda w: [w.plan.slug], "change", "change"),
    "planning:plan-summary": (lambda w: [w.plan.slug], "read", "wrong_method"),
    "planning:plan-history": (lambda w: [w.plan.slug], "read", "wrong_method"),
    "planning:plan-alignment": (lambda w: [w.plan.slug], "read", "wrong_method"),
    "planning:plan-duplicates": (lambda w: [w.plan.slug], "read", "wrong_method"),
    "planning:plan-as-of": (lambda w: [w.plan.slug], "read", "wrong_method"),
    "planning:plan-compare": (lambda w: [w.plan.slug], "read", "wrong_method"),
    "planning:plan-editions": (lambda w: [w.plan.slug], "read", "change"),
    "planning:plan-edit": (lambda w: [w.plan.slug], "change", "change"),
    "planning:item-detail": (lambda w: [w.plan.slug, w.action.pk], "read", "wrong_method"),
    "planning:item-history": (lambda w: [w.plan.slug, w.action.pk], "read", "wrong_method"),
    "planning:item-add": (lambda w: [w.plan.slug, w.priority.pk, "action"], "draft", "draft"),
    "planning:item-edit": (lambda w: [w.plan.slug, w.action.pk], "draft", "draft"),
    "planning:item-move": (lambda w: [w.plan.slug, w.action.pk], "draft", "draft"),
    "planning:item-delete": (lambda w: [w.plan.slug, w.action.pk], "draft", "draft"),
    "planning:link-add": (lambda w: [w.plan.slug, w.action.pk], "change", "change"),
    "planning:link-delete": (lambda w: [w.plan.slug, w.action.pk, w.link.pk], "wrong_method", "change"),
    # an action's budget profile (decision 0023): under the plan's edit permission
    "planning:budget-line-add": (lambda w: [w.plan.slug, w.action.pk], "change", "change"),
    "planning:budget-line-delete": (lambda w: [w.plan.slug, w.action.pk, w.budget_line.pk], "change", "change"),
    # evidence in the plan (issue 18, decision 0031): the needs assessment is read by the plan's
    # readers and written by whoever may change the plan; a merger is recorded by the owner
    "planning:needs-assessment": (lambda w: [w.plan.slug], "read", "wrong_method"),
    "planning:evidence-source-add": (lambda w: [w.plan.slug], "change", "change"),
    "planning:finding-add": (lambda w: [w.plan.slug], "change", "change"),
    "planning:finding-edit": (lambda w: [w.plan.slug, w.finding.number], "change", "change"),
    "planning:priority-findings": (lambda w: [w.plan.slug, w.priority.pk], "change", "change"),
    "planning:item-merge": (lambda w: [w.plan.slug, w.action.pk], "approve", "approve"),
    "planning:plan-merge": (lambda w: [w.plan.slug], "approve", "approve"),
    "planning:item-permalink": (lambda w: [w.action.pk], "read", "wrong_method"),
    "planning:plan-status": (lambda w: [w.plan.slug], "read", "wrong_method"),
    "planning:plan-approve": (lambda w: [w.plan.slug], "wrong_method", "approve"),
    "planning:plan-status-set": (lambda w: [w.plan.slug], "wrong_method", "change"),
    "planning:plan-revise": (lambda w: [w.plan.slug], "wrong_method", "approve"),
    "planning:plan-publish": (lambda w: [w.plan.slug], "wrong_method", "publish"),
    "planning:plan-withdraw": (lambda w: [w.plan.slug], "wrong_method", "publish"),
    "planning:consultation-open": (lambda w: [w.plan.slug], "approve", "approve"),
    "planning:partner-home": (lambda w: [], "signed_in", "wrong_method"),
    "partners:organisation-list": (lambda w: [], "admin_only", "wrong_method"),
    "partners:organisation-create": (lambda w: [], "admin_only", "admin_only"),
    "partners:organisation-edit": (lambda w: [w.plan.organisation_id], "admin_only", "admin_only"),
    "partners:organisation-domains": (lambda w: [w.college.pk], "admin_only", "admin_only"),
    "partners:organisation-domain-remove": (lambda w: [w.college.pk, w.domain.pk], "wrong_method", "admin_only"),
    "partners:person-list": (lambda w: [], "admin_only", "wrong_method"),
    "partners:person-create": (lambda w: [], "admin_only", "admin_only"),
    "partners:person-edit": (lambda w: [w.people["owning_officer"].pk], "admin_only", "admin_only"),
    "partners:partnership-list": (lambda w: [], "admin_only", "wrong_method"),
    "partners:partnership-create": (lambda w: [], "admin_only", "admin_only"),
    "partners:partnership-edit": (lambda w: [w.plan.partnership_id], "admin_only", "admin_only"),
    "partners:notification-list": (lambda w: [], "signed_in", "wrong_method"),
    "partners:notification-read-all": (lambda w: [], "wrong_method", "signed_in"),
    "planning:plan-comments": (lambda w: [w.plan.slug], "read", "comment"),
    "planning:item-comment": (lambda w: [w.plan.slug, w.action.pk], "comment", "comment"),
    "planning:consultation-summary": (lambda w: [w.plan.slug], "read", "wrong_method"),
    "planning:comment-respond": (lambda w: [w.plan.slug, w.comment.pk], "change", "change"),
    # suggested changes (issue 15): suggested by those who may comment, decided by those who
    # may change the item and by the drafting group of its part while the plan is a draft (an
    # approved plan's page says it can no longer be accepted)
    "planning:item-suggest": (lambda w: [w.plan.slug, w.action.pk], "comment", "comment"),
    "planning:item-suggest-new": (lambda w: [w.plan.slug, w.action.pk], "comment", "comment"),
    "planning:suggestion-accept": (lambda w: [w.plan.slug, w.suggestion.pk], "draft", "draft"),
    "planning:suggestion-decline": (lambda w: [w.plan.slug, w.suggestion.pk], "draft", "draft"),
    "planning:plan-permalink": (lambda w: [w.plan.pk], "read", "wrong_method"),
    # writing together (issue 15); the spare group's member is removed, then the group ended
    "planning:plan-drafting": (lambda w: [w.plan.slug], "read", "wrong_method"),
    "planning:drafting-group-create": (lambda w: [w.plan.slug], "wrong_method", "manage_drafting"),
    "planning:drafting-group": (lambda w: [w.plan.slug, w.group.pk], "read", "manage_drafting"),
    "planning:drafting-member-remove": (
        lambda w: [w.plan.slug, w.spare_group.pk, w.spare_membership.pk],
        "wrong_method",
        "manage_drafting",
    ),
    "planning:drafting-group-delete": (lambda w: [w.plan.slug, w.spare_group.pk], "wrong_method", "manage_drafting"),
    "planning:partner-invite": (lambda w: [w.plan.slug], "manage_drafting", "manage_drafting"),
    "planning:sign-off": (lambda w: [w.plan.slug], "wrong_method", "sign_off"),
    "planning:sign-off-withdraw": (lambda w: [w.plan.slug, w.health_sign_off.pk], "wrong_method", "withdraw_health"),
    # monitoring: returns exist only on approved plans (404 before approval)
    "monitoring:period-list": (lambda w: [], "signed_in", "wrong_method"),
    "monitoring:year-create": (lambda w: [], "admin_only", "admin_only"),
    "monitoring:period-edit": (lambda w: [w.periods[3].slug], "admin_only", "admin_only"),
    "monitoring:period-lock": (lambda w: [w.periods[3].slug], "wrong_method", "admin_only"),
    "monitoring:my-returns": (lambda w: [], "signed_in", "wrong_method"),
    "monitoring:fill-several": (lambda w: [w.periods[0].slug], "signed_in", "signed_in"),
    "monitoring:return-detail": (
        lambda w: [w.plan.slug, w.action.pk, w.periods[0].slug],
        "monitor_read",
        "wrong_method",
    ),
    "monitoring:return-edit": (lambda w: [w.plan.slug, w.target.pk, w.periods[0].slug], "fill", "fill"),
    "monitoring:return-review": (lambda w: [w.plan.slug, w.action.pk, w.periods[0].slug], "wrong_method", "review"),
    "monitoring:return-evidence": (
        lambda w: [w.plan.slug, w.action.pk, w.periods[0].slug],
        "monitor_read",
        "wrong_method",
    ),
    "monitoring:item-progress": (lambda w: [w.plan.slug, w.target.pk], "monitor_read", "wrong_method"),
    # what contributes to an item (issue 17): any item of a plan the reader may read
    "monitoring:item-contributions": (lambda w: [w.plan.slug, w.action.pk], "read", "wrong_method"),
    "monitoring:plan-monitoring": (lambda w: [w.plan.slug], "monitor_read", "wrong_method"),
    "monitoring:plan-period": (lambda w: [w.plan.slug, w.periods[0].slug], "monitor_read", "wrong_method"),
    "monitoring:reminders-send": (lambda w: [w.plan.slug, w.periods[0].slug], "wrong_method", "chase"),
    # scorecards: members' reading
    "monitoring:start": (lambda w: [], "signed_in", "wrong_method"),
    "monitoring:members-home": (lambda w: [], "signed_in", "wrong_method"),
    "monitoring:scorecard": (lambda w: [w.plan.slug, w.periods[0].slug], "monitor_read", "wrong_method"),
    # members' questions (issue 17, decision 0022): members ask about an item on a scorecard;
    # its lead (bob leads the action) and the plan's approvers answer; only the asker (mel)
    # withdraws (last, so the question is open for the rows before); readers of the plan read
    "monitoring:question-ask": (lambda w: [w.plan.slug, w.periods[0].slug, w.action.pk], "ask", "ask"),
    "monitoring:question-list": (lambda w: [w.plan.slug], "monitor_read", "wrong_method"),
    "monitoring:question-detail": (lambda w: [w.plan.slug, w.question.pk], "monitor_read", "answer"),
    "monitoring:question-withdraw": (lambda w: [w.plan.slug, w.question.pk], "wrong_method", "withdraw"),
    # PDFs: follow reading the plan (plan documents) or its monitoring (scorecard packs)
    "monitoring:plan-pdf": (lambda w: [w.plan.slug], "read", "wrong_method"),
    "monitoring:scorecard-pdf": (lambda w: [w.plan.slug, w.periods[0].slug], "monitor_read", "wrong_method"),
    "monitoring:document-status": (lambda w: [w.plan_document.pk], "read", "wrong_method"),
    "monitoring:document-download": (lambda w: [w.plan_document.pk], "read", "wrong_method"),
    # spreadsheets: reporters (not members) work on their own uploads; exports follow reading
    "monitoring:workbook-download": (lambda w: [], "reporter", "wrong_method"),
    "monitoring:workbook-upload": (lambda w: [], "reporter", "reporter"),
    "monitoring:workbook-preview": (lambda w: [w.upload.pk], "uploader", "uploader"),
    "monitoring:plan-export": (lambda w: [w.plan.slug, "csv"], "read", "wrong_method"),
    "monitoring:returns-export": (lambda w: [w.plan.slug, w.periods[0].slug, "xlsx"], "monitor_read", "wrong_method"),
    # risks: read with the plan, written by those who may change it, in any state
    "monitoring:risk-register": (lambda w: [w.plan.slug], "read", "wrong_method"),
    "monitoring:risk-create": (lambda w: [w.plan.slug], "change", "change"),
    "monitoring:risk-detail": (lambda w: [w.plan.slug, w.risk.pk], "read", "wrong_method"),
    "monitoring:risk-edit": (lambda w: [w.plan.slug, w.risk.pk], "change", "change"),
    "monitoring:risk-review": (lambda w: [w.plan.slug, w.risk.pk], "change", "change"),
    # inspections (issue 18, decision 0030), whatever the plan's state: read by council staff and
    # members (a partner only where they lead a recommendation), recorded by council staff,
    # changed by their owner (alice) and admins; a recommendation's lead (bob), the owner and
    # admins link actions and record progress
    "monitoring:inspection-list": (lambda w: [], "signed_in", "wrong_method"),
    "monitoring:inspection-create": (lambda w: [], "signed_in_staff", "signed_in_staff"),
    "monitoring:inspection-detail": (lambda w: [w.inspection.pk], "inspection_read", "wrong_method"),
    "monitoring:inspection-edit": (lambda w: [w.inspection.pk], "inspection_change", "inspection_change"),
    "monitoring:inspection-judgements": (lambda w: [w.inspection.pk], "inspection_change", "inspection_change"),
    "monitoring:inspection-judgement-remove": (
        lambda w: [w.inspection.pk, w.key_judgement.pk],
        "wrong_method",
        "inspection_change",
    ),
    "monitoring:recommendation-create": (lambda w: [w.inspection.pk], "inspection_change", "inspection_change"),
    "monitoring:recommendation-detail": (
        lambda w: [w.inspection.pk, w.recommendation.pk],
        "inspection_read",
        "wrong_method",
    ),
    "monitoring:recommendation-edit": (
        lambda w: [w.inspection.pk, w.recommendation.pk],
        "inspection_change",
        "inspection_change",
    ),
    "monitoring:recommendation-actions": (
        lambda w: [w.inspection.pk, w.recommendation.pk],
        "inspection_progress",
        "inspection_progress",
    ),
    "monitoring:recommendation-action-remove": (
        lambda w: [w.inspection.pk, w.recommendation.pk, w.recommendation_link.pk],
        "wrong_method",
        "inspection_progress",
    ),
    "monitoring:recommendation-progress": (
        lambda w: [w.inspection.pk, w.recommendation.pk, w.periods[0].slug],
        "inspection_progress",
        "inspection_progress",
    ),
    "monitoring:inspection-report": (lambda w: [w.inspection.pk, w.periods[0].slug], "inspection_read", "wrong_method"),
    "monitoring:inspection-report-pdf": (
        lambda w: [w.inspection.pk, w.periods[0].slug],
        "inspection_read",
        "wrong_method",
    ),
}
# plan creation: officers and admins; partners and members may not
OUTCOMES["signed_in_staff"] = {
    persona: ("login",) * 3
    if persona == "anonymous"
    else (
        ("ok",) * 3
        if persona in {"owner", "owning_officer", "other_officer", "invited_officer", "admin"}
        else (403,) * 3
    )
    for persona in PERSONAS
}


def _approved_only(permission: str) -> dict:
    """Monitoring pages follow a planning permission on an approved plan; before approval
    there is nothing to monitor, so what would have been "ok" is 404."""
    return {
        persona: tuple(o if (state == "approved" or o != "ok") else 404 for o, state in zip(row, STATES, strict=True))
        for persona, row in OUTCOMES[permission].items()
    }


OUTCOMES["monitor_read"] = _approved_only("read")
# inspections (decision 0030): the same in every plan state
_STAFF = {"owner", "owning_officer", "other_officer", "invited_officer", "admin"}
_MEMBERS = {"invited_member", "other_member"}


def _inspection_outcomes(allowed: set[str]) -> dict:
    """``allowed`` may; the other council staff and members who read inspections are
    refused (403); partners, who lead none of its recommendations, do not find it (404)."""
    return {
        persona: ("login",) * 3
        if persona == "anonymous"
        else ("ok",) * 3
        if persona in allowed
        else (403,) * 3
        if persona in _STAFF | _MEMBERS
        else (404,) * 3
        for persona in PERSONAS
    }


OUTCOMES["inspection_read"] = _inspection_outcomes(_STAFF | _MEMBERS)
OUTCOMES["inspection_change"] = _inspection_outcomes({"owner", "admin"})
OUTCOMES["inspection_progress"] = _inspection_outcomes({"owner", "owning_officer", "admin"})
OUTCOMES["chase"] = _approved_only("change")
# a return is reached only through an approved plan's reported item: 404 for everyone before
_NOTHING_YET = ("login",) * 3
OUTCOMES["fill"] = {
    persona: _NOTHING_YET if persona == "anonymous" else (404, 404, outcome)
    for persona, outcome in {
        "anonymous": None,
        "owner": "ok",
        "owning_officer": "ok",
        "other_officer": 403,
        "invited_officer": 403,
        "invited_partner": "ok",  # the target's lead organisation
        "uninvited_partner": 404,
        "invited_member": 403,
        "other_member": 403,
        "admin": "ok",
        "plan_lead": "ok",  # may change the plan
        "drafter": 403,
        "former_drafter": 404,
    }.items()
}
OUTCOMES["review"] = {
    persona: _NOTHING_YET if persona == "anonymous" else (404, 404, outcome)
    for persona, outcome in {
        "anonymous": None,
        "owner": "ok",
        "owning_officer": 403,
        "other_officer": 403,
        "invited_officer": 403,
        "invited_partner": 403,
        "uninvited_partner": 404,
        "invited_member": 403,
        "other_member": 403,
        "admin": "ok",
        "plan_lead": 403,
        "drafter": 403,
        "former_drafter": 404,
    }.items()
}
# asking: members who may read the approved plan; everyone else who may read it is refused
OUTCOMES["ask"] = {
    persona: tuple(403 if (o == "ok" and "member" not in persona) else o for o in row)
    for persona, row in OUTCOMES["monitor_read"].items()
}
# answering: the action's leads (bob leads it) and whoever may approve the plan (alice, ada)
OUTCOMES["answer"] = {
    persona: tuple(403 if (o == "ok" and persona not in {"owner", "owning_officer", "admin"}) else o for o in row)
    for persona, row in OUTCOMES["monitor_read"].items()
}
# withdrawing: the member who asked (mel) alone
OUTCOMES["withdraw"] = {
    persona: tuple(403 if (o == "ok" and persona != "invited_member") else o for o in row)
    for persona, row in OUTCOMES["monitor_read"].items()
}
OUTCOMES["reporter"] = {
    p: ("login",) * 3 if p == "anonymous" else ((403,) * 3 if "member" in p else ("ok",) * 3) for p in PERSONAS
}
# an upload is its uploader's alone (the owner's, here): anyone else, admins too, gets 404
OUTCOMES["uploader"] = {
    p: ("login",) * 3
    if p == "anonymous"
    else ((403,) * 3 if "member" in p else (("ok",) * 3 if p == "owner" else (404,) * 3))
    for p in PERSONAS
}
# /health/ for load balancers: answers anyone, signed in or not, and only GET and HEAD
OUTCOMES["public"] = dict.fromkeys(PERSONAS, ("ok",) * 3)
# the public pages of the plan, which World publishes once it is approved: anyone then, no one before
OUTCOMES["public_plan"] = dict.fromkeys(PERSONAS, (404, 404, "ok"))
OUTCOMES["public_wrong_method"] = dict.fromkeys(PERSONAS, (405,) * 3)
OUTCOMES["nobody"] = dict.fromkeys(PERSONAS, (404,) * 3)
OUTCOMES["own_token"] = {
    p: ("login",) * 3 if p == "anonymous" else ("ok",) * 3 if p == "owner" else (404,) * 3 for p in PERSONAS
}
# a draft in a public consultation: anyone while it is open, no one before or after
OUTCOMES["public_consultation"] = dict.fromkeys(PERSONAS, (404, "ok", 404))
# pages outside the apps' own rules (Django's auth and admin) are tested by their own suites
NOT_IN_MATRIX = {"login", "logout"}

# Second rows for URLs whose answer depends on the object as well as the person:
# (url name, which object) -> (args from the world, permission for GET, permission for POST)
MORE_ROWS = {
    # the drafting group decides suggestions in its part only
    ("planning:suggestion-accept", "outside the drafter's part"): (
        lambda w: [w.plan.slug, w.suggestion_elsewhere.pk],
        "change",
        "change",
    ),
    # a drafting group's member writes their part only: another priority is refused (403)
    ("planning:item-edit", "outside the drafter's part"): (lambda w: [w.plan.slug, w.elsewhere.pk], "change", "change"),
    ("planning:item-add", "outside the drafter's part"): (
        lambda w: [w.plan.slug, w.elsewhere.pk, "action"],
        "change",
        "change",
    ),
    # a draft's evidence stays with its authors and reviewers (issue 12, item 13): the
    # target's draft, written by the college (its lead organisation)
    ("monitoring:return-evidence", "a draft"): (
        lambda w: [w.plan.slug, w.target.pk, w.periods[0].slug],
        "read_draft",
        "wrong_method",
    ),
}
OUTCOMES["read_draft"] = {
    persona: _NOTHING_YET if persona == "anonymous" else (404, 404, outcome)
    for persona, outcome in {
        "anonymous": None,
        "owner": "ok",  # reviews it
        "owning_officer": "ok",  # may change the plan, so may fill in any of its returns
        "other_officer": 404,
        "invited_officer": 404,
        "invited_partner": "ok",  # the target's lead organisation: its author
        "uninvited_partner": 404,
        "invited_member": 404,
        "other_member": 404,
        "admin": "ok",
        "plan_lead": "ok",  # may change the plan, so may fill in any of its returns
        "drafter": 404,
        "former_drafter": 404,
    }.items()
}


class World:
    """One council, one plan in the requested state, everyone in PERSONAS."""

    def __init__(self, state: str):
        council = OrganisationFactory(name="Council", slug="council", kind=Organisation.Kind.COUNCIL)
        service = OrganisationFactory(name="School Improvement", slug="si", parent=council)
        other = OrganisationFactory(name="Fair Access", slug="fa", parent=council)
        youth = OrganisationFactory(name="Youth Service", slug="youth", parent=council)
        college = OrganisationFactory(name="College", slug="college", kind=Organisation.Kind.COLLEGE)
        self.college = college
        self.domain = OrganisationDomain.objects.create(domain="college.example", organisation=college, role="partner")
        self.invitation_token = "an-invitation-token-for-the-matrix"
        now = timezone.now()
        Invitation.objects.create(
            email="new@college.example",
            role="partner",
            organisation=college,
            token_hash=token_hash(self.invitation_token),
            created_at=now,
            sent_at=now,
            expires_at=now + timedelta(days=1),
        )
        police = OrganisationFactory(name="Police", slug="police", kind=Organisation.Kind.POLICE)
        health = OrganisationFactory(name="Health Board", slug="health", kind=Organisation.Kind.HEALTH)
        charity = OrganisationFactory(name="Charity", slug="charity", kind=Organisation.Kind.VOLUNTARY)
        self.people = {
            "owner": UserFactory(username="alice", organisation=service),
            "owning_officer": UserFactory(username="bob", organisation=service),
            "other_officer": UserFactory(username="carol", organisation=other),
            "invited_officer": UserFactory(username="ian", organisation=youth),
            "invited_partner": UserFactory(username="pat", organisation=college, role=User.Role.PARTNER),
            "uninvited_partner": UserFactory(username="pc", organisation=police, role=User.Role.PARTNER),
            "invited_member": UserFactory(username="mel", organisation=council, role=User.Role.MEMBER),
            "other_member": UserFactory(username="max", organisation=council, role=User.Role.MEMBER),
            "admin": UserFactory(username="ada", organisation=council, role=User.Role.ADMIN),
            "plan_lead": UserFactory(username="hal", organisation=health, role=User.Role.PARTNER),
            "drafter": UserFactory(username="dee", organisation=charity, role=User.Role.PARTNER),
            "former_drafter": UserFactory(username="fay", organisation=charity, role=User.Role.PARTNER),
        }
        owner = self.people["owner"]
        corporate = make_plan(owner=owner, organisation=council, title="Council Plan", slug="council-plan")
        goal = add_item(corporate, vision_of(corporate), "priority", title="Goal")
        corporate.status = Plan.Status.APPROVED
        corporate.save()
        self.plan = make_plan(owner=owner, organisation=service, title="Service Plan", slug="service-plan")
        self.priority = add_item(self.plan, vision_of(self.plan), "priority", title="Priority")
        self.action = add_item(
            self.plan, self.priority, "action", title="Action", lead_officer=self.people["owning_officer"]
        )
        self.target = add_item(self.plan, self.action, "target", title="Target", lead_organisation=college)
        self.elsewhere = add_item(self.plan, vision_of(self.plan), "priority", title="Elsewhere")
        self._partnership(owner, service, health)
        self.periods = monitoring.financial_year_create(start_year=2013, user=None)
        # the shared definitions (issue 17): a theme the action is tagged with, an indicator
        self.theme = definitions.theme_save(theme=Theme(), user=None, fields={"name": "Narrowing the gap"})
        definitions.item_themes_set(item_id=self.action.pk, themes=[self.theme], user=None)
        self.indicator = definitions.indicator_save(
            indicator=Indicator(),
            user=None,
            fields={"code": "ks4", "name": "KS4", "unit": "percentage", "direction": "higher"},
        )
        self.api_token, _ = api_services.token_create(
            person=owner, name="Matrix", expires_on=timezone.localdate() + timedelta(days=30)
        )
        self.plan_document = Document.objects.create(kind="plan", plan=self.plan, key="plan:matrix", requested_by=owner)
        self.upload = WorkbookUpload.objects.create(uploaded_by=owner, period=self.periods[0], filename="returns.xlsx")
        self.plan_import = PlanImport.objects.create(
            uploaded_by=self.people["admin"],
            filename="plan.json",
            kind=PlanImport.Kind.JSON,
            content=b"[{",
            preview={"plans": [], "problems": [{"where": "the file", "field": "", "message": "not valid JSON"}],
                     "stamps": {}, "new_slugs": [], "others": [], "kept": []},
        )  # fmt: skip
        self.risk = risks.risk_create(
            plan=self.plan, user=owner, fields={"title": "A risk", "likelihood": 3, "impact": 3}
        )
        self._inspection(council, owner)
        self.link = services.link_add(
            source_id=self.action.pk, target_id=goal.pk, relation="contributes_to", user=owner
        )
        self.finding = evidence.finding_save(plan=self.plan, user=owner, fields={"text": "A finding"})
        self.budget_line = services.budget_line_add(
            item_id=self.action.pk, user=owner, year=self.plan.start_year, cost_type="revenue",
            funding_source="Grant", amount=1000,
        )  # fmt: skip
        if state in {"consultation", "approved"}:
            today = timezone.localdate()
            lifecycle.plan_consultation_open(
                plan=self.plan,
                user=owner,
                opens_on=today - timedelta(days=1),
                closes_on=today + timedelta(days=10),
                note="",
                organisations=[college, youth],
                members=[self.people["invited_member"]],
                is_public=True,  # the public consultation's pages (issue 16)
            )
        if state != "draft":
            co_writing.sign_off_give(plan=self.plan, user=owner)  # both sign before approval
        # a comment to respond to (made by the owner, who may always comment)
        self.comment = lifecycle.comment_add(plan=self.plan, user=owner, body="A comment", item=self.action)
        # a suggestion to accept or decline (the owner may suggest at any time, as they may comment)
        self.suggestion = suggestion_add(
            plan=self.plan, user=owner, item=self.action, body="Why", proposed_title="Action, reworded"
        )
        self.suggestion_elsewhere = suggestion_add(
            plan=self.plan, user=owner, item=self.elsewhere, body="Why", proposed_title="Elsewhere, reworded"
        )
        self._public_response(owner)
        if state == "approved":
            lifecycle.plan_approve(plan=self.plan, user=owner, approved_by="Cabinet", approved_on=today)
            lifecycle.plan_publish(plan=self.plan, user=owner)  # for the public pages (issue 16)
        self.plan.refresh_from_db()
        # the edition approval names (none before it: the public edition pages 404 anyway)
        self.edition_pk = self.plan.editions.values_list("pk", flat=True).first() or 0
        if state == "approved":
            # a submitted return to review, with an evidence file to download
            submitted = monitoring.return_save(
                item=self.action,
                period=self.periods[0],
                user=self.people["owning_officer"],
                fields={"rag": "green", "narrative": "On track"},
                expected_version=0,
                submit=True,
            )
            submitted.evidence_file.save("evidence.txt", ContentFile(b"Minutes of the meeting"))
            draft = monitoring.return_save(
                item=self.target,
                period=self.periods[0],
                user=self.people["invited_partner"],
                fields={"rag": "amber", "narrative": "Not finished", "actual_value": 80},
                expected_version=0,
                submit=False,
            )
            draft.evidence_file.save("draft.txt", ContentFile(b"Notes for the draft"))
            # a member's question on the action (decision 0022), asked on Q1's scorecard
            self.question = member_questions.question_ask(
                item=self.action, period=self.periods[0], user=self.people["invited_member"], text="Why?"
            )
            # Q2 reported to members and locked: its scorecard is public (issue 16); Q1 stays open
            self.periods[1] = monitoring.period_lock(period_id=self.periods[1].pk, user=self.people["admin"])
        else:  # a question asked while the plan was approved, before it was revised: not found now
            with change_context(reason="Matrix", user=None):
                self.question = MemberQuestion.objects.create(
                    item=self.action,
                    period=self.periods[0],
                    text="Why?",
                    asked_at=timezone.now(),
                    due_on=timezone.localdate(),
                )
        # the edition approval names (none before: the public edition PDF is then not found anyway)
        self.edition_id = getattr(self.plan.editions.first(), "pk", 0)

    def _inspection(self, council, owner):
        """alice's Estyn inspection: one key-question judgement, recommendation 1 led by bob,
        which the plan's action addresses."""
        self.inspection = inspections.inspection_save(
            inspection=Inspection(),
            user=owner,
            fields={
                "inspectorate": "estyn",
                "title": "Estyn",
                "inspected_on": date(2013, 1, 20),
                "organisation": council,
            },
        )
        self.key_judgement = inspections.judgement_add(
            inspection=self.inspection, user=owner, key_question="Standards", judgement="Adequate"
        )
        self.recommendation = inspections.recommendation_save(
            recommendation=Recommendation(inspection=self.inspection),
            user=owner,
            fields={"number": 1, "text": "Improve planning", "lead": self.people["owning_officer"]},
        )
        self.recommendation_link = inspections.recommendation_action_add(
            recommendation=self.recommendation, user=owner, item_id=self.action.pk
        )

    def _public_response(self, owner):
        """A response from the public waiting for moderation, and a confirmation link that
        works (a draft has no consultation yet: one that closed last month holds it)."""
        today = timezone.localdate()
        self.confirmation_token = "a-confirmation-token-for-the-matrix"
        with change_context(reason="Matrix", user=None):
            consultation = self.plan.consultations.first() or Consultation.objects.create(
                plan=self.plan, opens_on=today - timedelta(days=40), closes_on=today - timedelta(days=30)
            )
            address = PublicAddress.objects.create(
                email="public@example.org",
                token_hash=token_hash(self.confirmation_token),
                sent_at=timezone.now(),
                expires_at=timezone.now() + timedelta(days=1),
            )
            self.public_response = PublicResponse.objects.create(
                consultation=consultation,
                plan=self.plan,
                address=address,
                name="Rita Resident",
                body="A view",
                created_at=timezone.now(),
                state=PublicResponse.State.WAITING,
            )

    def _partnership(self, owner, service, health):
        """The plan is owned by a partnership of the service and the health board, whose
        plan leads are alice and hal; hal has signed off; dee drafts the priority, fay did."""
        board = Partnership.objects.create(name="Board", slug="board")
        self.other_partnership = Partnership.objects.create(name="Other board", slug="other-board")
        for org in (service, health):
            PartnershipMember.objects.create(partnership=board, organisation=org)
        PartnershipLead.objects.create(partnership=board, person=owner, organisation=service)
        PartnershipLead.objects.create(partnership=board, person=self.people["plan_lead"], organisation=health)
        self.plan.partnership = board
        self.plan.save()
        self.group = co_writing.drafting_group_create(
            plan=self.plan, user=owner, name="Writers", item_id=self.priority.pk
        )
        for who in ("drafter", "former_drafter"):
            co_writing.drafting_member_add(group=self.group, user=owner, email=self.people[who].email)
        former = self.group.memberships.get(person=self.people["former_drafter"])
        co_writing.drafting_member_remove(group=self.group, user=owner, membership_id=former.pk)
        self.spare_group = co_writing.drafting_group_create(
            plan=self.plan, user=owner, name="Spare", item_id=self.elsewhere.pk
        )
        self.spare_membership = co_writing.drafting_member_add(
            group=self.spare_group, user=owner, email=self.people["owning_officer"].email
        )
        self.health_sign_off = co_writing.sign_off_give(plan=self.plan, user=self.people["plan_lead"])


def _outcome(response) -> object:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return "login"
    if response.status_code in {403, 404, 405}:
        return response.status_code
    return "ok"


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_matrix(client, db, persona, state, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # single sign-on set up, with a provider that does not answer: its pages run for anyone
    # (a friendly 502 or 400) and make no one a user (tests/partners/test_sign_on.py has the rest)
    settings.OIDC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = "matrix", "matrix"
    world = World(state)
    if persona != "anonymous":
        client.force_login(world.people[persona])
    column = STATES.index(state)
    failures = []
    rows = [(name, row) for name, row in URLS.items() if name not in NOT_IN_MATRIX]
    rows += [(f"{name} ({which})", (args, get, post)) for (name, which), (args, get, post) in MORE_ROWS.items()]
    for name, (args, get_permission, post_permission) in rows:
        url = reverse(name.split(" (")[0], args=args(world))
        for method, permission in (("GET", get_permission), ("POST", post_permission)):
            expected = OUTCOMES[permission][persona][column]
            response = client.get(url) if method == "GET" else client.post(url, {})
            got = _outcome(response)
            if got != expected:
                failures.append(f"{method} {name}: got {got}, expected {expected}")
    assert failures == [], f"{persona} on a {state} plan:\n" + "\n".join(failures)


# A field that confers rights is a permission of its own. Naming a plan's owner confers
# approval and review, so only the owner and admins may change it; officers who may edit
# the plan's other details are refused beside the field (issue 12, item 5). Outcomes:
# "changed", "refused" (the form shown again with the error, the owner kept), or as above.
FIELDS = {
    # (url name, field): (args, what the field is set to, permission)
    # the owning partnership makes its plan leads co-owners (issue 15); before the
    # owner changes, while alice is still the owner
    ("planning:plan-edit", "partnership"): (lambda w: [w.plan.slug], lambda w: w.other_partnership.pk, "change_owner"),
    # which overspends members see flagged is the owner's call (decision 0023); before the owner changes
    ("planning:plan-edit", "variance_threshold"): (lambda w: [w.plan.slug], lambda w: 25, "change_owner"),
    ("planning:plan-edit", "owner"): (lambda w: [w.plan.slug], lambda w: w.people["other_officer"].pk, "change_owner"),
}
OUTCOMES["change_owner"] = {
    persona: tuple("changed" if o == "ok" else o for o in row) for persona, row in OUTCOMES["approve"].items()
} | {"owning_officer": ("refused",) * 3, "plan_lead": ("refused",) * 3}


def _plan_form(plan: Plan, **changes) -> dict:
    keys = {"organisation", "owner", "partnership", "parent"}
    fields = {name: getattr(plan, name) for name in Plan.EDITABLE_FIELDS if name not in keys}
    fields = {name: "" if value is None else value for name, value in fields.items()}
    fields |= {name: getattr(plan, f"{name}_id") or "" for name in keys}
    return fields | {"version": plan.version, "reason": "Handing over"} | changes


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_fields_that_confer_rights(client, db, persona, state, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = World(state)
    if persona != "anonymous":
        client.force_login(world.people[persona])
    failures = []
    for (name, field), (args, value, permission) in FIELDS.items():
        expected = OUTCOMES[permission][persona][STATES.index(state)]
        before = Plan.objects.get(pk=world.plan.pk)
        response = client.post(reverse(name, args=args(world)), _plan_form(before, **{field: value(world)}))
        after = Plan.objects.get(pk=world.plan.pk)
        got = _outcome(response)
        if got == "ok":
            now = getattr(after, f"{field}_id") if field in {"owner", "partnership"} else getattr(after, field)
            got = "changed" if now == value(world) else "refused"
        if got == "refused" and (response.status_code != 200 or after.version != before.version):
            got = f"refused with {response.status_code}, version {before.version} -> {after.version}"
        if got != expected:
            failures.append(f"POST {name} {field}: got {got}, expected {expected}")
    assert failures == [], f"{persona} on a {state} plan:\n" + "\n".join(failures)


def _all_url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's own admin: its permissions are Django's, tested in tests/planning/test_admin.py
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_of_the_project_has_a_row():
    assert _all_url_names() - set(URLS) == set()
