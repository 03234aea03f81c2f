"""Members' questions in a real browser (issue 17, decision 0022): an elected member follows
a corporate priority down the thread to a service action and asks its lead a question from
the plan's scorecard; the lead signs in, finds it beside their returns and answers it; the
member reads the answer in the scorecard. Every page is checked with axe (an empty question
too, refused beside its field)."""

import re

import pytest
from playwright.sync_api import expect

from monitoring.models import MemberQuestion
from tests.browser.conftest import follow, sign_in, submit, visit
from tests.monitoring import conftest as monitoring_fixtures
from tests.monitoring import test_thread_rollup

pytestmark = pytest.mark.browser

monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods
reported = monitoring_fixtures.reported
thread = test_thread_rollup.thread

QUESTION = "What will bring the maths training back to green, and by when?"
ANSWER = "Two trainers start in January; every maths teacher is trained by the end of March."


def test_a_member_asks_the_lead_who_answers_and_the_member_reads_the_answer(
    live_server, new_context, thread, mel, bob, periods
):
    plan, q2 = thread["plan"], periods[1]
    member = new_context().new_page()
    lead = new_context().new_page()

    # --- The member follows the corporate priority down to the service action. ---------------------
    sign_in(member, mel)
    visit(member, f"/plans/corporate/items/{thread['p'].pk}/")
    follow(member, member.get_by_role("link", name="What contributes to this"))
    follow(member, member.get_by_role("link", name=re.compile("Train every maths teacher")).first)
    expect(member.get_by_role("heading", level=1)).to_have_text("Train every maths teacher")

    # --- From the plan's Q2 scorecard, she asks about the action (red: an exception). -------------
    visit(member, f"/plans/{plan.slug}/scorecards/{q2.slug}/")
    exceptions = member.locator("section", has=member.locator("#exceptions-heading"))
    ask = exceptions.get_by_role("link", name=re.compile("Ask a question about .*Train every maths teacher"))
    follow(member, ask)
    expect(member.get_by_role("heading", level=1)).to_have_text("Ask a question")
    expect(member.locator("main")).to_contain_text("Bob Officer")
    submit(member, member.get_by_role("button", name="Send the question"))  # empty: refused beside the field
    expect(member.locator(".govuk-error-message")).to_contain_text("Enter your question")
    member.get_by_label("Your question").fill(QUESTION)
    submit(member, member.get_by_role("button", name="Send the question"))
    expect(member.locator("main")).to_contain_text("Awaiting an answer")
    question = MemberQuestion.objects.get()

    # --- The lead finds it beside his returns and answers it. --------------------------------------
    sign_in(lead, bob)
    follow(lead, lead.get_by_role("link", name="My returns", exact=True))
    expect(lead.locator("table#questions caption")).to_contain_text("Members’ questions for you to answer (1")
    follow(lead, lead.locator("table#questions").get_by_role("link", name=re.compile("What will bring")))
    lead.get_by_label("Your answer").fill(ANSWER)
    submit(lead, lead.get_by_role("button", name="Send the answer"))
    expect(lead.locator("main")).to_contain_text(ANSWER)
    expect(lead.get_by_role("button", name="Send the answer")).to_have_count(0)
    question.refresh_from_db()
    assert (question.state, question.answered_by) == (MemberQuestion.State.ANSWERED, bob)

    # --- The member reads the answer in the scorecard, and in the plan's list. ----------------------
    visit(member, f"/plans/{plan.slug}/scorecards/{q2.slug}/")
    answered = member.locator("table#questions-answered")
    expect(answered).to_contain_text(QUESTION)
    expect(answered).to_contain_text(ANSWER)
    follow(member, member.get_by_role("link", name=re.compile("^Every question on this plan")))
    expect(member.get_by_role("table", name=re.compile("Answered"))).to_contain_text("What will bring")
