"""An accessibility sweep of the pages the journeys do not reach: each is opened in the
browser and checked by axe-core, with the status it should answer."""

import pytest

from monitoring import services as monitoring_services
from planning import services
from tests.browser.conftest import sign_in, visit
from tests.factories import add_item, vision_of
from tests.monitoring import conftest as monitoring_fixtures
from tests.monitoring import test_inspections
from tests.public.test_plan_pages import Council

monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods
estyn = test_inspections.estyn

pytestmark = pytest.mark.browser


@pytest.fixture(params=["en-gb", "cy"])
def language(request, page, base_url):
    """Each sweep in English and in Welsh (issue 18: axe finds nothing in either): the
    browser holds the language cookie, as after choosing it in the header."""
    page.context.add_cookies([{"name": "django_language", "value": request.param, "url": base_url}])
    return request.param


def test_every_plan_page_passes_axe(page, language, alice, carol, plan):
    priority = add_item(plan, vision_of(plan), "priority", user=alice, title="Every child in a good school")
    action = add_item(plan, priority, "action", user=alice, cost_amount=1200, cost_type="capital")
    add_item(plan, action, "target", user=alice, description="**Eighty-five** per cent")
    line = services.budget_line_add(
        item_id=action.pk, user=alice, year=plan.start_year, cost_type="revenue", funding_source="Grant", amount=900
    )
    sign_in(page, alice)
    base = f"/plans/{plan.slug}"
    for path in (
        f"{base}/edit/",
        f"{base}/history/",
        f"{base}/items/{action.pk}/",
        f"{base}/items/{action.pk}/move/",
        f"{base}/items/{priority.pk}/delete/",
        f"{base}/items/{priority.pk}/history/",
        f"{base}/summary/",
        f"{base}/?show=priorities",
        f"{base}/editions/",
        f"{base}/as-of/?at=2013-03-18",
        f"{base}/compare/?from=now&to=now",
        f"{base}/items/{action.pk}/links/add/?q=good",
        f"{base}/items/{action.pk}/budget/add/",
        f"{base}/items/{action.pk}/budget/{line.pk}/delete/",
        # self-evaluation and equality impact (decision 0032): nothing recorded yet
        f"{base}/items/{priority.pk}/",
        f"{base}/items/{priority.pk}/self-evaluation/",
        f"{base}/equality/",
        f"{base}/equality/edit/",
        "/map/",
    ):
        visit(page, path)
    visit(page, "/plans/no-such-plan/", status=404)
    visit(page, f"{base}/as-of/?at=not-a-date", status=400)
    assert page.locator("html").get_attribute("lang") == ("cy" if language == "cy" else "en-GB")


def test_the_forbidden_page_passes_axe(page, carol, plan):
    sign_in(page, carol)
    visit(page, f"/plans/{plan.slug}/edit/", status=403)


def test_every_public_page_passes_axe(page, language, alice, bob, council, college):
    world = Council(alice, bob, council, college)
    base = f"/public/plans/{world.plan.slug}"
    for path in (
        "/public/",
        f"{base}/",
        f"{base}/?show=priorities",
        f"{base}/summary/",
        f"{base}/items/{world.action.pk}/",
        f"{base}/editions/",
        f"{base}/editions/{world.plan.editions.get().pk}/",
    ):
        visit(page, path)
    visit(page, "/public/plans/youth/", status=404)
    assert page.locator("html").get_attribute("lang") == ("cy" if language == "cy" else "en-GB")


def test_the_import_pages_pass_axe(page, ada):
    """The plan import's pages (issue 16) for a JSON file: a new plan's preview, one with
    problems, and the result; the spreadsheet's are in tests/browser/test_plan_import.py."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from planning import importing
    from tests.planning.loader.support import BROKEN, VALID

    new = importing.upload_create(SimpleUploadedFile("valid_plan.json", VALID.read_bytes()), user=ada)
    broken = importing.upload_create(SimpleUploadedFile("bad.json", (BROKEN / "dangling_parent.json").read_bytes()),
                                     user=ada)  # fmt: skip
    sign_in(page, ada)
    visit(page, "/imports/")
    visit(page, f"/imports/{new.pk}/")
    visit(page, f"/imports/{broken.pk}/")
    importing.apply(import_id=new.pk, user=ada)
    visit(page, f"/imports/{new.pk}/")


def test_the_theme_and_indicator_pages_pass_axe(page, ada, alice, plan):
    """The shared definitions (issue 17): the journeys are in tests/browser/test_themes.py;
    here the pages they do not reach (editing, a theme with nothing tagged, tagging before
    any theme exists)."""
    from planning import definitions
    from planning.models import Indicator, Theme

    action = add_item(plan, add_item(plan, vision_of(plan), "priority", user=alice), "action", user=alice)
    sign_in(page, alice)
    visit(page, f"/plans/{plan.slug}/items/{action.pk}/themes/")  # no theme yet: says who defines them
    gap = definitions.theme_save(theme=Theme(), user=ada, fields={"name": "Narrowing the gap"})
    shared = definitions.indicator_save(
        indicator=Indicator(), user=ada, fields={"code": "gap", "name": "Gap", "unit": "number", "direction": "lower"}
    )
    for path in (
        f"/plans/{plan.slug}/items/{action.pk}/themes/",
        f"/themes/{gap.slug}/",
        f"/indicators/{shared.code}/edit/",
    ):
        visit(page, path)
    page.context.clear_cookies()
    sign_in(page, ada)
    for path in ("/themes/", "/themes/new/", f"/themes/{gap.slug}/edit/", "/indicators/new/"):
        visit(page, path)
    visit(page, "/themes/no-such-theme/", status=404)


def test_the_inspection_pages_pass_axe(page, alice, estyn, monitored, periods):
    """The inspection pages (issue 18, decision 0030) the journey in
    tests/browser/test_inspection_progress.py does not reach: recording, changing,
    judgements, linking; and a locked quarter's report."""
    sign_in(page, alice)
    base = f"/inspections/{estyn.pk}"
    rec = f"{base}/recommendations/{estyn.first.pk}"
    for path in (
        "/inspections/",
        "/inspections/new/",
        f"{base}/",
        f"{base}/edit/",
        f"{base}/judgements/",
        f"{base}/recommendations/new/",
        f"{rec}/",
        f"{rec}/edit/",
        f"{rec}/actions/",
        f"{rec}/actions/?plan={monitored.slug}",
        f"{rec}/progress/{periods[0].slug}/",
        f"{base}/report/{periods[1].slug}/",
    ):
        visit(page, path)
    visit(page, "/inspections/999/", status=404)
    monitoring_services.period_lock(period_id=periods[0].pk, user=alice)
    visit(page, f"{base}/report/{periods[0].slug}/")  # as locked
    visit(page, f"{rec}/progress/{periods[0].slug}/")  # locked: says so, takes nothing
