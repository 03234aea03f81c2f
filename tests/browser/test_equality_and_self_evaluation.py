"""Self-evaluation and the equality impact assessment in a real browser (issue 18, decision
0032): the council requires a screening before approval, so the owner's first approval is
refused with the message beside the box; they screen the plan, approve it, and find the
screening printed as it stood at the approved edition. An officer records a priority's
self-evaluation. Every page is checked with axe."""

import pytest
from playwright.sync_api import expect

from planning.models import EqualityImpact, Plan
from tests.browser.conftest import follow, sign_in, submit, visit
from tests.factories import add_item, vision_of

pytestmark = pytest.mark.browser


def test_an_officer_completes_the_screening_and_the_plan_is_approved_only_then(live_server, page, alice, plan, council):
    council.requires_equality_impact = True
    council.save()
    add_item(plan, vision_of(plan), "priority", user=alice, title="Raise standards")

    sign_in(page, alice)
    visit(page, f"/plans/{plan.slug}/status/")
    approve = page.get_by_role("region", name="Approve the plan")
    expect(approve).to_contain_text("not complete yet")
    approve.get_by_label("Approving body", exact=True).fill("Cabinet")
    approve.get_by_label("Date approved").fill("2013-03-18")
    approve.get_by_label("The approving body had the equality impact assessment before it").check()
    submit(page, approve.get_by_role("button", name="Approve plan"))
    expect(page.get_by_role("alert")).to_contain_text("requires a complete equality impact assessment")
    expect(page.locator("#approve-equality_impact-error")).to_contain_text(
        "No equality impact assessment has been recorded."
    )
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT

    follow(page, page.get_by_role("link", name="Read the equality impact assessment"))
    follow(page, page.get_by_role("link", name="Screen the plan"))
    for _key, label in EqualityImpact.Characteristic.choices:
        group = page.get_by_role("group", name=f"Impact on {label} (optional)", exact=True)
        group.get_by_label("Neutral" if label != "Sex" else "Negative", exact=True).check()
    page.get_by_label("Overall conclusion").fill("No unlawful discrimination.")
    submit(page, page.get_by_role("button", name="Save the assessment"))  # a negative impact needs mitigation
    expect(page.get_by_role("alert")).to_contain_text("Say how a negative impact is mitigated.")
    page.get_by_label("Mitigation or comment on Sex (optional)", exact=True).fill("A writing programme for boys.")
    submit(page, page.get_by_role("button", name="Save the assessment"))
    main = page.locator("main")
    expect(main).to_contain_text("Equality impact assessment saved.")
    expect(main).to_contain_text("A writing programme for boys.")
    expect(main).to_contain_text("Screened by Alice Owner")

    visit(page, f"/plans/{plan.slug}/status/")
    approve = page.get_by_role("region", name="Approve the plan")
    expect(approve).to_contain_text("this plan’s is complete")
    approve.get_by_label("Approving body", exact=True).fill("Cabinet")
    approve.get_by_label("Date approved").fill("2013-03-18")
    approve.get_by_label("The approving body had the equality impact assessment before it").check()
    submit(page, approve.get_by_role("button", name="Approve plan"))
    expect(main).to_contain_text("Approved by Cabinet, 18 March 2013")
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.APPROVED

    follow(page, page.get_by_role("link", name=plan.title).first)
    follow(page, page.get_by_role("link", name="Editions and past views"))
    follow(page, page.get_by_role("link", name="Approved by Cabinet, 18 March 2013", exact=True))
    follow(page, page.get_by_role("link", name="The equality impact assessment as it stood then"))
    expect(main).to_contain_text("As it stood at Approved by Cabinet, 18 March 2013")
    expect(main).to_contain_text("A writing programme for boys.")


def test_an_officer_records_a_prioritys_self_evaluation(live_server, page, alice, bob, plan):
    priority = add_item(plan, vision_of(plan), "priority", user=alice, title="Raise standards")
    sign_in(page, bob)
    visit(page, priority.get_absolute_url())
    follow(page, page.get_by_role("link", name="Record a self-evaluation"))
    submit(page, page.get_by_role("button", name="Record the self-evaluation"))  # no judgement chosen
    expect(page.get_by_role("alert")).to_contain_text("This field is required.")
    page.get_by_label("Adequate and needs improvement").check()
    page.get_by_label("Areas for improvement").fill("Boys' writing at key stage 2.")
    submit(page, page.get_by_role("button", name="Record the self-evaluation"))
    main = page.locator("main")
    expect(main).to_contain_text("Self-evaluation recorded.")
    expect(main).to_contain_text("2013/14: Adequate and needs improvement")
    expect(main).to_contain_text("Boys' writing at key stage 2.")
