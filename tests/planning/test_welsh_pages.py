"""Planning's pages in Welsh (decision 0029): every page of the demo council's plans renders
with the Welsh catalogue active (a guard against a translation that breaks a template: a
placeholder the template does not pass, a plural form missing), and reads in Welsh."""

import re

import pytest
from django.urls import reverse

from partners.models import User
from planning.models import BudgetLine, Comment, DraftingGroup, Edition, Plan, PlanItem

WELSH = {"HTTP_ACCEPT_LANGUAGE": "cy"}


def _get(client, url):
    response = client.get(url, **WELSH)
    assert response.status_code in {200, 302, 403, 404}, (url, response.status_code)
    return response


@pytest.fixture
def admin(demo_output, db):
    return User.objects.filter(role=User.Role.ADMIN, is_active=True).first()


def _plan_urls(plan):
    slug = plan.slug
    names = ("plan-detail", "plan-status", "plan-comments", "consultation-summary", "plan-drafting", "plan-editions",
             "plan-summary", "plan-alignment", "plan-history", "plan-compare", "plan-edit", "consultation-open",
             "partner-invite")  # fmt: skip
    urls = [reverse(f"planning:{name}", args=[slug]) for name in names]
    urls.append(reverse("planning:plan-as-of", args=[slug]) + "?at=2013-06-01")
    edition = Edition.objects.filter(plan=plan).first()
    if edition:
        urls.append(reverse("planning:plan-compare", args=[slug]) + f"?from=edition-{edition.pk}&to=now")
        urls.append(reverse("planning:plan-as-of", args=[slug]) + f"?edition={edition.pk}")
    for kind in ("priority", "action", "target", "milestone"):
        item = PlanItem.objects.filter(plan=plan, kind=kind).first()
        if item:
            for name in ("item-detail", "item-edit", "item-move", "item-delete", "item-history", "link-add",
                         "item-themes", "item-comment", "item-suggest", "item-suggest-new", "budget-line-add"):  # fmt: skip
                urls.append(reverse(f"planning:{name}", args=[slug, item.pk]))
            urls.append(reverse("planning:link-add", args=[slug, item.pk]) + "?q=school")
    for line in BudgetLine.objects.filter(item__plan=plan)[:1]:
        urls.append(reverse("planning:budget-line-delete", args=[slug, line.item_id, line.pk]))
    for comment in Comment.objects.filter(plan=plan)[:6]:
        for name in ("comment-respond", "suggestion-accept", "suggestion-decline"):
            urls.append(reverse(f"planning:{name}", args=[slug, comment.pk]))
    for group in DraftingGroup.objects.filter(plan=plan)[:2]:
        urls.append(reverse("planning:drafting-group", args=[slug, group.pk]))
    return urls


def test_every_planning_page_renders_in_welsh(client, admin):
    client.force_login(admin)
    urls = [reverse(f"planning:{name}") for name in ("plan-list", "plan-map", "council-alignment", "theme-list",
                                                     "indicator-list", "import-upload", "plan-create", "theme-create",
                                                     "indicator-create", "partner-home")]  # fmt: skip
    urls += [reverse("planning:search") + "?q=school", reverse("planning:search") + "?q=zzzzqqq"]
    # the plans with comments, suggestions, drafting groups or editions, and the first few others
    busy = Plan.objects.filter(comments__isnull=False) | Plan.objects.filter(drafting_groups__isnull=False)
    plans = {
        *busy.distinct(),
        *Plan.objects.filter(editions__isnull=False).distinct(),
        *Plan.objects.order_by("pk")[:3],
    }
    for plan in sorted(plans, key=lambda plan: plan.pk):
        urls += _plan_urls(plan)
    read = 0
    for url in urls:
        response = _get(client, url)
        read += response.status_code == 200
    assert read > 100


def test_a_plan_page_reads_in_welsh_and_english_is_unchanged(client, admin):
    client.force_login(admin)
    plan = Plan.objects.filter(consultations__isnull=False).first()
    welsh = client.get(plan.get_absolute_url(), **WELSH).content.decode()
    assert 'lang="cy"' in welsh
    for words in ("Statws a chymeradwyo", "Crynodeb o'r ymgynghoriad", "Newidiadau diweddar", "Y cynllun"):
        assert words in welsh
    assert "Status and approval" not in welsh
    english = client.get(plan.get_absolute_url()).content.decode()
    assert "Status and approval" in english and "Statws a chymeradwyo" not in english
    status = client.get(reverse("planning:plan-status", args=[plan.slug]), **WELSH).content.decode()
    assert "Ymgynghoriadau" in status
    # Django's own Welsh month names in the dates the templates format
    assert re.search(
        r"\d+ (Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr) \d{4}", status
    )


def test_the_plan_document_renders_in_welsh(admin):
    """The PDF's HTML (print/plan_document.html) with the Welsh catalogue active: the plan
    with the most links and costs in the demo council."""
    from django.utils import translation

    from planning.plan_document import plan_document_html

    plan = max(Plan.objects.all(), key=lambda plan: plan.items.count())
    with translation.override("cy"):
        html = plan_document_html(plan, Edition.objects.filter(plan=plan).first())
    assert "Crynodeb o'r costau" in html and "Cynlluniau cysylltiedig" in html and "Geirfa" in html
    with translation.override("en"):
        assert "Costs summary" in plan_document_html(plan)
