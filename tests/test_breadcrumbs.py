"""Breadcrumbs on every page of the project: the trail ends at the page one level up
(GOV.UK's pattern: the current page is not in its own trail), so the last crumb must
link to the page's parent and name it.

Each page the permission matrix knows (``tests.test_permission_matrix.URLS``) is opened
by a reader who may see it, in the matrix's world with an approved plan. ``PARENTS``
names the page each one's last crumb leads to (and words the crumb must hold), or
None for the top-level pages, which have no trail. A page that shows a trail without a
row here fails, and so does a row whose page shows no trail.
"""

from html.parser import HTMLParser

import pytest
from django.urls import resolve, reverse

from tests.test_permission_matrix import URLS, World

PLAN = "Service Plan"
# url name -> (the url name of the last crumb's page, words in the crumb), or None: no trail
PARENTS = {
    "planning:plan-list": None,
    "public:plan-detail": ("public:plan-list", "Published plans"),
    # the public plan's own pages end at the plan, its items at their parent (issue 16)
    "public:plan-summary": ("public:plan-detail", PLAN),
    "public:plan-editions": ("public:plan-detail", PLAN),
    "public:edition-detail": ("public:plan-detail", PLAN),
    "public:item-detail": ("public:item-detail", "Priority"),  # the action's priority
    "public:scorecard-list": ("public:plan-detail", PLAN),
    "public:scorecard": ("public:scorecard-list", "Results"),
    # a PDF not yet produced: the page saying it is being prepared
    "public:scorecard-pdf": ("public:scorecard-list", "Results"),
    "public:edition-pdf": ("public:scorecard-list", "Results"),
    "planning:search": None,
    "planning:partner-home": None,
    "planning:plan-create": ("planning:plan-list", "Plans"),
    "planning:import-upload": ("planning:plan-list", "Plans"),
    "planning:import-preview": ("planning:import-upload", "Import a plan"),
    "planning:plan-map": ("planning:plan-list", "Plans"),
    "planning:council-alignment": ("planning:plan-list", "Plans"),
    "planning:council-duplicates": ("planning:council-alignment", "Council alignment report"),
    "planning:plan-detail": ("planning:plan-list", "Plans"),
    "planning:plan-summary": ("planning:plan-detail", PLAN),
    "planning:plan-history": ("planning:plan-detail", PLAN),
    "planning:plan-alignment": ("planning:plan-detail", PLAN),
    "planning:plan-duplicates": ("planning:plan-alignment", "Alignment report"),
    "planning:plan-as-of": ("planning:plan-detail", PLAN),
    "planning:plan-compare": ("planning:plan-detail", PLAN),
    "planning:plan-editions": ("planning:plan-detail", PLAN),
    "planning:plan-edit": ("planning:plan-detail", PLAN),
    "planning:plan-status": ("planning:plan-detail", PLAN),
    "planning:consultation-open": ("planning:plan-detail", PLAN),
    "planning:plan-comments": ("planning:plan-detail", PLAN),
    "planning:consultation-summary": ("planning:plan-detail", PLAN),
    "planning:comment-respond": ("planning:plan-detail", PLAN),
    "moderation:public-responses": ("planning:plan-detail", PLAN),
    "public:you-said-we-did": ("public:plan-detail", PLAN),
    "planning:item-detail": ("planning:item-detail", "Priority"),  # the action's priority
    # an item's own pages end at the item (its history at the plan: a deleted item has no page)
    "planning:item-history": ("planning:plan-detail", PLAN),
    "planning:item-add": ("planning:item-detail", "Priority"),  # under the priority
    "planning:item-edit": ("planning:item-detail", "Action"),
    "planning:item-move": ("planning:item-detail", "Action"),
    "planning:item-delete": ("planning:item-detail", "Action"),
    "planning:link-add": ("planning:item-detail", "Action"),
    "planning:budget-line-add": ("planning:item-detail", "Action"),
    "planning:budget-line-delete": ("planning:item-detail", "Action"),
    "planning:item-comment": ("planning:item-detail", "Action"),
    # evidence in the plan (issue 18)
    "planning:needs-assessment": ("planning:plan-detail", PLAN),
    "planning:evidence-source-add": ("planning:plan-detail", PLAN),
    "planning:finding-add": ("planning:plan-detail", PLAN),
    "planning:finding-edit": ("planning:plan-detail", PLAN),
    "planning:priority-findings": ("planning:item-detail", "Priority"),
    "planning:item-merge": ("planning:item-detail", "Action"),
    "planning:plan-merge": ("planning:plan-detail", PLAN),
    "partners:organisation-list": ("planning:plan-list", "Plans"),
    "partners:organisation-create": ("partners:organisation-list", "Organisations"),
    "partners:organisation-edit": ("partners:organisation-list", "Organisations"),
    "partners:organisation-domains": ("partners:organisation-edit", "College"),
    "partners:person-list": ("planning:plan-list", "Plans"),
    "partners:person-create": ("partners:person-list", "People"),
    "partners:person-edit": ("partners:person-list", "People"),
    "partners:notification-list": ("planning:plan-list", "Plans"),
    "partners:partnership-list": ("partners:organisation-list", "Organisations"),
    "partners:partnership-create": ("partners:partnership-list", "Partnerships"),
    "partners:partnership-edit": ("partners:partnership-list", "Partnerships"),
    "planning:plan-drafting": ("planning:plan-detail", PLAN),
    "planning:drafting-group": ("planning:plan-drafting", "Drafting and sign-off"),
    "planning:partner-invite": ("planning:plan-drafting", "Drafting and sign-off"),
    "planning:item-suggest": ("planning:item-detail", "Action"),
    "planning:item-suggest-new": ("planning:item-detail", "Action"),
    "planning:suggestion-accept": ("planning:plan-detail", PLAN),
    "planning:suggestion-decline": ("planning:plan-detail", PLAN),
    # one's own password: pages of their own, like the sign-in page
    "password_change": None,
    "password_change_done": None,
    "api:token-list": None,  # one's own tokens, as one's password
    "monitoring:period-list": None,
    "monitoring:year-create": ("monitoring:period-list", "Quarters"),
    "monitoring:period-edit": ("monitoring:period-list", "Quarters"),
    "monitoring:my-returns": None,
    "monitoring:fill-several": ("monitoring:my-returns", "My returns"),
    "monitoring:members-home": None,
    "monitoring:plan-monitoring": ("planning:plan-detail", PLAN),
    "monitoring:plan-period": ("monitoring:plan-monitoring", "Progress returns"),
    "monitoring:return-detail": ("monitoring:plan-period", "Q1 2013/14 returns"),
    "monitoring:return-edit": ("monitoring:return-detail", "Target"),
    "monitoring:item-progress": ("planning:item-detail", "Target"),
    "monitoring:item-contributions": ("planning:item-detail", "Action"),
    "monitoring:scorecard": ("planning:plan-detail", PLAN),
    "monitoring:document-status": ("planning:plan-detail", PLAN),
    "monitoring:workbook-download": ("monitoring:my-returns", "My returns"),
    "monitoring:workbook-upload": ("monitoring:workbook-download", "Work in a spreadsheet"),
    "monitoring:workbook-preview": ("monitoring:workbook-download", "Work in a spreadsheet"),
    "monitoring:risk-register": ("planning:plan-detail", PLAN),
    "monitoring:risk-create": ("monitoring:risk-register", "Risk register"),
    "monitoring:risk-detail": ("monitoring:risk-register", "Risk register"),
    "monitoring:risk-edit": ("monitoring:risk-detail", "A risk"),
    "monitoring:risk-review": ("monitoring:risk-detail", "A risk"),
    # members' questions (decision 0022): asked from a scorecard, listed under the plan
    "monitoring:question-ask": ("monitoring:scorecard", "Q1 2013/14 scorecard"),
    "monitoring:question-list": ("planning:plan-detail", PLAN),
    "monitoring:question-detail": ("monitoring:question-list", "Members’ questions"),
    # shared definitions (issue 17): themes and indicators sit beside the plans
    "planning:theme-list": ("planning:plan-list", "Plans"),
    "planning:theme-create": ("planning:theme-list", "Themes"),
    "planning:theme-edit": ("planning:theme-list", "Themes"),
    "monitoring:theme-detail": ("planning:theme-list", "Themes"),
    "planning:item-themes": ("planning:item-detail", "Action"),
    # self-evaluation and equality impact (decision 0032): the priority's form ends at the priority
    "planning:item-self-evaluation": ("planning:item-detail", "Priority"),
    "planning:plan-equality": ("planning:plan-detail", PLAN),
    "planning:plan-equality-edit": ("planning:plan-detail", PLAN),
    "planning:indicator-list": ("planning:plan-list", "Plans"),
    "planning:indicator-create": ("planning:indicator-list", "Indicators"),
    "planning:indicator-edit": ("planning:indicator-list", "Indicators"),
    # inspections (issue 18, decision 0030): a section of their own, reached from the header
    "monitoring:inspection-list": None,
    "monitoring:inspection-create": ("monitoring:inspection-list", "Inspections"),
    "monitoring:inspection-detail": ("monitoring:inspection-list", "Inspections"),
    "monitoring:inspection-edit": ("monitoring:inspection-detail", "Estyn"),
    "monitoring:inspection-judgements": ("monitoring:inspection-detail", "Estyn"),
    "monitoring:recommendation-create": ("monitoring:inspection-detail", "Estyn"),
    "monitoring:recommendation-detail": ("monitoring:inspection-detail", "Estyn"),
    "monitoring:inspection-report": ("monitoring:inspection-detail", "Estyn"),
    "monitoring:recommendation-edit": ("monitoring:recommendation-detail", "Recommendation 1"),
    "monitoring:recommendation-actions": ("monitoring:recommendation-detail", "Recommendation 1"),
    "monitoring:recommendation-progress": ("monitoring:recommendation-detail", "Recommendation 1"),
}
# pages that are not HTML pages of their own (redirects, downloads)
NOT_PAGES = {
    "public:item-permalink",
    "public:plan-download",
    # the public consultation's pages exist only while the draft is in a public consultation
    # (the world here is approved); their trails: tests/public/test_public_consultation.py
    "public:consultation-detail",
    "public:consultation-respond",
    "planning:item-permalink",
    "planning:plan-permalink",
    "monitoring:start",
    "monitoring:plan-pdf",
    "monitoring:scorecard-pdf",
    "monitoring:inspection-report-pdf",
    "monitoring:document-download",
    "monitoring:return-evidence",
    "monitoring:plan-export",
    "monitoring:returns-export",
    "public:results-download",
    # the API's answers are JSON (tests/api/)
    "api:plan-detail",
    "api:item-list",
    "api:link-list",
    "api:edition-list",
    "api:scorecard-detail",
}


class _Trail(HTMLParser):
    """The breadcrumb links of a page, as (address, text)."""

    def __init__(self):
        super().__init__()
        self.crumbs: list[tuple[str, str]] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "a" and "govuk-breadcrumbs__link" in (found.get("class") or ""):
            self._open = [found.get("href") or "", ""]

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            self.crumbs.append((self._open[0], " ".join(self._open[1].split())))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data


def _pages() -> list[str]:
    return [
        name
        for name, (_args, get_permission, _post) in URLS.items()
        if get_permission not in {None, "wrong_method", "public", "public_wrong_method"} and name not in NOT_PAGES
    ]


def test_every_page_has_a_row():
    assert set(_pages()) - set(PARENTS) == set()


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return World("approved")


def test_every_page_s_last_breadcrumb_leads_one_level_up_and_names_that_page(client, world):
    wrong = []
    for name in _pages():
        # the owner may open every page but the administrators' and the members' (asking a
        # question); an upload is its uploader's
        reader = (
            "invited_member"
            if name == "monitoring:question-ask"
            else "admin"
            if name.startswith("partners:")
            or name
            in {
                "monitoring:year-create",
                "monitoring:period-edit",
                "planning:import-upload",
                "planning:import-preview",
                "planning:theme-create",
                "planning:theme-edit",
            }
            else "owner"
        )
        client.force_login(world.people[reader])
        url = reverse(name, args=URLS[name][0](world))
        response = client.get(url)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        trail = _Trail()
        trail.feed(response.content.decode())
        expected = PARENTS[name]
        if expected is None:
            if trail.crumbs:
                wrong.append(f"{name}: a top-level page with a trail ending in {trail.crumbs[-1][1]!r}")
            continue
        if not trail.crumbs:
            wrong.append(f"{name}: no breadcrumbs")
            continue
        href, text = trail.crumbs[-1]
        parent, words = expected
        got = resolve(href.split("?")[0]).view_name
        if got != parent or words not in text or href.split("?")[0] == url:
            wrong.append(f"{name}: last crumb {text!r} leads to {got}, expected {parent} ({words!r})")
    assert not wrong, "\n".join(wrong)
