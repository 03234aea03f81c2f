"""Writing a plan together, in real browsers (issue 15): the owner sets up a drafting group
and a partner in it writes their part (and is refused elsewhere, and after removal); a
partnership plan is signed off by each organisation's plan lead, then approved, and the
edition names the sign-offs. Every page is checked with axe."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partners.models import Organisation, User
from planning.models import DraftingGroupMember, Edition, Plan, PlanItem
from tests.browser.conftest import field, follow, sign_in, submit, visit
from tests.factories import OrganisationFactory, UserFactory, add_item, make_partnership, vision_of

pytestmark = pytest.mark.browser


def _banner(page):
    return page.locator(".govuk-notification-banner")


def test_a_partner_in_a_drafting_group_writes_their_part_and_only_there(live_server, new_context, alice, pat, plan):
    healthy = add_item(plan, vision_of(plan), "priority", user=alice, title="Healthy people")
    safe = add_item(plan, vision_of(plan), "priority", user=alice, title="Safe communities")
    owner, partner = new_context().new_page(), new_context().new_page()

    # The owner gives "Healthy people" to a group and adds the partner to it.
    sign_in(owner, alice)
    visit(owner, plan.get_absolute_url())
    follow(owner, owner.get_by_role("link", name="Drafting groups"))
    owner.get_by_label("Name of the group").fill("Health sub-group")
    owner.get_by_label("The part it writes").select_option(label="1 Healthy people")
    submit(owner, owner.get_by_role("button", name="Set up the group"))
    expect(_banner(owner)).to_contain_text("Drafting group “Health sub-group” set up.")
    owner.get_by_label("Email address of the person to add").fill("nobody@example.org")
    submit(owner, owner.get_by_role("button", name="Add to the group"), status=400)
    expect(owner.locator(".govuk-error-summary")).to_contain_text("Nobody active has that email address here")
    owner.get_by_label("Email address of the person to add").fill(pat.email)
    submit(owner, owner.get_by_role("button", name="Add to the group"))
    expect(_banner(owner)).to_contain_text("Pat Partner can now write “Healthy people”")

    # The partner finds their part from the plan page and adds and changes an action in it.
    sign_in(partner, pat)
    follow(partner, partner.get_by_role("link", name=plan.title))
    follow(partner, partner.get_by_role("link", name="write “Healthy people”"))
    expect(partner.locator(".govuk-inset-text")).to_contain_text("You are drafting “Healthy people”")
    follow(partner, partner.get_by_role("link", name="Add an action under this"))
    field(partner, "Title").fill("Walking groups in every town")
    submit(partner, partner.get_by_role("button", name="Save", exact=True))
    added = PlanItem.objects.get(title="Walking groups in every town")
    assert added.parent_id == healthy.pk
    assert PlanItem.history.get(id=added.pk).history_user_id == pat.pk
    visit(partner, added.get_absolute_url())
    follow(partner, partner.get_by_role("link", name="Edit", exact=True))
    field(partner, "Title").fill("Walking groups in every town and village")
    submit(partner, partner.get_by_role("button", name="Save", exact=True))
    assert PlanItem.objects.get(pk=added.pk).title == "Walking groups in every town and village"

    # Outside the part: no edit link, and the address is refused.
    visit(partner, safe.get_absolute_url())
    expect(partner.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    visit(partner, f"/plans/{plan.slug}/items/{safe.pk}/edit/", status=403)

    # Removed from the group, the partner can no longer reach the draft at all.
    visit(owner, f"/plans/{plan.slug}/drafting/")
    follow(owner, owner.get_by_role("link", name="Health sub-group"))
    submit(owner, owner.get_by_role("button", name="Remove Pat Partner from the group"))
    expect(_banner(owner)).to_contain_text("Pat Partner is no longer in “Health sub-group”")
    assert not DraftingGroupMember.objects.exists()
    visit(partner, f"/plans/{plan.slug}/items/{added.pk}/edit/", status=404)


def test_a_partnership_plan_is_signed_off_by_each_organisation_then_approved(
    live_server, new_context, alice, service, plan
):
    health = OrganisationFactory(name="Health Board", slug="health", kind=Organisation.Kind.HEALTH)
    hal = UserFactory(username="hal", first_name="Hal", last_name="Health", organisation=health, role=User.Role.PARTNER)
    plan.partnership = make_partnership("Local Service Board", {service: [alice], health: [hal]})
    plan.kind = Plan.Kind.SINGLE_INTEGRATED
    plan.save()
    today = timezone.localdate()
    owner, lead = new_context().new_page(), new_context().new_page()

    # The health board's plan lead reads the draft and signs off with a condition.
    sign_in(lead, hal)
    follow(lead, lead.get_by_role("link", name=plan.title))
    follow(lead, lead.get_by_role("link", name="Drafting and sign-off"))
    lead.get_by_label("Condition (optional)").fill("the school nurse service is funded")
    submit(lead, lead.get_by_role("button", name="Sign off for Health Board"))
    expect(_banner(lead)).to_contain_text("Health Board has signed off")

    # The owner cannot approve before the council's own sign-off...
    sign_in(owner, alice)
    visit(owner, f"/plans/{plan.slug}/status/")
    owner.get_by_label("Approving body").fill("the Local Service Board")
    owner.get_by_label("Date approved").fill(today.isoformat())
    expect(owner.locator(".govuk-warning-text")).to_contain_text("Waiting for sign-off from School Improvement")
    submit(owner, owner.get_by_role("button", name="Approve plan"))
    expect(owner.locator(".govuk-error-summary")).to_contain_text("waiting for School Improvement")
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT

    # ...signs off for the service, then approves: the edition names both sign-offs.
    visit(owner, f"/plans/{plan.slug}/drafting/")
    submit(owner, owner.get_by_role("button", name="Sign off for School Improvement"))
    expect(owner.get_by_role("table")).not_to_contain_text("Waiting")
    visit(owner, f"/plans/{plan.slug}/status/")
    owner.get_by_label("Approving body").fill("the Local Service Board")
    owner.get_by_label("Date approved").fill(today.isoformat())
    submit(owner, owner.get_by_role("button", name="Approve plan"))
    expect(_banner(owner)).to_contain_text("Plan approved.")
    edition = Edition.objects.get(plan=plan)
    assert "Health Board: signed off by Hal Health" in edition.note
    assert "on condition that the school nurse service is funded" in edition.note
    visit(owner, f"/plans/{plan.slug}/editions/")
    expect(owner.get_by_role("table", name="Named editions")).to_contain_text("signed off by Hal Health")
