"""A quarter of progress returns from start to finish in real browsers.

The admin sees the year's quarters; the plan owner chases everyone outstanding; the
lead officer fills in his action's return (a draft, then, from the keyboard alone, the
submission); the partner fills in her organisation's target on the "fill several"
page without JavaScript, first with a value the unit refuses; the owner returns the
officer's return with a reason, he resubmits, she accepts both; and the target's
progress page shows the trajectory and derived status beside the RAG given. Every
page is checked with axe.

Periods are 2013/14 (all in the past, unlocked): every quarter is open, and overdue.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from monitoring.models import ProgressReturn, ReminderSent
from tests.browser.conftest import field, follow, sign_in, submit, visit
from tests.monitoring import conftest as monitoring_fixtures

pytestmark = pytest.mark.browser

# The monitored plan, its quarters and Q1, shared with tests/monitoring.
monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods
q1 = monitoring_fixtures.q1

ACTION = "Train every maths teacher"
TARGET = "Pupils reaching level 4 in maths"
Q1 = "Q1 2013/14"
DRAFT = "Half the maths teachers are booked on the course."
SUBMITTED = "Every maths teacher is booked on the autumn course."
RETURNED_BECAUSE = "Say how many teachers have finished the course, not just booked."
RESUBMITTED = "31 of 40 maths teachers have finished the course; the rest finish in July."
PARTNER_NARRATIVE = "Mock results: up a point on last year."

State = ProgressReturn.State


def _banner(page):
    return page.locator(".govuk-notification-banner")


def _stored(item, period) -> ProgressReturn:
    return ProgressReturn.objects.get(item=item, period=period)


def _reasons(ret: ProgressReturn) -> list[tuple[str, str]]:
    """Each step of the return's history, oldest first: (reason, who)."""
    rows = ProgressReturn.history.filter(id=ret.pk).order_by("history_date", "history_id")
    return [(row.history_change_reason, row.history_user.username) for row in rows]


def _q1_link(page, table_id: str, title: str):
    """The link to ``title``'s Q1 return in one table of "My returns" (every quarter is open)."""
    row = page.locator(f"table#{table_id} tr", has_text=Q1).filter(has_text=title)
    return row.get_by_role("link", name=title, exact=True)


def test_a_quarter_of_returns_chased_filled_returned_resubmitted_and_accepted(
    live_server, new_context, ada, alice, bob, pat, monitored, periods, q1
):
    action, target = monitored.action, monitored.target
    admin = new_context().new_page()
    owner = new_context().new_page()
    officer = new_context().new_page()
    # The partner works without JavaScript: every form must still work as plain HTML.
    partner = new_context(java_script_enabled=False).new_page()

    # --- The admin sees the year and its four quarters, all open. -----------------------------
    sign_in(admin, ada)
    follow(admin, admin.get_by_role("link", name="Quarters", exact=True))
    year = admin.get_by_role("table", name="2013/14")
    expect(year.locator("tbody tr")).to_have_count(4)
    expect(year.locator(f"#period-{q1.slug}")).to_contain_text("Open")

    # --- The owner opens the quarter from her plan and chases both leads. ----------------------
    sign_in(owner, alice)
    visit(owner, monitored.get_absolute_url())
    follow(owner, owner.get_by_role("link", name="Progress returns"))
    follow(owner, owner.get_by_role("link", name=Q1, exact=True))
    expect(owner.get_by_role("heading", level=1)).to_have_text(f"{Q1} returns")
    submit(owner, owner.get_by_role("button", name="Send reminders for the 2 outstanding returns"))
    expect(_banner(owner)).to_contain_text("Reminders sent to 2 people.")
    reminded = ReminderSent.objects.filter(period=q1, kind=ReminderSent.Kind.CHASE)
    assert sorted(reminded.values_list("recipient__username", flat=True)) == ["bob", "pat"]

    # --- The officer finds his overdue return and saves a draft. -------------------------------
    sign_in(officer, bob)
    follow(officer, officer.get_by_role("link", name="My returns", exact=True))
    expect(officer.locator("table#overdue caption")).to_have_text("Overdue (4)")  # Q1 to Q4
    follow(officer, _q1_link(officer, "overdue", ACTION))
    expect(officer.get_by_text("No return has been started for this quarter.")).to_be_visible()
    follow(officer, officer.get_by_role("link", name="Fill in this return"))
    officer.get_by_label("RAG rating").select_option(label="Amber")
    field(officer, "Narrative").fill(DRAFT)
    submit(officer, officer.get_by_role("button", name="Save as draft"))
    expect(_banner(officer)).to_contain_text("Draft saved. Submit it when it is ready.")
    ret = _stored(action, q1)
    assert (ret.state, ret.rag, ret.narrative, ret.version, ret.author) == (State.DRAFT, "amber", DRAFT, 1, bob)

    # ...then changes it and submits it from the keyboard alone: the skip link, Tab to
    # the rating (chosen by typing), Tab to the narrative, Tab on to the submit button, Enter.
    follow(officer, officer.get_by_role("link", name="Change this return"))
    officer.keyboard.press("Tab")
    expect(officer.get_by_role("link", name="Skip to main content")).to_be_focused()
    officer.keyboard.press("Enter")
    officer.keyboard.press("Tab")
    rag = officer.get_by_label("RAG rating")
    expect(rag).to_be_focused()  # the first control in <main>
    expect(rag).to_have_value("amber")
    officer.keyboard.type("Green")
    expect(rag).to_have_value("green")
    officer.keyboard.press("Tab")
    narrative = field(officer, "Narrative")
    expect(narrative).to_be_focused()
    expect(narrative).to_have_value(DRAFT)
    officer.keyboard.press("ControlOrMeta+A")
    officer.keyboard.type(SUBMITTED)
    send = officer.get_by_role("button", name="Submit to the plan owner")
    for _ in range(12):  # soft outcomes, evidence link and file, next steps, revised date, reason
        officer.keyboard.press("Tab")
        if send.evaluate("button => button === document.activeElement"):
            break
    expect(send).to_be_focused()
    submit(officer, send, key="Enter")
    expect(_banner(officer)).to_contain_text("Return submitted to the plan owner.")
    ret.refresh_from_db()
    assert (ret.state, ret.rag, ret.narrative, ret.submitted_by) == (State.SUBMITTED, "green", SUBMITTED, bob)
    assert _reasons(ret) == [("Draft saved", "bob"), ("Submitted", "bob")]

    # --- The partner fills in the college's target with the others of the quarter (no JS). ------
    sign_in(partner, pat)
    expect(partner.locator("body")).not_to_have_class(re.compile("js-enabled"))
    follow(partner, partner.get_by_role("link", name="My returns", exact=True))
    follow(partner, partner.get_by_role("link", name=f"Fill several {Q1} returns at once"))
    rows = partner.locator("fieldset.app-return-row")
    expect(rows).to_have_count(1)  # pat leads only the target; bob's action is not hers
    row = partner.locator(f"#row-{target.pk}")
    expect(row.locator("legend")).to_contain_text(TARGET)
    row.get_by_label("RAG rating").select_option(label="Green")
    actual = row.get_by_label("Actual value")
    actual.fill("150")
    field(row, "Narrative").fill(PARTNER_NARRATIVE)
    submit(partner, partner.get_by_role("button", name="Submit all"))
    # Refused next to the field; nothing saved. (That the field is *described* by its
    # error is checked in the test below.)
    expect(partner).to_have_title(re.compile(r"^Error: "))
    expect(row.locator(".govuk-error-message")).to_have_text("Error: A percentage must be between 0 and 100.")
    expect(actual).to_have_attribute("aria-invalid", "true")
    expect(actual).to_have_value("150")  # what she typed is kept to put right
    expect(field(row, "Narrative")).to_have_value(PARTNER_NARRATIVE)
    assert not ProgressReturn.objects.filter(item=target).exists()

    actual.fill("71")
    submit(partner, partner.get_by_role("button", name="Submit all"))
    expect(partner.get_by_role("heading", level=1)).to_have_text("My returns")
    expect(_banner(partner)).to_contain_text("1 return submitted.")
    expect(partner.locator("table#awaiting")).to_contain_text(TARGET)
    target_return = _stored(target, q1)
    assert (target_return.state, target_return.rag, target_return.actual_value, target_return.author) == (
        State.SUBMITTED,
        "green",
        Decimal("71.00"),
        pat,
    )

    # --- The owner reviews the officer's return and sends it back with a reason. ---------------
    visit(owner, f"/plans/{monitored.slug}/monitoring/{q1.slug}/")
    expect(owner.locator(".app-summary-counts")).to_contain_text("2 received of 2 (0 accepted, 2 awaiting review)")
    follow(owner, owner.get_by_role("link", name=f"Review {ACTION}"))
    expect(owner.locator(".govuk-summary-list")).to_contain_text(SUBMITTED)
    owner.get_by_label("Return it to the author for changes").check()
    submit(owner, owner.get_by_role("button", name="Save decision"), status=400)  # no reason given
    expect(owner.locator(".govuk-error-summary")).to_contain_text("Say what needs to change")
    assert _stored(action, q1).state == State.SUBMITTED
    owner.get_by_label("Return it to the author for changes").check()
    owner.get_by_label("Reason or comment").fill(RETURNED_BECAUSE)
    submit(owner, owner.get_by_role("button", name="Save decision"))
    expect(_banner(owner)).to_contain_text("Return sent back to the author with your reason.")
    ret.refresh_from_db()
    assert (ret.state, ret.review_note, ret.reviewed_by) == (State.RETURNED, RETURNED_BECAUSE, alice)

    # --- The officer sees it returned, puts it right and resubmits. ----------------------------
    follow(officer, officer.get_by_role("link", name="My returns", exact=True))
    returned = officer.locator("table#returned")
    expect(returned.locator("caption")).to_have_text("Returned to you for changes (1)")
    expect(returned).to_contain_text(f"Returned: {RETURNED_BECAUSE}")
    follow(officer, _q1_link(officer, "returned", ACTION))
    follow(officer, officer.get_by_role("link", name="Change and resubmit this return"))
    expect(officer.locator(".govuk-inset-text")).to_contain_text(
        f"Returned for changes by Alice Owner: {RETURNED_BECAUSE}"
    )
    field(officer, "Narrative").fill(RESUBMITTED)
    submit(officer, officer.get_by_role("button", name="Submit to the plan owner"))
    expect(_banner(officer)).to_contain_text("Return submitted to the plan owner.")
    ret.refresh_from_db()
    assert (ret.state, ret.narrative) == (State.SUBMITTED, RESUBMITTED)

    # --- The owner accepts both returns. -------------------------------------------------------
    visit(owner, f"/plans/{monitored.slug}/monitoring/{q1.slug}/")
    follow(owner, owner.get_by_role("link", name=f"Review {ACTION}"))
    expect(owner.locator(".govuk-summary-list")).to_contain_text(RESUBMITTED)
    owner.get_by_label("Accept the return").check()
    submit(owner, owner.get_by_role("button", name="Save decision"))
    expect(_banner(owner)).to_contain_text("Return accepted. The author has been told.")

    follow(owner, owner.get_by_role("link", name=f"Review {TARGET}"))
    # The college says green; 71 against a trajectory of 72.49 is amber (within 2).
    facts = owner.locator(".govuk-summary-list")
    expect(facts).to_contain_text("71% (trajectory 72.49%, target 80%)")
    expect(facts).to_contain_text("Derived status: Amber differs from the RAG given")
    owner.get_by_label("Accept the return").check()
    submit(owner, owner.get_by_role("button", name="Save decision"))
    expect(owner.locator(".app-summary-counts")).to_contain_text("2 received of 2 (2 accepted, 0 awaiting review)")

    ret.refresh_from_db()
    assert ret.state == State.ACCEPTED and ret.reviewed_by == alice
    assert _reasons(ret) == [
        ("Draft saved", "bob"),
        ("Submitted", "bob"),
        (f"Returned for changes: {RETURNED_BECAUSE}", "alice"),
        ("Resubmitted", "bob"),
        ("Accepted", "alice"),
    ]
    assert _reasons(_stored(target, q1)) == [("Submitted", "pat"), ("Accepted", "alice")]

    # The officer reads the whole story of his return.
    follow(officer, officer.get_by_role("link", name="My returns", exact=True))
    follow(officer, _q1_link(officer, "done", ACTION))
    story = officer.get_by_role("table", name="Each step of this return, newest first")
    expect(story.locator("tbody tr td:nth-child(3)")).to_have_text(
        ["Accepted", "Resubmitted", f"Returned for changes: {RETURNED_BECAUSE}", "Submitted", "Draft saved"]
    )
    expect(officer.get_by_role("link", name=re.compile("Change"))).to_have_count(0)  # accepted: no more changes

    # --- The target's progress, quarter by quarter: trajectory and derived status. -------------
    follow(owner, owner.locator("table.app-returns-table").get_by_role("link", name=TARGET, exact=True))
    follow(owner, owner.get_by_role("link", name="Progress in every quarter"))
    expect(owner.get_by_role("heading", level=1)).to_have_text(f"Progress: {TARGET}")
    table = owner.get_by_role("table", name="Quarter by quarter")
    expect(table.locator("thead th")).to_have_text(
        ["Quarter", "Return", "RAG given", "Trajectory", "Actual", "Derived status"]
    )
    first = table.locator("tbody tr").first
    expect(first.locator("th, td")).to_have_text(
        [Q1, "Accepted", "Green", "72.49%", "71%", "Amber (differs from the RAG given)"]
    )
    expect(table.locator("tbody tr").nth(3).locator("td").nth(2)).to_have_text("80%")  # Q4: the target itself

    # --- The admin's calendar counts the quarter's returns. ------------------------------------
    follow(admin, admin.get_by_role("link", name="Quarters", exact=True))
    expect(admin.locator(f"#period-{q1.slug} td").nth(2)).to_have_text("2")


def _dangling_references(page) -> list[str]:
    """``aria-describedby`` ids on the page that name no element."""
    return page.eval_on_selector_all(
        "[aria-describedby]",
        """elements => elements.flatMap(e => e.getAttribute('aria-describedby').split(/\\s+/)
            .filter(id => id && !document.getElementById(id)).map(id => `${e.id || e.name} -> ${id}`))""",
    )


def test_an_error_on_the_fill_several_page_describes_its_field(live_server, page, pat, monitored, q1):
    sign_in(page, pat)
    visit(page, f"/monitoring/my-returns/{q1.slug}/fill/")
    row = page.locator(f"#row-{monitored.target.pk}")
    actual = row.get_by_label("Actual value")
    actual.fill("150")
    submit(page, page.get_by_role("button", name="Submit all"))
    expect(row.locator(".govuk-error-message")).to_be_visible()
    assert _dangling_references(page) == []
    expect(actual).to_have_accessible_description(re.compile("A percentage must be between 0 and 100."))
