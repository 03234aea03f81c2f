"""The demo's evidence in the plan (issue 18): a needs assessment with findings linked to
priorities, success criteria marked outcome or output, and one near-duplicate merged, each
with its history; the alignment report shows what is left to do."""

import pytest
from django.urls import reverse

from demo import evidence_story
from partners.models import User
from planning.models import Finding, Plan, PlanItem, PriorityFinding


@pytest.fixture
def plan(demo_output, db) -> Plan:
    return Plan.objects.get(slug=evidence_story.PLAN)


def test_the_needs_assessment_has_numbered_findings_linked_to_priorities(plan, demo_output):
    assert "Evidence in the plan" in demo_output
    findings = list(Finding.objects.filter(plan=plan))
    assert [f.number for f in findings] == [1, 2, 3, 4]
    assert all(f.source is not None and f.history.get().history_user == plan.owner for f in findings)
    linked = PriorityFinding.objects.filter(priority__plan=plan)
    assert {link.priority.title for link in linked} == {title for _t, _s, ps in evidence_story.FINDINGS for title in ps}
    for link in linked:
        row = PriorityFinding.history.get(id=link.pk)
        assert (row.history_user, row.history_change_reason) == (plan.owner, "From the 2013 needs assessment")


def test_actions_carry_success_criteria_marked_outcome_or_output(plan):
    for title, (criteria, result) in evidence_story.CRITERIA.items():
        item = PlanItem.objects.get(plan=plan, title=title)
        assert (item.success_criteria, item.result_kind) == (criteria, result)
        assert item.history.latest().history_change_reason == "Success criteria agreed with headteachers"


def test_one_near_duplicate_is_merged_and_the_report_counts_it(client, plan):
    merged = PlanItem.objects.get(plan=plan, title=evidence_story.MERGED)
    assert (merged.merged_into.plan.slug, merged.merged_into.title) == evidence_story.MERGED_INTO
    assert merged.history.latest().history_change_reason == evidence_story.MERGE_REASON
    client.force_login(User.objects.get(username="admin"))
    report = client.get(reverse("planning:council-alignment")).context["report"]
    assert report.items_merged == 1
    found = client.get(reverse("planning:council-duplicates")).context["found"]
    grouped = {item.pk for group in found.groups for item in group.items}
    assert merged.pk not in grouped and merged.merged_into_id not in grouped  # dealt with: out of the list
    page = client.get(reverse("planning:plan-alignment", args=[plan.slug]))
    flagged = [row.item.title for row in page.context["report"].priorities_without_evidence]
    assert flagged == ["Work with every school, whatever its status"]
    assert evidence_story.MERGED not in [row.item.title for row in page.context["report"].actions_without_criteria]


def test_the_pages_read_as_on_a_small_plan(client, plan, django_assert_num_queries):
    client.force_login(User.objects.get(username="admin"))
    with django_assert_num_queries(6):  # as tests/test_queries_per_persona.py pins it
        assert client.get(reverse("planning:needs-assessment", args=[plan.slug])).status_code == 200
