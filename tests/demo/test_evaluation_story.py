"""The demo's self-evaluation and equality impact assessment (issue 18): the corporate plan's
four priorities judged on Estyn's scale with who and why; its screening complete, covering
every characteristic, kept with an edition; the council requiring one before approval, so a
draft's status page says what is missing; the pages read in their pinned queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo import evaluation_story
from partners.models import Organisation, User
from planning import evaluation
from planning.models import EqualityImpact, Plan, PlanItem, SelfEvaluation
from tests.test_queries_per_persona import EVALUATION


def test_the_corporate_priorities_are_judged_on_estyns_scale(demo_output, db):
    assert "Self-evaluation and equality" in demo_output
    plan = Plan.objects.get(slug=evaluation_story.CORPORATE)
    judged = SelfEvaluation.objects.filter(item__plan=plan).select_related("item", "level", "recorded_by")
    assert {judgement.item.title for judgement in judged} == set(evaluation_story.JUDGEMENTS)
    priorities = PlanItem.objects.filter(plan=plan, kind="priority", parent__parent__isnull=True)
    assert judged.count() == priorities.count() == 4
    for judgement in judged:
        assert judgement.recorded_by == plan.owner and judgement.year == 2013 and judgement.areas_for_improvement
        assert judgement.history.get().history_change_reason == "Self-evaluation recorded"
    assert {judgement.level.name for judgement in judged} >= {"Good", "Adequate and needs improvement"}


def test_the_corporate_plan_is_screened_in_full_and_kept_with_an_edition(client, demo_output, db):
    plan = Plan.objects.get(slug=evaluation_story.CORPORATE)
    found = evaluation.screening(plan)
    assert found.complete and found.assessment.screened_by == plan.owner
    assert {line.key for line in found.lines} == {key for key, _ in EqualityImpact.Characteristic.choices}
    edition = plan.editions.get(name="Equality impact assessment agreed")
    assert evaluation.assessment_at(plan, edition.moment).complete
    client.force_login(User.objects.get(username="member"))
    url = reverse("planning:plan-equality", args=[plan.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as counted:
        page = client.get(url + f"?edition={edition.pk}")
    assert page.status_code == 200 and "attainment gap: a targeted writing programme" in page.content.decode()
    assert len(counted) == EVALUATION["equality"] + 2  # the edition, and the screener read from history


def test_the_council_requires_a_screening_before_approval(client, demo_output, db):
    council = Organisation.objects.get(kind="council", parent__isnull=True, slug="northmoor")
    assert council.requires_equality_impact
    assert council.history.first().history_user.username == "admin"
    draft = Plan.objects.get(slug="educational-psychology-2013-14")
    assert evaluation.approval_problem(draft) is not None
    client.force_login(draft.owner)
    page = client.get(reverse("planning:plan-status", args=[draft.slug])).content.decode()
    assert "is not complete yet" in page


def test_a_member_reads_a_judged_priority_in_the_pinned_queries(client, demo_output, db):
    priority = PlanItem.objects.get(
        plan__slug=evaluation_story.CORPORATE, title="Run a modern council that spends every pound well"
    )
    client.force_login(User.objects.get(username="member"))
    url = priority.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as counted:
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "2013/14: Unsatisfactory and needs urgent improvement" in html
    # one more than on the small council: which plans linking here the member may not read
    assert len(counted) == EVALUATION["priority"] + 1
