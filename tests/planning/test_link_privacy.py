"""Links into plans a reader may not read show that a link exists, not what it links to
(issue 12, item 12).

A partner reads the plans shared with their organisation and a member the approved ones
(and drafts they were invited to scrutinise). Where an item of such a plan links to, or
is linked from, an item of a plan they may not read, every page that follows the thread
(the item page both ways, the plan page, the plan as it stood, the plan PDF) says "An
item in a plan not shared with you": no title, plan, organisation, note or address.
Officers and admins read every plan and see every link in full."""

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring import documents
from monitoring.models import Document
from monitoring.tasks import CHANGED_MESSAGE, render_document
from planning import lifecycle, plan_document, services
from planning.access import hidden_plans
from planning.models import Plan, PlanShare
from planning.selectors import HIDDEN_ITEM
from tests.factories import OrganisationFactory, add_item, make_plan, vision_of

SECRETS = ["Covert operation", "Hidden priority", "Police Secret Plan", "Constabulary", "Briefed at Gold"]


@pytest.fixture
def thread(plan, alice, college, bob):
    """``plan`` approved and shared with the college; a draft police plan shared with no
    one, linked both ways with ``plan``."""
    police = OrganisationFactory(name="Constabulary", slug="police")
    secret = make_plan(owner=alice, organisation=police, title="Police Secret Plan", slug="secret")
    hidden_priority = add_item(secret, vision_of(secret), "priority", title="Hidden priority")
    covert = add_item(secret, hidden_priority, "action", title="Covert operation")
    priority = add_item(plan, vision_of(plan), "priority", title="Raise attainment")
    action = add_item(plan, priority, "action", title="Train every teacher")
    open_priority = add_item(plan, vision_of(plan), "priority", title="Open priority")
    services.link_add(
        source_id=action.pk, target_id=hidden_priority.pk, relation="contributes_to", note="Briefed at Gold", user=alice
    )
    services.link_add(source_id=covert.pk, target_id=priority.pk, relation="contributes_to", user=alice)
    services.link_add(source_id=action.pk, target_id=open_priority.pk, relation="depends_on", user=alice)
    PlanShare.objects.create(plan=plan, organisation=college)
    lifecycle.plan_approve(plan=plan, user=alice, approved_by="Cabinet", approved_on=timezone.localdate())
    plan.refresh_from_db()
    return plan, priority, action, secret, covert


def _pages(client, thread) -> dict[str, str]:
    plan, priority, action, _, _ = thread
    return {
        name: client.get(url).content.decode()
        for name, url in {
            "item page, links out": reverse("planning:item-detail", args=[plan.slug, action.pk]),
            "item page, links back": reverse("planning:item-detail", args=[plan.slug, priority.pk]),
            "plan page": plan.get_absolute_url(),
            "plan as it stood": reverse("planning:plan-as-of", args=[plan.slug]),
        }.items()
    }


def _leaks(page: str, secret: Plan, covert) -> list[str]:
    found = [text for text in SECRETS if text in page]
    found += [url for url in (f"/plans/{secret.slug}/", f"/i/{covert.pk}/") if url in page]
    return found


@pytest.mark.parametrize("reader", ["pat", "mel"])
def test_a_reader_sees_that_a_link_exists_but_not_what_it_links_to(client, request, thread, reader):
    _, _, _, secret, covert = thread
    client.force_login(request.getfixturevalue(reader))
    for name, page in _pages(client, thread).items():
        assert _leaks(page, secret, covert) == [], name
        assert HIDDEN_ITEM in page, name
        if name != "item page, links back":  # a link within what they may read is shown in full
            assert "Depends on" in page and "Open priority" in page, name


def test_the_links_themselves_are_still_followed(client, pat, thread):
    plan, priority, action, _, _ = thread
    client.force_login(pat)
    page = client.get(reverse("planning:item-detail", args=[plan.slug, action.pk])).content.decode()
    assert f"Contributes to {HIDDEN_ITEM}" in " ".join(page.split())
    back = client.get(reverse("planning:item-detail", args=[plan.slug, priority.pk])).content.decode()
    assert f"Is contributed to by {HIDDEN_ITEM}" in " ".join(back.split())


def test_officers_see_every_link_in_full(client, bob, thread):
    client.force_login(bob)
    for name, page in _pages(client, thread).items():
        assert HIDDEN_ITEM not in page, name
        assert "Hidden priority" in page or "Covert operation" in page, name


def test_once_the_plan_is_shared_the_reader_sees_the_link_in_full(client, pat, college, thread):
    _, _, _, secret, _ = thread
    PlanShare.objects.create(plan=secret, organisation=college)
    client.force_login(pat)
    for name, page in _pages(client, thread).items():
        assert HIDDEN_ITEM not in page, name


def test_the_plan_page_is_not_served_from_another_readers_cache(client, bob, pat, thread):
    """The plan page's outline is cached: what the reader may see is part of its key."""
    plan = thread[0]
    client.force_login(bob)
    assert "Hidden priority" in client.get(plan.get_absolute_url()).content.decode()
    client.force_login(pat)
    assert "Hidden priority" not in client.get(plan.get_absolute_url()).content.decode()


def test_the_plan_pdf_a_partner_gets_hides_the_link_and_an_officers_shows_it(pat, bob, thread):
    plan, _, _, secret, covert = thread
    partners = documents.request_plan_pdf(pat, plan)
    officers = documents.request_plan_pdf(bob, plan)
    assert partners.key != officers.key  # one PDF for each view of the thread
    html = plan_document.plan_document_html(plan, hidden=hidden_plans(partners.key))
    assert _leaks(html, secret, covert) == [] and HIDDEN_ITEM in html
    assert "Hidden priority" in plan_document.plan_document_html(plan, hidden=hidden_plans(officers.key))


@pytest.mark.parametrize("reader", ["pat", "mel"])
def test_the_other_pages_that_follow_the_thread_show_nothing_of_the_hidden_plan(client, request, thread, reader):
    """Checked once for the same leak; these pages read only the plans the reader may read."""
    plan, _, action, secret, covert = thread
    client.force_login(request.getfixturevalue(reader))
    for url in (
        reverse("planning:search") + "?q=operation",
        reverse("planning:search") + "?q=priority",
        reverse("planning:plan-map"),
        reverse("planning:council-alignment"),
        reverse("planning:plan-alignment", args=[plan.slug]),
        reverse("planning:plan-summary", args=[plan.slug]),
        reverse("planning:plan-compare", args=[plan.slug]) + "?from=2000-01-01",
        reverse("planning:plan-compare", args=[plan.slug]) + "?from=2000-01-01&format=csv",
        reverse("planning:plan-comments", args=[plan.slug]),
        reverse("planning:item-history", args=[plan.slug, action.pk]),
        reverse("planning:plan-history", args=[plan.slug]),
        reverse("monitoring:plan-export", args=[plan.slug, "csv"]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _leaks(response.content.decode(), secret, covert) == [], url


def test_a_link_added_while_a_partners_pdf_waits_never_reaches_that_pdf(settings, pat, alice, thread):
    """The PDF's key names what its readers may not see at the moment it was asked for;
    a render after the plan changed is not kept (the next request names the new moment)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
    plan, _, action, _, _ = thread
    document = documents.request_plan_pdf(pat, plan)
    police = OrganisationFactory(name="Fire Service", slug="fire")
    other = make_plan(owner=alice, organisation=police, title="Fire Secret Plan", slug="fire-secret")
    target = add_item(other, vision_of(other), "priority", title="Another hidden priority")
    services.link_add(source_id=action.pk, target_id=target.pk, relation="contributes_to", note="", user=alice)
    assert render_document.call(document.pk) == "failed"
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED and not document.file
    assert str(CHANGED_MESSAGE) in document.error
    again = documents.request_plan_pdf(pat, plan)  # asked again: the new moment, the new plan hidden
    assert again.pk != document.pk and other.pk in hidden_plans(again.key)


def test_a_link_end_in_a_plan_deleted_since_stays_hidden_in_the_past_view(client, pat, thread):
    plan, _, _, secret, covert = thread
    before = timezone.now()
    Plan.objects.filter(pk=secret.pk).delete()
    client.force_login(pat)
    response = client.get(reverse("planning:plan-as-of", args=[plan.slug]), {"at": before.isoformat()})
    page = response.content.decode()
    assert response.status_code == 200 and "Raise attainment" in page
    assert _leaks(page, secret, covert) == []
