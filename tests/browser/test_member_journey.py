"""An elected member reads the scorecards in a real browser, and can change nothing.

Mel signs in through the login form and lands on the members' home ("Scorecards"):
the approved plan with its latest quarter. One click opens that quarter's scorecard
(Q2, locked by the admin, so shown "as reported to members"): the RAG summary agrees
with the returns, the red action is an exception, the target shows its baseline,
trajectory, actual and derived status, and the trend chart is an image with a table of
the same numbers beside it. The other quarter is one more click. A row drills down to
its return, and the home to the plan: neither offers anything to edit. A draft plan is
neither listed nor reachable. From the scorecard Mel asks for the PDF, reaches the
document's page and downloads it. Every page is checked with axe.

Quarters are 2013/14 (all in the past); the returns are ``reported``'s: Q1 action
green, target amber 71; Q2 action red, target green 76.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from monitoring import services as monitoring_services
from monitoring.models import Document
from planning.models import Plan
from tests.browser.conftest import follow, submit, visit
from tests.factories import PASSWORD, make_plan
from tests.monitoring import conftest as monitoring_fixtures

pytestmark = pytest.mark.browser

# The monitored plan, its quarters, and its returns in Q1 and Q2, shared with tests/monitoring.
monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods
reported = monitoring_fixtures.reported

ACTION = "Train every maths teacher"
TARGET = "Pupils reaching level 4 in maths"
Q1, Q2 = "Q1 2013/14", "Q2 2013/14"
RAGS = ["red", "amber", "green", "complete", "not_started", "none"]  # the trend table's columns
# Link names that would mean a member is being offered a change.
EDITING = re.compile(r"^\s*(edit|fill|review|change|add|move|delete|remove|new|submit|approve|lock|send)\b", re.I)
EDITING_PATHS = ("/edit/", "/review/", "/fill/", "/new/", "/add/", "/move/", "/delete/", "/lock/", "/remind/")


def _sign_in_as_member(page, user) -> None:
    """The real login form; a member lands on the members' home, not the plan list."""
    visit(page, "/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Sign in"))
    assert page.url.endswith(reverse("monitoring:members-home")), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Scorecards")


def _cells(row) -> list[str]:
    return [" ".join(text.split()) for text in row.locator("th, td").all_inner_texts()]


def _table(table) -> list[list[str]]:
    """A table's body rows, header cell first, whitespace squashed."""
    return [_cells(row) for row in table.locator("tbody tr").all()]


def _assert_read_only(page) -> None:
    """No form but the header's search, sign-out and language switch; no link that edits anything."""
    forms = page.locator("form")
    actions = forms.evaluate_all("forms => forms.map(f => f.getAttribute('action'))")
    header = [reverse("planning:search"), reverse("logout"), reverse("partners:switch-language")]
    assert sorted(actions) == sorted(header), f"{page.url}: forms {actions}"
    expect(page.locator("main form, main button, main input, main select, main textarea")).to_have_count(0)
    links = page.locator("a[href]").evaluate_all(
        "links => links.map(a => [a.textContent.replace(/\\s+/g, ' ').trim(), a.getAttribute('href')])"
    )
    offered = [(name, href) for name, href in links if EDITING.match(name) or any(p in href for p in EDITING_PATHS)]
    assert not offered, f"{page.url} offers a member editing links: {offered}"
    expect(page.get_by_role("link", name="My returns")).to_have_count(0)


def test_a_member_reads_the_latest_scorecard_in_one_click_and_changes_nothing(
    live_server, page, ada, mel, reported, periods
):
    q2 = monitoring_services.period_lock(period_id=periods[1].pk, user=ada)
    assert q2.label == Q2

    # --- Mel signs in and lands on the members' home. --------------------------------------------
    _sign_in_as_member(page, mel)
    expect(page.get_by_role("link", name="Scorecards", exact=True)).to_be_visible()
    home = page.get_by_role("table", name="Approved plans with their latest scorecard and every earlier one")
    expect(home.locator("tbody tr")).to_have_count(1)
    [row] = _table(home)
    assert row[0].startswith(reported.title)
    # The latest quarter, locked; the earlier one beside it (link names say whose scorecard).
    assert row[1] == f"{Q2} scorecard for {reported.title} (reported)"
    assert row[2] == f"{Q1} scorecard for {reported.title}"
    _assert_read_only(page)

    # --- One click: the latest scorecard, as reported. ---------------------------------------------
    follow(page, home.get_by_role("link", name=f"{Q2} scorecard for {reported.title}"))
    assert page.url.endswith(reverse("monitoring:scorecard", args=[reported.slug, q2.slug]))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{Q2} scorecard")
    expect(page.get_by_text("As reported to members")).to_be_visible()
    expect(page.get_by_text("Live: as of")).to_have_count(0)

    # The summary agrees with the returns: Q2 has the action red and the target green.
    expect(page.locator("#summary-heading + p")).to_contain_text(
        f"2 of 2 returns received for {Q2}. Since last quarter: 1 improved, 1 worsened, 0 unchanged,"
    )
    summary = page.get_by_role("table", name="Ratings this quarter")
    assert _table(summary) == [
        ["Red", "1", "50%"],
        ["Amber", "0", "0%"],
        ["Green", "1", "50%"],
        ["Complete", "0", "0%"],
        ["Not started", "0", "0%"],
        ["No return", "0", "0%"],
    ]

    # The red action is the one exception, with what its lead said.
    exceptions = page.locator("section[aria-labelledby=exceptions-heading] table")
    [exception] = _table(exceptions)
    assert ACTION in exception[0] and "Bob Officer" in exception[0]
    assert exception[1].startswith("Red") and "Red; was green" in exception[1]
    assert exception[2] == f"Action in {Q2}"

    # The target against its trajectory: baseline 70, expected 75.01 at the end of Q2, actual 76.
    targets = page.locator("section[aria-labelledby=targets-heading] table")
    headers = [" ".join(t.split()) for t in targets.locator("thead th").all_inner_texts()]
    assert headers == ["Target", "Baseline", "Trajectory", "Actual", "Target", "Derived status", "RAG given"]
    [target] = _table(targets)
    assert TARGET in target[0]
    assert target[1:] == ["70%", "75.01%", "76%", "80% by Mar 2014", "Green", "Green"]

    expect(page.get_by_text("Every return has been received.")).to_be_visible()

    # The trend chart is an image with a name, and the table beside it has the same numbers.
    chart = page.get_by_role("img", name="Ratings by quarter")
    expect(chart).to_have_count(1)
    expect(chart).to_have_attribute("aria-labelledby", "trend-title trend-desc")
    trend = page.get_by_role("table", name="Ratings by quarter")
    trend_headers = [" ".join(t.split()) for t in trend.locator("thead th").all_inner_texts()]
    assert trend_headers == ["Quarter", "Red", "Amber", "Green", "Complete", "Not started", "No return"]
    rows = _table(trend)
    assert rows == [[Q1, "0", "1", "1", "0", "0", "0"], [Q2, "1", "0", "1", "0", "0", "0"]]
    assert _bars(chart) == {
        quarter.split(" ")[0]: {rag: int(count) for rag, count in zip(RAGS, counts, strict=True) if int(count)}
        for quarter, *counts in rows
    }

    _assert_read_only(page)

    # --- The other quarter is one more click, and is live (not locked). ---------------------------
    follow(page, page.locator("main .app-actions").get_by_role("link", name=Q1, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{Q1} scorecard")
    expect(page.get_by_text("Live: as of")).to_be_visible()
    assert _table(page.get_by_role("table", name="Ratings this quarter"))[:3] == [
        ["Red", "0", "0%"],
        ["Amber", "1", "50%"],
        ["Green", "1", "50%"],
    ]
    [newly_amber] = _table(page.locator("section[aria-labelledby=exceptions-heading] table"))
    assert TARGET in newly_amber[0] and "Newly amber" in newly_amber[1]
    _assert_read_only(page)

    # --- Back to Q2, and down from the exception to the action's return: read-only too. -----------
    # (A scorecard links only to the quarters before it, so Q2 is reached from the home again.)
    expect(page.locator("main .app-actions").get_by_role("link", name=Q2, exact=True)).to_have_count(0)
    follow(page, page.get_by_role("link", name="Scorecards", exact=True))
    follow(page, page.get_by_role("link", name=f"{Q2} scorecard for {reported.title}"))
    expect(page.get_by_text("As reported to members")).to_be_visible()
    follow(
        page,
        page.locator("section[aria-labelledby=exceptions-heading]").get_by_role(
            "link",
            name=re.compile(f"^[0-9.]* ?{ACTION}"),  # not "Ask a question about … {ACTION}"
        ),
    )
    assert page.url.endswith(reverse("monitoring:return-detail", args=[reported.slug, reported.action.pk, q2.slug])), (
        page.url
    )
    expect(page.locator("main")).to_contain_text(f"Action in {Q2}")
    _assert_read_only(page)
    # ...and the form it would take to change the return is refused, on an accessible page.
    visit(page, reverse("monitoring:return-edit", args=[reported.slug, reported.action.pk, q2.slug]), status=403)
    page.go_back()
    follow(page, page.get_by_role("link", name="The action in the plan"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(ACTION)
    _assert_read_only(page)

    # --- The plan itself, from the members' home: nothing to edit, add, move or delete. ------------
    follow(page, page.get_by_role("link", name="Scorecards", exact=True))
    follow(page, page.get_by_role("link", name=reported.title, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(reported.title)
    expect(page.locator("main")).to_contain_text(ACTION)
    _assert_read_only(page)


def _bars(chart) -> dict[str, dict[str, int]]:
    """What the chart draws: each bar's label and the count each segment stands for,
    worked back from its height (the tallest bar, labelled at the top of the axis, fills
    the plot)."""
    return chart.evaluate(
        """svg => {
          const most = Number(svg.querySelector(':scope > text').textContent);
          const groups = [...svg.querySelectorAll(':scope > g.app-trend__bar')];
          const height = rect => Number(rect.getAttribute('height'));
          const sum = g => [...g.querySelectorAll('rect')].reduce((total, rect) => total + height(rect), 0);
          const tallest = Math.max(...groups.map(sum));
          const bars = {};
          for (const g of groups) {
            const segments = {};
            for (const rect of g.querySelectorAll('rect')) {
              segments[rect.dataset.rag] = Math.round(height(rect) * most / tallest);
            }
            bars[g.querySelector('text').textContent.trim()] = segments;
          }
          return bars;
        }"""
    )


def test_a_draft_plan_is_neither_listed_nor_reachable_for_a_member(live_server, page, alice, mel, reported, periods):
    draft = make_plan(owner=alice, title="Maths hub plan (draft)", slug="maths-hub", status=Plan.Status.DRAFT)

    _sign_in_as_member(page, mel)
    home = page.get_by_role("table", name="Approved plans with their latest scorecard and every earlier one")
    expect(home.locator("tbody tr")).to_have_count(1)
    expect(home).to_contain_text(reported.title)
    expect(page.locator("main")).not_to_contain_text(draft.title)

    # Its scorecard (and the plan) are not found; the "not found" page is accessible too.
    visit(page, reverse("monitoring:scorecard", args=[draft.slug, periods[1].slug]), status=404)
    expect(page.locator("main")).not_to_contain_text(draft.title)
    visit(page, draft.get_absolute_url(), status=404)


# --- The scorecard pack as a PDF ----------------------------------------------------------------

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def stored_pdfs(settings, tmp_path):
    """PDFs are stored under a temporary media root."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _download_pdf(page) -> bytes:
    """From the document's page once it is ready: download the PDF and return its bytes."""
    expect(page.get_by_role("heading", level=2, name="The PDF is ready")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Download the PDF")).click()
    return Path(download.value.path()).read_bytes()


def test_a_member_downloads_the_reported_scorecard_as_a_pdf(
    live_server, page, settings, stored_pdfs, ada, mel, reported, periods
):
    settings.TASKS = IMMEDIATE  # the PDF is produced in the request that asks for it
    q2 = monitoring_services.period_lock(period_id=periods[1].pk, user=ada)
    _sign_in_as_member(page, mel)
    follow(page, page.get_by_role("link", name=f"{Q2} scorecard for {reported.title}"))
    follow(page, page.get_by_role("link", name=re.compile(r"^Download as PDF")))

    document = Document.objects.get()
    assert page.url.endswith(reverse("monitoring:document-status", args=[document.pk])), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Scorecard pack: {Q2} (PDF)")
    assert _download_pdf(page).startswith(b"%PDF")
    assert (document.period, document.requested_by) == (q2, mel)
    _assert_read_only(page)
    follow(page, page.get_by_role("link", name="Back to the scorecard"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{Q2} scorecard")


def test_a_member_waits_for_the_pdf_on_an_accessible_page(
    live_server, page, settings, stored_pdfs, ada, mel, reported, periods
):
    settings.TASKS = DATABASE  # queued until a worker runs
    monitoring_services.period_lock(period_id=periods[1].pk, user=ada)
    _sign_in_as_member(page, mel)
    follow(page, page.get_by_role("link", name=f"{Q2} scorecard for {reported.title}"))
    follow(page, page.get_by_role("link", name=re.compile(r"^Download as PDF")))
    expect(page.locator("main")).to_contain_text("Waiting to start")

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--verbosity", "0")
    # the page's script notices without reloading the page, and says so in its status region
    expect(page.get_by_role("status")).to_contain_text("The PDF is ready", timeout=15_000)
    follow(page, page.get_by_role("link", name="Check now"))
    assert _download_pdf(page).startswith(b"%PDF")
