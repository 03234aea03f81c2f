"""Self-evaluation of priorities (issue 18, decision 0032): a judgement per financial year
against the framework in use, recorded by whoever may change the plan, shown on the
priority's page with every earlier judgement, and carried into next year's draft."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from planning import evaluation, lifecycle
from planning.models import CarriedEvaluation, EvaluationFramework, EvaluationLevel, PlanItem, SelfEvaluation
from planning.plan_document import plan_document_html
from tests.factories import add_item, vision_of

ESTYN = [
    "Excellent",
    "Good",
    "Adequate and needs improvement",
    "Unsatisfactory and needs urgent improvement",
]


@pytest.fixture
def priority(plan, alice):
    return add_item(plan, vision_of(plan), "priority", title="Raise standards in literacy")


def level(name: str) -> EvaluationLevel:
    """A level of the framework in use (Estyn's, made on first use)."""
    return next(level for level in evaluation.levels_in_use() if level.name == name)


def url(item, name="item-self-evaluation"):
    return reverse(f"planning:{name}", args=[item.plan.slug, item.pk])


def judge(item, user, name="Good", year=2013, **text):
    return evaluation.self_evaluation_record(item_id=item.pk, user=user, year=year, level=level(name), **text)


def test_estyns_four_point_scale_is_made_in_use_with_its_history(db):
    evaluation.levels_in_use()
    framework = EvaluationFramework.objects.get(in_use=True)
    assert [level.name for level in framework.levels.order_by("position")] == ESTYN
    assert framework.history.get().history_change_reason.startswith("Estyn")


def test_an_officer_who_may_change_the_plan_records_a_judgement(client, bob, priority):
    client.force_login(bob)
    page = client.get(url(priority))
    assert page.status_code == 200 and "Adequate and needs improvement" in page.content.decode()
    response = client.post(
        url(priority),
        {
            "year": "2013",
            "level": level("Adequate and needs improvement").pk,
            "strengths": "Reading ages rose in most schools.",
            "areas_for_improvement": "Boys' writing at key stage 2.",
            "evidence": "[Estyn report](https://example.org/estyn)",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#self-evaluation")
    made = SelfEvaluation.objects.get()
    assert (made.item, made.year, made.level.name, made.recorded_by) == (
        priority,
        2013,
        "Adequate and needs improvement",
        bob,
    )
    assert made.history.get().history_change_reason == "Self-evaluation recorded"
    page = client.get(priority.get_absolute_url()).content.decode()
    assert "2013/14: Adequate and needs improvement" in page and "Boys' writing at key stage 2." in page
    assert 'href="https://example.org/estyn"' in page and "Record a self-evaluation" in page


@pytest.mark.parametrize(("persona", "status"), [("carol", 403), ("pat", 404), ("mel", 404)])
def test_those_who_may_not_change_the_plan_cannot_record_one(client, request, priority, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(priority)).status_code == status
    assert client.post(url(priority), {"year": "2013", "level": level("Good").pk}).status_code == status
    assert not SelfEvaluation.objects.exists()


def test_a_reader_who_may_not_change_sees_judgements_but_not_the_link(client, carol, alice, priority):
    judge(priority, alice, "Excellent")
    client.force_login(carol)
    page = client.get(priority.get_absolute_url()).content.decode()
    assert "2013/14: Excellent" in page and "Record a self-evaluation" not in page


def test_the_service_refuses_those_who_may_not_change_the_plan(carol, priority):
    with pytest.raises(PermissionDenied):
        judge(priority, carol)
    assert not SelfEvaluation.objects.exists()


def test_only_a_priority_is_self_evaluated(client, alice, plan, priority):
    action = add_item(plan, priority, "action")
    client.force_login(alice)
    assert client.get(url(action)).status_code == 404
    with pytest.raises(ValidationError):
        judge(action, alice)


def test_a_level_of_a_framework_not_in_use_is_refused(alice, priority):
    old = EvaluationFramework.objects.create(name="Old scale")
    stale = EvaluationLevel.objects.create(framework=old, position=1, name="Fine")
    with pytest.raises(ValidationError) as refused:
        evaluation.self_evaluation_record(item_id=priority.pk, user=alice, year=2013, level=stale)
    assert "level" in refused.value.message_dict


def test_a_missing_judgement_gets_a_message_beside_its_field(client, alice, priority):
    client.force_login(alice)
    response = client.post(url(priority), {"year": "2013"})
    assert response.status_code == 200 and "level" in response.context["form"].errors
    assert not SelfEvaluation.objects.exists()


def test_the_page_keeps_every_judgement_newest_first(client, alice, priority):
    judge(priority, alice, "Adequate and needs improvement", year=2013)
    judge(priority, alice, "Good", year=2014)
    client.force_login(alice)
    response = client.get(priority.get_absolute_url())
    assert [(j.year, j.level.name) for j in response.context["judgements"]] == [
        (2014, "Good"),
        (2013, "Adequate and needs improvement"),
    ]
    page = response.content.decode()
    assert page.index("2014/15: Good") < page.index("2013/14: Adequate and needs improvement")


# --- feeding next year's draft ------------------------------------------------------------------


def revise(plan, alice):
    return lifecycle.plan_revise(
        plan=plan, user=alice, title="School Improvement 2014-15", slug="sip-2014", start_year=2014, end_year=2016
    )


def test_a_revised_draft_carries_each_prioritys_latest_judgement(client, alice, plan, priority):
    judge(priority, alice, "Unsatisfactory and needs urgent improvement", year=2012)
    latest = judge(
        priority, alice, "Adequate and needs improvement", areas_for_improvement="Boys’ writing at key stage 2."
    )
    other = add_item(plan, vision_of(plan), "priority", title="Attendance")  # never judged
    draft = revise(plan, alice)
    copy = PlanItem.objects.get(plan=draft, title="Raise standards in literacy")
    assert copy.carried_evaluation.evaluation == latest
    assert not CarriedEvaluation.objects.filter(item__plan=draft, item__title=other.title).exists()
    client.force_login(alice)
    page = client.get(copy.get_absolute_url()).content.decode()
    assert "Last year’s self-evaluation: Adequate and needs improvement (2013/14)" in page
    assert "Boys’ writing at key stage 2." in page and f'href="{priority.get_absolute_url()}"' in page
    start = reverse("planning:item-add", args=[draft.slug, copy.pk, "action"]) + "?from=self-evaluation"
    assert start.replace("?", "?") in page.replace("&amp;", "&")
    form = client.get(start).context["form"]
    assert form.initial["description"] == "Boys’ writing at key stage 2."


def test_the_draft_plan_document_prints_last_years_judgement(alice, plan, priority):
    judge(priority, alice, "Good", areas_for_improvement="Writing in Welsh-medium schools.")
    draft = revise(plan, alice)
    html = plan_document_html(draft)
    assert "Last year’s self-evaluation: Good (2013/14)" in html
    assert "Writing in Welsh-medium schools." in html and priority.get_absolute_url() in html
    assert "Last year’s self-evaluation" not in plan_document_html(plan)


def test_the_starting_point_is_not_offered_without_a_carried_judgement(client, alice, plan, priority):
    client.force_login(alice)
    form = client.get(
        reverse("planning:item-add", args=[plan.slug, priority.pk, "action"]) + "?from=self-evaluation"
    ).context["form"]
    assert not form.initial.get("description")


# --- queries -------------------------------------------------------------------------------------

# session, user, plan, item, the levels in use, the framework in use, the radios' levels
FORM_QUERIES = 7
# a revised draft's priority: the priority's page (11) and the judgement it carries
CARRIED_PAGE_QUERIES = 12


@pytest.mark.parametrize("priorities", [1, 8])
def test_the_form_and_a_revised_priority_read_in_fixed_queries(
    client, alice, plan, priorities, django_assert_num_queries
):
    for n in range(priorities):
        item = add_item(plan, vision_of(plan), "priority", title=f"Priority {n}")
        add_item(plan, item, "action")
        judge(item, alice, "Good", areas_for_improvement=f"Area {n}")
        judge(item, alice, "Excellent", year=2014)
    draft = revise(plan, alice)
    copy = PlanItem.objects.filter(plan=draft, kind="priority").first()
    client.force_login(alice)
    client.get(copy.get_absolute_url())  # the outline cached
    with django_assert_num_queries(CARRIED_PAGE_QUERIES):
        assert (
            "Last year’s self-evaluation: Excellent (2014/15)" in client.get(copy.get_absolute_url()).content.decode()
        )
    with django_assert_num_queries(FORM_QUERIES):
        assert client.get(url(copy)).status_code == 200


def test_estyns_scale_is_made_on_first_use_where_no_framework_exists(db):
    assert not EvaluationFramework.objects.exists()
    assert [level.name for level in evaluation.levels_in_use()] == ESTYN
    assert EvaluationFramework.objects.get().in_use
    framework = EvaluationFramework.objects.get()
    framework.in_use = False  # one exists, none in use: none is made
    framework.save()
    assert evaluation.levels_in_use() == []
