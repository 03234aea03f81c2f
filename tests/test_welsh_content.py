"""Plan and item titles in the reader's language on the pages reached from the thread and
elsewhere (docs/decisions/0033): the roll-up of what contributes to an item, an item's
themes, the map of plans, the risk register, inspections' recommendations and their
report, the alignment report, comparison and history, an organisation's home page and
members' questions. A Welsh reader gets the Welsh title where one is written and the
English, inside its ``lang``, where none is; an English reader gets the English.

The monitored plan (tests/monitoring/conftest.py): its title, its priority's and its
action's in Welsh too; its target's in English only."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from monitoring import inspections, questions
from monitoring import risks as register
from monitoring import services as monitoring
from monitoring.models import Inspection, Recommendation, ReportingPeriod
from planning import lifecycle
from planning import services as planning
from planning.models import PlanShare
from tests.factories import add_item, make_plan, make_return, vision_of
from tests.monitoring.conftest import make_monitored

pytestmark = pytest.mark.django_db

PLAN_CY = "Cynllun Gwella Ysgolion"
PRIORITY_CY = "Codi cyrhaeddiad"
ACTION_CY = "Hyfforddi pob athro mathemateg"
TARGET = "Pupils reaching level 4 in maths"  # no Welsh
FALLBACK = f'<span lang="en-GB">{TARGET}</span>'
SECOND = "Visit every school"  # an action with no Welsh
SECOND_FALLBACK = f'<span lang="en-GB">{SECOND}</span>'


@pytest.fixture(autouse=True)
def english_after():
    yield
    translation.deactivate()  # a request in Welsh leaves Welsh active in this thread


@pytest.fixture
def periods(db):
    return monitoring.financial_year_create(start_year=2013, user=None)


@pytest.fixture
def welsh(plan, bob, college, pat, periods):
    """The monitored plan with its Welsh, and returns for Q1 and Q2."""
    plan = make_monitored(plan, bob, college)
    plan.title_cy = PLAN_CY
    plan.save()
    for item, title_cy in ((plan.priority, PRIORITY_CY), (plan.action, ACTION_CY)):
        item.title_cy = title_cy
        item.save()
    for period in periods[:2]:
        make_return(plan.action, period, bob, {"rag": "green", "narrative": "On track"}, submit=True)
        make_return(plan.target, period, pat, {"rag": "amber", "narrative": "Close", "actual_value": 72}, submit=True)
    return plan


def _pages(client, user, url) -> tuple[str, str]:
    """The page read in Welsh and in English."""
    client.force_login(user)
    welsh = client.get(url, HTTP_ACCEPT_LANGUAGE="cy")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en-gb")
    assert welsh.status_code == english.status_code == 200, url
    return welsh.content.decode(), english.content.decode()


def _title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


def _welsh_and_english(welsh_page: str, english_page: str, welsh_text: str, english_text: str) -> None:
    assert welsh_text in welsh_page and english_text not in welsh_page.split("</head>", 1)[1]
    assert english_text in english_page and welsh_text not in english_page


# --- the thread ---------------------------------------------------------------------------


def test_what_contributes_to_an_item_is_listed_in_the_readers_language(client, alice, welsh, periods):
    url = reverse("monitoring:item-contributions", args=[welsh.slug, welsh.priority.pk]) + f"?period={periods[1].slug}"
    cy, en = _pages(client, alice, url)
    assert PRIORITY_CY in _title(cy) and "<span" not in _title(cy)
    assert re.search(rf'<h1 class="govuk-heading-l">[^<]*{PRIORITY_CY}</h1>', cy)
    assert f'<span class="govuk-caption-l">{PLAN_CY} ·' in cy
    assert f"{ACTION_CY}</a>" in cy  # a contributor
    assert FALLBACK in cy  # the target, among the contributors and in the targets' table
    assert "Raise attainment" in _title(en) and ACTION_CY not in en and PLAN_CY not in en
    assert "Train every maths teacher</a>" in en and FALLBACK not in en


def test_an_items_themes_page_names_it_in_the_readers_language(client, alice, welsh):
    cy, en = _pages(client, alice, reverse("planning:item-themes", args=[welsh.slug, welsh.action.pk]))
    assert ACTION_CY in _title(cy) and f'<span class="govuk-caption-l">{PLAN_CY} · {ACTION_CY}</span>' in cy
    assert "Train every maths teacher" in _title(en) and ACTION_CY not in en


def test_the_map_of_plans_names_each_plan_in_the_readers_language(client, alice, welsh):
    make_plan(owner=alice, title="Roads Plan", slug="roads")  # no Welsh
    cy, en = _pages(client, alice, reverse("planning:plan-map"))
    assert f">{PLAN_CY}</a>" in cy and f"<title>{PLAN_CY}</title>" in cy  # the list and the diagram
    assert '<span lang="en-GB">Roads Plan</span>' in cy
    assert PLAN_CY not in en and f"<title>{welsh.title}</title>" in en


# --- risks ---------------------------------------------------------------------------------


def test_the_risk_pages_name_the_plan_and_the_item_in_the_readers_language(client, alice, welsh):
    risk = register.risk_create(
        plan=welsh, user=alice, fields={"title": "Teachers leave", "likelihood": 3, "impact": 4, "item": welsh.action}
    )
    fallback = register.risk_create(
        plan=welsh, user=alice, fields={"title": "Tests change", "likelihood": 2, "impact": 2, "item": welsh.target}
    )
    cy, en = _pages(client, alice, reverse("monitoring:risk-register", args=[welsh.slug]))
    assert PLAN_CY in _title(cy) and f">{ACTION_CY}</a>" in cy and FALLBACK in cy
    _welsh_and_english(cy, en, ACTION_CY, "Train every maths teacher")
    cy, en = _pages(client, alice, reverse("monitoring:risk-detail", args=[welsh.slug, risk.pk]))
    assert PLAN_CY in _title(cy) and f">{ACTION_CY}</a>" in cy  # (its history keeps the words recorded)
    assert ACTION_CY not in en and "Train every maths teacher</a>" in en
    cy, _ = _pages(client, alice, reverse("monitoring:risk-detail", args=[welsh.slug, fallback.pk]))
    assert FALLBACK in cy
    cy, en = _pages(client, alice, reverse("monitoring:risk-review", args=[welsh.slug, risk.pk]))
    _welsh_and_english(cy, en, f"{PLAN_CY}: ", f"{welsh.title}: ")


# --- inspections ---------------------------------------------------------------------------


@pytest.fixture
def estyn(alice, bob, council, welsh):
    """An inspection whose recommendation the action (Welsh) and a second action (English only) address."""
    welsh.second = add_item(welsh, welsh.priority, "action", title=SECOND)

    inspection = inspections.inspection_save(
        inspection=Inspection(),
        user=alice,
        fields={
            "inspectorate": "estyn",
            "title": "Education services",
            "inspected_on": date(2013, 1, 20),
            "organisation": council,
            "report_url": "https://www.estyn.gov.wales/report",
        },
    )
    inspection.first = inspections.recommendation_save(
        recommendation=Recommendation(inspection=inspection),
        user=alice,
        fields={"number": 1, "text": "Improve strategic planning", "lead": bob},
    )
    for item in (welsh.action, welsh.second):
        inspections.recommendation_action_add(recommendation=inspection.first, user=alice, item_id=item.pk)
    return inspection


def test_a_recommendations_actions_are_named_in_the_readers_language(client, alice, estyn, welsh):
    url = reverse("monitoring:recommendation-detail", args=[estyn.pk, estyn.first.pk])
    cy, en = _pages(client, alice, url)
    assert f">{ACTION_CY}</a>" in cy and SECOND_FALLBACK in cy and f">{PLAN_CY}</td>" in cy
    _welsh_and_english(cy, en, ACTION_CY, "Train every maths teacher")


def test_linking_an_action_offers_the_plans_in_the_readers_language(client, alice, estyn, welsh):
    url = reverse("monitoring:recommendation-actions", args=[estyn.pk, estyn.first.pk]) + f"?plan={welsh.slug}"
    cy, en = _pages(client, alice, url)
    assert f">{PLAN_CY}</option>" in cy and f'<h2 class="govuk-heading-m">{PLAN_CY}' not in en
    _welsh_and_english(cy, en, PLAN_CY, welsh.title)


def test_the_progress_report_names_the_actions_and_plans_in_the_readers_language(client, alice, estyn, welsh, periods):
    cy, en = _pages(client, alice, reverse("monitoring:inspection-report", args=[estyn.pk, periods[1].slug]))
    assert f">{ACTION_CY}</a>" in cy and f">{PLAN_CY}</td>" in cy and SECOND_FALLBACK in cy
    _welsh_and_english(cy, en, ACTION_CY, "Train every maths teacher")


# --- the alignment report, comparison and history ------------------------------------------


def test_the_alignment_report_names_the_plan_and_its_priorities_in_the_readers_language(client, alice, welsh):
    cy, en = _pages(client, alice, reverse("planning:plan-alignment", args=[welsh.slug]))
    assert PLAN_CY in _title(cy) and f'<span class="govuk-caption-l">{PLAN_CY}</span>' in cy
    assert f">{PRIORITY_CY}</a>" in cy
    _welsh_and_english(cy, en, PRIORITY_CY, "Raise attainment")


@pytest.mark.parametrize("name", ["plan-compare", "plan-history"])
def test_comparison_and_history_pages_name_the_plan_in_the_readers_language(client, alice, welsh, name):
    cy, en = _pages(client, alice, reverse(f"planning:{name}", args=[welsh.slug]))
    assert PLAN_CY in _title(cy) and f'<span class="govuk-caption-l">{PLAN_CY}</span>' in cy
    # (the history lists the Welsh title among the changes recorded)
    assert PLAN_CY not in _title(en) and f'<span class="govuk-caption-l">{welsh.title}</span>' in en


def test_the_comparisons_items_are_named_in_the_readers_language(client, alice, welsh):
    before = planning.edition_create(plan=welsh, name="Before", user=alice)
    add_item(welsh, welsh.priority, "action", title="Open a library", title_cy="Agor llyfrgell")
    add_item(welsh, welsh.priority, "action", title=SECOND)
    url = reverse("planning:plan-compare", args=[welsh.slug]) + f"?from=edition-{before.pk}&to=now"
    cy, en = _pages(client, alice, url)
    assert ": Agor llyfrgell</td>" in cy and f": {SECOND_FALLBACK}" in cy
    assert ": Open a library</td>" in en and "Agor llyfrgell" not in en and SECOND_FALLBACK not in en


def test_an_items_history_names_its_plan_in_the_readers_language(client, alice, welsh):
    cy, en = _pages(client, alice, reverse("planning:item-history", args=[welsh.slug, welsh.action.pk]))
    assert f'<span class="govuk-caption-l">{PLAN_CY}</span>' in cy
    assert f'<span class="govuk-caption-l">{welsh.title}</span>' in en


# --- partners and members ------------------------------------------------------------------


def test_an_organisations_home_page_names_plans_and_work_in_the_readers_language(client, pat, college, welsh):
    PlanShare.objects.create(plan=welsh, organisation=college)
    cy, en = _pages(client, pat, reverse("planning:partner-home"))
    assert f">{PLAN_CY}</a>" in cy  # the plan shared with it
    assert FALLBACK in cy  # the target it leads has no Welsh
    assert PLAN_CY not in en and f">{TARGET}</a>" in en and FALLBACK not in en


def test_the_members_home_page_names_the_plans_in_the_readers_language(client, mel, welsh):
    cy, en = _pages(client, mel, reverse("monitoring:members-home"))
    assert f">{PLAN_CY}</a>" in cy
    _welsh_and_english(cy, en, PLAN_CY, f">{welsh.title}</a>")


def test_members_questions_name_the_item_and_plan_in_the_readers_language(client, mel, welsh, periods):
    question = questions.question_ask(item=welsh.action, period=periods[1], user=mel, text="Why?")
    cy, en = _pages(client, mel, reverse("monitoring:question-detail", args=[welsh.slug, question.pk]))
    assert ACTION_CY in _title(cy) and PLAN_CY in _title(cy) and "<span" not in _title(cy)
    assert f">{ACTION_CY}</a>" in cy
    _welsh_and_english(cy, en, ACTION_CY, "Train every maths teacher")
    cy, en = _pages(client, mel, reverse("monitoring:question-list", args=[welsh.slug]))
    assert PLAN_CY in _title(cy) and ACTION_CY in cy
    _welsh_and_english(cy, en, ACTION_CY, "Train every maths teacher")
    url = reverse("monitoring:question-ask", args=[welsh.slug, periods[1].slug, welsh.target.pk])
    cy, en = _pages(client, mel, url)
    assert TARGET in _title(cy) and FALLBACK in cy and f"{PLAN_CY}: " in cy
    assert FALLBACK not in en and PLAN_CY not in en


def test_a_row_built_as_a_dict_is_shown_in_the_readers_language_too():
    from config import bilingual

    row = {"title": "Roads", "title_cy": "Ffyrdd", "plan": "Highways Plan", "plan_cy": ""}
    with translation.override("cy"):
        assert bilingual.shown(row, "title") == ("Ffyrdd", "cy", False)
        assert bilingual.shown(row, "plan") == ("Highways Plan", "en-GB", True)
    with translation.override("en-gb"):
        assert bilingual.shown(row, "title") == ("Roads", "en-GB", False)


# --- returns -------------------------------------------------------------------------------


def test_the_plans_returns_pages_name_the_plan_and_items_in_the_readers_language(client, alice, welsh, periods):
    cy, en = _pages(client, alice, reverse("monitoring:plan-monitoring", args=[welsh.slug]))
    assert PLAN_CY in _title(cy) and f'<span class="govuk-caption-l">{PLAN_CY}</span>' in cy
    assert PLAN_CY not in en
    cy, en = _pages(client, alice, reverse("monitoring:plan-period", args=[welsh.slug, periods[1].slug]))
    assert PLAN_CY in _title(cy) and f">{ACTION_CY}</a>" in cy and FALLBACK in cy
    _welsh_and_english(cy, en, ACTION_CY, "Train every maths teacher")


def test_a_return_and_an_items_progress_name_the_item_in_the_readers_language(client, bob, welsh, periods):
    for name, period in (("return-detail", periods[1]), ("return-edit", periods[2])):
        cy, en = _pages(client, bob, reverse(f"monitoring:{name}", args=[welsh.slug, welsh.action.pk, period.slug]))
        assert ACTION_CY in _title(cy) and f'<h1 class="govuk-heading-l">{ACTION_CY}</h1>' in cy
        assert ACTION_CY not in en and '<h1 class="govuk-heading-l">Train every maths teacher</h1>' in en
    cy, en = _pages(client, bob, reverse("monitoring:item-progress", args=[welsh.slug, welsh.target.pk]))
    assert TARGET in _title(cy) and FALLBACK in cy and f"{PLAN_CY} ·" in cy
    assert FALLBACK not in en and PLAN_CY not in en


def test_my_returns_names_the_items_and_plans_in_the_readers_language(client, bob, welsh, periods):
    today = timezone.localdate()
    q3 = periods[2]  # made current: started a month ago, due in ten days
    ReportingPeriod.objects.filter(pk=q3.pk).update(
        starts_on=today - timedelta(days=40), ends_on=today - timedelta(days=1), due_on=today + timedelta(days=10)
    )
    ReportingPeriod.objects.filter(pk=periods[3].pk).update(starts_on=today + timedelta(days=100))
    add_item(welsh, welsh.priority, "action", title=SECOND, lead_officer=bob)
    add_item(welsh, welsh.priority, "action", title="Open a library", title_cy="Agor llyfrgell", lead_officer=bob)
    cy, en = _pages(client, bob, reverse("monitoring:my-returns"))
    assert ">Agor llyfrgell</a>" in cy and f">{PLAN_CY}</td>" in cy and SECOND_FALLBACK in cy
    _welsh_and_english(cy, en, "Agor llyfrgell", "Open a library")
    cy, en = _pages(client, bob, reverse("monitoring:fill-several", args=[q3.slug]))
    assert "Agor llyfrgell <span" in cy and SECOND_FALLBACK in cy and f", {PLAN_CY})" in cy
    assert "Agor llyfrgell" not in en and "Open a library <span" in en


# --- the plan's other pages: their titles, captions and headings -----------------------------

PLAN_PAGES = ["plan-comments", "consultation-summary", "plan-drafting", "plan-editions", "plan-status",
              "plan-equality", "plan-equality-edit", "needs-assessment", "evidence-source-add",
              "consultation-open"]  # fmt: skip
ITEM_PAGES = [("item-move", "priority"), ("item-delete", "priority"), ("link-add", "priority"),
              ("item-comment", "priority"), ("item-suggest", "priority"), ("priority-findings", "priority"),
              ("item-self-evaluation", "priority"), ("budget-line-add", "action"), ("item-merge", "action")]  # fmt: skip


@pytest.mark.parametrize("name", PLAN_PAGES)
def test_a_plan_page_names_the_plan_in_the_readers_language(client, alice, welsh, name):
    cy, en = _pages(client, alice, reverse(f"planning:{name}", args=[welsh.slug]))
    assert PLAN_CY in _title(cy) or f'<span class="govuk-caption-l">{PLAN_CY}' in cy
    assert PLAN_CY not in _title(en) and f'<span class="govuk-caption-l">{PLAN_CY}' not in en


@pytest.mark.parametrize(("name", "kind"), ITEM_PAGES)
def test_an_item_page_names_the_item_and_plan_in_the_readers_language(client, alice, welsh, name, kind):
    item, title_cy = (welsh.priority, PRIORITY_CY) if kind == "priority" else (welsh.action, ACTION_CY)
    cy, en = _pages(client, alice, reverse(f"planning:{name}", args=[welsh.slug, item.pk]))
    assert title_cy in cy and f'<span class="govuk-caption-l">{PLAN_CY}' in cy
    assert title_cy not in en and f'<span class="govuk-caption-l">{PLAN_CY}' not in en


def test_the_summary_lists_the_items_in_the_readers_language(client, alice, welsh):
    cy, en = _pages(client, alice, reverse("planning:plan-summary", args=[welsh.slug]))
    assert f">{PRIORITY_CY}</a>" in cy
    _welsh_and_english(cy, en, PRIORITY_CY, ">Raise attainment</a>")


# --- the public pages ------------------------------------------------------------------------


def _public(client, url) -> tuple[str, str]:
    welsh = client.get(url, HTTP_ACCEPT_LANGUAGE="cy")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en-gb")
    assert welsh.status_code == english.status_code == 200, url
    return welsh.content.decode(), english.content.decode()


@pytest.mark.parametrize("name", ["plan-editions", "scorecard-list"])
def test_a_published_plans_pages_name_it_in_the_readers_language(client, alice, welsh, name):
    lifecycle.plan_publish(plan=welsh, user=alice)
    cy, en = _public(client, reverse(f"public:{name}", args=[welsh.slug]))
    assert PLAN_CY in _title(cy) and f'<span class="govuk-caption-l">{PLAN_CY}</span>' in cy
    assert PLAN_CY not in en


def test_a_public_consultation_names_the_plan_and_its_items_in_the_readers_language(client, alice, welsh):
    draft = make_plan(owner=alice, title="Library Plan", title_cy="Cynllun Llyfrgelloedd", slug="library")
    add_item(draft, vision_of(draft), "priority", title="Open on Sundays", title_cy="Agor ar y Sul")
    add_item(draft, vision_of(draft), "priority", title="Lend laptops")  # no Welsh
    lifecycle.plan_consultation_open(
        plan=draft, user=alice, opens_on=timezone.localdate(), closes_on=timezone.localdate() + timedelta(days=14),
        note="", organisations=[], members=[], is_public=True,
    )  # fmt: skip
    cy, en = _public(client, reverse("public:consultation-detail", args=[draft.slug]))
    assert "Cynllun Llyfrgelloedd" in _title(cy) and '<h1 class="govuk-heading-l">Cynllun Llyfrgelloedd</h1>' in cy
    assert "</span> Agor ar y Sul</h3>" in cy and '<span lang="en-GB">Lend laptops</span>' in cy
    assert "Agor ar y Sul" not in en and "</span> Open on Sundays</h3>" in en
    cy, en = _public(client, reverse("public:consultation-list"))
    assert ">Cynllun Llyfrgelloedd</a>" in cy and ">Library Plan</a>" in en and "Llyfrgelloedd" not in en
