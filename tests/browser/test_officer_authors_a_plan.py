"""An officer writes a plan from nothing in a real browser: the plan, its vision, a
priority, a costed action, a measured target and a milestone; then edits, reorders
and reads the history. Every page on the way is checked with axe."""

import re

import pytest
from playwright.sync_api import expect

from planning.models import Plan, PlanItem
from tests.browser.conftest import follow, outline, sign_in, submit

pytestmark = pytest.mark.browser

VISION = "Vision for Attendance Business Plan 2014-15"
PRIORITY = "Every pupil in school, every day"
ACTION = "Attendance officers in every secondary school"
ACTION_RENAMED = "Attendance officers in every school"
TARGET = "Primary attendance at 96%"
MILESTONE = "Officers recruited"
SECOND_PRIORITY = "Fewer exclusions"


def _banner(page):
    return page.locator(".govuk-notification-banner")


def _add_under(page, parent_title: str, kind: str):
    follow(page, page.get_by_role("link", name=f"Add {kind} under {parent_title}", exact=True))
    article = "an" if kind[0] in "aeiou" else "a"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Add {article} {kind} under “{parent_title}”")


def _save(page):
    submit(page, page.get_by_role("button", name="Save", exact=True))


def test_officer_creates_a_plan_builds_its_tree_edits_reorders_and_reads_the_history(live_server, page, alice, plan):
    # Sign in and see the plans this officer can read.
    sign_in(page, alice)
    expect(page.get_by_role("link", name=plan.title)).to_be_visible()

    # Create a plan.
    follow(page, page.get_by_role("link", name="Create a plan"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a plan")
    page.get_by_label("Title", exact=True).fill("Attendance Business Plan 2014-15")
    page.get_by_label("Slug").fill("attendance")
    page.get_by_label("Kind").select_option(label="Service business plan")
    page.get_by_label("Owning organisation").select_option(label="School Improvement")
    page.get_by_label("Plan owner").select_option(label="Alice Owner")
    page.get_by_label("Start year").fill("2014")
    page.get_by_label("End year").fill("2015")
    page.locator("#id_summary").fill("Raise attendance in every school.\n\nFocus on persistent absence.")
    submit(page, page.get_by_role("button", name="Create plan"))

    # The new plan's page, with its vision.
    assert page.url.endswith("/plans/attendance/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance Business Plan 2014-15")
    expect(_banner(page)).to_contain_text("Plan “Attendance Business Plan 2014-15” created.")
    expect(page.locator(".app-markdown p")).to_have_text(
        ["Raise attendance in every school.", "Focus on persistent absence."]
    )
    assert outline(page) == [("Vision", "", VISION)]

    # A priority under the vision; first try to save it without a title.
    _add_under(page, VISION, "priority")
    _save(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link", name="Title: This field is required.")).to_have_attribute("href", "#id_title")
    expect(page.locator("#id_title-error")).to_have_text("Error: This field is required.")
    expect(page.get_by_label("Title", exact=True)).to_have_attribute(
        "aria-describedby", re.compile(r"\bid_title-error\b")
    )
    page.get_by_label("Title", exact=True).fill(PRIORITY)
    _save(page)
    expect(_banner(page)).to_contain_text(f"Priority “{PRIORITY}” added.")

    # A costed action under the priority.
    _add_under(page, PRIORITY, "action")
    page.get_by_label("Title", exact=True).fill(ACTION)
    page.get_by_label("Cost (£)").fill("25000")
    page.get_by_label("Cost type").select_option(label="Revenue")
    page.get_by_label("Funding source").fill("Attendance grant")
    _save(page)
    expect(_banner(page)).to_contain_text(f"Action “{ACTION}” added.")

    # A target with its measure under the action.
    _add_under(page, ACTION, "target")
    page.get_by_label("Title", exact=True).fill(TARGET)
    page.get_by_label("Unit").select_option(label="Percentage (%)")
    page.get_by_label("Direction").select_option(label="Higher is better")
    page.get_by_label("Target value").fill("96")
    page.get_by_label("Baseline value").fill("93.5")
    page.get_by_label("Target type").select_option(label="Floor (minimum)")
    _save(page)

    # A milestone under the target.
    _add_under(page, TARGET, "milestone")
    page.get_by_label("Title", exact=True).fill(MILESTONE)
    _save(page)

    # References are derived from the positions in the tree.
    assert outline(page) == [
        ("Vision", "", VISION),
        ("Priority", "1", PRIORITY),
        ("Action", "1.1", ACTION),
        ("Target", "1.1.1", TARGET),
        ("Milestone", "1.1.1.1", MILESTONE),
    ]
    action_pk = PlanItem.objects.get(plan__slug="attendance", title=ACTION).pk
    target_pk = PlanItem.objects.get(plan__slug="attendance", title=TARGET).pk
    expect(page.locator(f"#item-{action_pk} .app-facts")).to_contain_text("£25,000 revenue (Attendance grant)")
    target_facts = page.locator(f"#item-{target_pk} .app-facts")
    expect(target_facts).to_contain_text("Baseline93.5%")
    expect(target_facts).to_contain_text("Target96%")
    expect(target_facts).to_contain_text("Higher is better; floor (minimum)")

    # Rename the action, giving a reason.
    follow(page, page.get_by_role("link", name=f"Edit {ACTION}", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit action")
    page.get_by_label("Title", exact=True).fill(ACTION_RENAMED)
    page.get_by_label("Reason for the change").fill("Primary schools asked to join")
    _save(page)
    expect(_banner(page)).to_contain_text(f"“{ACTION_RENAMED}” saved.")

    # A second priority, then move it above the first.
    _add_under(page, VISION, "priority")
    page.get_by_label("Title", exact=True).fill(SECOND_PRIORITY)
    _save(page)
    assert [ref for _, ref, title in outline(page) if title == SECOND_PRIORITY] == ["2"]
    submit(page, page.get_by_role("button", name=f"Move up {SECOND_PRIORITY}", exact=True))
    expect(_banner(page)).to_contain_text(f"“{SECOND_PRIORITY}” moved up.")
    assert outline(page) == [
        ("Vision", "", VISION),
        ("Priority", "1", SECOND_PRIORITY),
        ("Priority", "2", PRIORITY),
        ("Action", "2.1", ACTION_RENAMED),
        ("Target", "2.1.1", TARGET),
        ("Milestone", "2.1.1.1", MILESTONE),
    ]

    # The action's history shows the old and new title and the reason.
    follow(page, page.get_by_role("link", name=f"History of {ACTION_RENAMED}", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"History of “{ACTION_RENAMED}”")
    changed = page.locator(".app-history-entry").filter(has=page.get_by_role("heading", name=re.compile("^Changed")))
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("Reason: Primary schools asked to join")
    title_row = changed.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Title", exact=True))
    expect(title_row.locator("del")).to_have_text(ACTION)
    expect(title_row.locator("ins")).to_have_text(ACTION_RENAMED)

    created = Plan.objects.get(slug="attendance")
    assert (created.owner, created.organisation.slug) == (alice, "school-improvement")
