"""Evidence in the plan (issue 18, decision 0031): success criteria and outcome/output on
actions, the needs assessment and the findings a priority rests on, the alignment report's
evidence flags, near-duplicates across plans and merging an item or a plan into another."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from planning import duplicates, evidence, services
from planning.models import EvidenceSource, Finding, Plan, PlanItem, PriorityFinding
from tests.factories import add_item, make_plan, vision_of


@pytest.fixture
def priority(plan):
    return add_item(plan, vision_of(plan), "priority", title="Every child reads well")


@pytest.fixture
def action(plan, priority):
    return add_item(plan, priority, "action", title="Run a reading recovery scheme in primary schools")


@pytest.fixture
def finding(plan, alice):
    source = evidence.source_add(plan=plan, user=alice, fields={"title": "Key stage 2 results 2012", "kind": "data"})
    return evidence.finding_save(
        plan=plan, user=alice, fields={"text": "One child in five leaves primary school behind in reading.",
                                       "source": source}
    )  # fmt: skip


def edit_action(client, user, item, **fields):
    data = {"title": item.title, "status": item.status, "version": item.version, **fields}
    client.force_login(user)
    return client.post(reverse("planning:item-edit", args=[item.plan.slug, item.pk]), data)


# --- 1. success criteria and outcome or output --------------------------------------------


def test_an_officer_gives_an_action_success_criteria_and_marks_it_an_outcome(client, bob, action):
    response = edit_action(client, bob, action, success_criteria="**90%** of pupils read at their age",
                           result_kind="outcome", reason="Evidence")  # fmt: skip
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.success_criteria, action.result_kind) == ("**90%** of pupils read at their age", "outcome")
    latest = action.history.latest()
    assert latest.success_criteria == action.success_criteria and latest.history_user == bob
    page = client.get(action.get_absolute_url()).content.decode()
    assert "<strong>90%</strong> of pupils read at their age" in page  # Markdown, sanitised
    assert "Outcome" in page


def test_a_bad_outcome_or_output_is_refused_beside_the_field(client, bob, action):
    response = edit_action(client, bob, action, result_kind="impact")
    assert response.status_code == 200
    assert "result_kind" in response.context["form"].errors
    action.refresh_from_db()
    assert action.result_kind == ""


def test_only_actions_carry_success_criteria(plan, priority, alice):
    with pytest.raises(ValidationError) as refused:
        services.item_update(item_id=priority.pk, user=alice, expected_version=priority.version,
                             change=services.ItemChange({"success_criteria": "Something"}))  # fmt: skip
    assert "success_criteria" in refused.value.message_dict


def test_the_edit_form_offers_success_criteria_for_actions_only(client, bob, action, priority):
    client.force_login(bob)
    form = client.get(reverse("planning:item-edit", args=[action.plan.slug, action.pk])).context["form"]
    assert {"success_criteria", "result_kind"} <= set(form.fields)
    form = client.get(reverse("planning:item-edit", args=[priority.plan.slug, priority.pk])).context["form"]
    assert not {"success_criteria", "result_kind"} & set(form.fields)


# --- 2. the needs assessment ----------------------------------------------------------------


def test_an_officer_adds_a_source_and_numbered_findings(client, bob, plan):
    client.force_login(bob)
    response = client.post(reverse("planning:evidence-source-add", args=[plan.slug]),
                           {"kind": "document", "title": "Ofsted inspection 2012", "url": "https://example.org/r",
                            "note": ""})  # fmt: skip
    assert response.status_code == 302
    source = EvidenceSource.objects.get(plan=plan)
    for text in ("Reading is weak", "Attendance is falling"):
        response = client.post(reverse("planning:finding-add", args=[plan.slug]),
                               {"text": text, "source": source.pk, "version": 0})  # fmt: skip
        assert response.status_code == 302
    assert list(Finding.objects.filter(plan=plan).values_list("number", "text")) == [
        (1, "Reading is weak"), (2, "Attendance is falling")]  # fmt: skip
    assert Finding.objects.get(number=2).history.latest().history_user == bob
    page = client.get(reverse("planning:needs-assessment", args=[plan.slug])).content.decode()
    assert 'id="finding-2"' in page and 'href="https://example.org/r"' in page and "Ofsted inspection 2012" in page


def test_a_finding_is_changed_and_a_stale_change_is_refused(client, bob, plan, finding):
    client.force_login(bob)
    url = reverse("planning:finding-edit", args=[plan.slug, finding.number])
    assert client.post(url, {"text": "Changed", "version": finding.version}).status_code == 302
    response = client.post(url, {"text": "Stale", "version": finding.version})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    finding.refresh_from_db()
    assert finding.text == "Changed"


def test_a_source_from_another_plan_is_refused(client, bob, alice, plan, finding):
    other = make_plan(owner=alice)
    elsewhere = evidence.source_add(plan=other, user=alice, fields={"title": "Elsewhere"})
    client.force_login(bob)
    response = client.post(reverse("planning:finding-add", args=[plan.slug]), {"text": "X", "source": elsewhere.pk})
    assert response.status_code == 200 and "source" in response.context["form"].errors


def test_a_priority_is_linked_to_findings_and_each_page_links_to_the_other(client, bob, plan, priority, finding):
    client.force_login(bob)
    url = reverse("planning:priority-findings", args=[plan.slug, priority.pk])
    assert client.post(url, {"findings": [finding.pk]}).status_code == 302
    link = PriorityFinding.objects.get()
    assert (link.priority, link.finding) == (priority, finding)
    assert link.history.latest().history_user == bob
    item_page = client.get(priority.get_absolute_url()).content.decode()
    assert f'href="{finding.get_absolute_url()}"' in item_page
    needs = client.get(reverse("planning:needs-assessment", args=[plan.slug])).content.decode()
    assert f'href="{priority.get_absolute_url()}"' in needs
    assert client.post(url, {"findings": []}).status_code == 302  # unlinked: a history row says so
    assert not PriorityFinding.objects.exists()
    assert PriorityFinding.history.filter(history_type="-").count() == 1


def test_a_finding_of_another_plan_cannot_be_linked(alice, plan, priority):
    other = make_plan(owner=alice)
    foreign = evidence.finding_save(plan=other, user=alice, fields={"text": "Elsewhere"})
    with pytest.raises(ValidationError):
        evidence.priority_findings_set(item=priority, finding_ids={foreign.pk}, user=alice)
    assert not PriorityFinding.objects.exists()


def test_only_a_priority_has_a_findings_page(client, bob, plan, action):
    client.force_login(bob)
    assert client.get(reverse("planning:priority-findings", args=[plan.slug, action.pk])).status_code == 404


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [("alice", 200, 200), ("bob", 200, 200), ("carol", 200, 403), ("pat", 404, 404), ("mel", 404, 404)],
)
def test_readers_read_the_needs_assessment_and_editors_edit_it(client, request, plan, priority, finding, who, read,
                                                               write):  # fmt: skip
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("planning:needs-assessment", args=[plan.slug])).status_code == read
    for url in (reverse("planning:finding-add", args=[plan.slug]),
                reverse("planning:finding-edit", args=[plan.slug, finding.number]),
                reverse("planning:evidence-source-add", args=[plan.slug]),
                reverse("planning:priority-findings", args=[plan.slug, priority.pk])):  # fmt: skip
        assert client.get(url).status_code == write
        if write != 200:
            client.post(url, {"text": "Refused", "title": "Refused", "findings": [finding.pk]})
    assert Finding.objects.get().text != "Refused"
    assert not EvidenceSource.objects.filter(title="Refused").exists()


def test_signed_out_readers_are_sent_to_sign_in(client, plan):
    response = client.get(reverse("planning:needs-assessment", args=[plan.slug]))
    assert response.status_code == 302 and "login" in response.url


# --- 3. the alignment report's evidence flags -----------------------------------------------


def test_the_report_flags_priorities_with_no_evidence_and_actions_with_no_success_criteria(
    client, alice, plan, priority, action, finding
):
    client.force_login(alice)
    url = reverse("planning:plan-alignment", args=[plan.slug])
    report = client.get(url).context["report"]
    assert [row.item.pk for row in report.priorities_without_evidence] == [priority.pk]
    assert [row.item.pk for row in report.actions_without_criteria] == [action.pk]
    evidence.priority_findings_set(item=priority, finding_ids={finding.pk}, user=alice)
    services.item_update(item_id=action.pk, user=alice, expected_version=action.version,
                         change=services.ItemChange({"success_criteria": "All pupils read"}))  # fmt: skip
    response = client.get(url)
    report = response.context["report"]
    assert report.priorities_without_evidence == [] and report.actions_without_criteria == []
    council = client.get(reverse("planning:council-alignment")).context["report"]
    assert council.priorities_without_evidence == [] and council.actions_without_criteria == []


def test_the_flags_link_to_the_items(client, alice, plan, action):
    client.force_login(alice)
    page = client.get(reverse("planning:council-alignment")).content.decode()
    assert f'href="{action.get_absolute_url()}"' in page
    assert "1 action with no success criteria" in page


# --- 4. near-duplicates and mergers ---------------------------------------------------------


@pytest.fixture
def twins(alice, carol, plan, action):
    """The same action, worded a little differently, in another service's plan."""
    other = make_plan(owner=carol, title="Fair Access Plan", slug="fair-access")
    other_priority = add_item(other, vision_of(other), "priority", title="Reading")
    twin = add_item(other, other_priority, "action", title="Run a reading recovery scheme in the primary schools")
    unlike = add_item(other, other_priority, "action", title="Open two new children's centres")
    return other, twin, unlike


def test_trigrams_are_pg_trgms():
    # show_trgm('Cat!') = {"  c"," ca","at ","cat"}
    assert duplicates.trigrams("Cat!") == {"  c", " ca", "cat", "at "}
    assert duplicates.similarity(duplicates.trigrams("word"), duplicates.trigrams("two words")) == pytest.approx(
        4 / 11
    )  # PostgreSQL: similarity('word', 'two words') = 0.36363637


def test_near_duplicates_across_plans_are_grouped(plan, action, twins):
    other, twin, unlike = twins
    found = duplicates.find_duplicates({p.pk: p for p in Plan.objects.order_by("pk")})
    [group] = found.groups
    assert {item.pk for item in group.items} == {action.pk, twin.pk}
    assert (group.plan_count, found.total_groups, found.total_items) == (2, 1, 2)


def test_the_same_answer_as_pg_trgm(plan, action, twins):
    """On PostgreSQL (CI) the database decides; Python's answer must be the same."""
    keys = [("action", duplicates.trigrams(t)) for t in (action.title, twins[1].title, twins[2].title)]
    assert duplicates._similar(keys) == {(0, 1)}
    if connection.vendor == "postgresql":
        titles = dict(zip(keys, (action.title, twins[1].title, twins[2].title), strict=True))
        assert duplicates._similar_pg(keys, titles) == {(0, 1)}
        with connection.cursor() as cursor:
            cursor.execute("SELECT similarity(%s, %s)", [action.title, twins[1].title])
            [[score]] = cursor.fetchall()
        assert score == pytest.approx(duplicates.similarity(keys[0][1], keys[1][1]), abs=1e-6)


def test_one_plans_repetition_is_not_a_duplicate_across_plans(alice, plan, priority, action):
    add_item(plan, priority, "action", title=action.title)
    assert duplicates.find_duplicates({plan.pk: plan}).total_groups == 0


def test_prefix_filtering_finds_every_pair_a_full_comparison_finds(monkeypatch):
    monkeypatch.setattr(duplicates, "MAX_BUCKET", 10_000)  # nothing crowded out: the search is exact
    words = ["reading", "schools", "primary", "attendance", "pupils", "recovery", "scheme", "the", "new", "centres"]
    import random

    rng = random.Random(4)
    titles = [" ".join(rng.sample(words, rng.randint(2, 6))) for _ in range(300)]
    keys = list(dict.fromkeys(("action", duplicates.trigrams(t)) for t in titles))
    everything = {
        (a, b)
        for a in range(len(keys))
        for b in range(a + 1, len(keys))
        if duplicates.similarity(keys[a][1], keys[b][1]) >= duplicates.THRESHOLD
    }
    assert everything and duplicates._similar(keys) == everything


def test_the_search_is_bounded_and_says_when_it_stopped(monkeypatch, client, alice, plan, action, twins):
    monkeypatch.setattr(duplicates, "MAX_BUCKET", 0)  # every piece crowded: nothing compared
    monkeypatch.setattr(duplicates, "MAX_COMPARISONS", 0)  # and, on PostgreSQL, too many for the database
    found = duplicates.find_duplicates({p.pk: p for p in Plan.objects.order_by("pk")})
    assert found.stopped and found.total_groups == 0
    client.force_login(alice)
    page = client.get(reverse("planning:council-duplicates")).content.decode()
    assert "the list may be incomplete" in page


def test_the_owner_merges_a_duplicate_and_it_leaves_the_list(client, alice, plan, action, twins):
    other, twin, unlike = twins
    client.force_login(alice)
    url = reverse("planning:item-merge", args=[plan.slug, action.pk])
    form = client.get(url).context["form"]
    assert [pk for pk, _label in form.fields["into"].choices] == [twin.pk]  # like it; the unlike one is not offered
    response = client.post(url, {"into": twin.pk, "reason": "One scheme for the county", "version": action.version})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.merged_into, action.merged_reason) == (twin, "One scheme for the county")
    assert action.history.latest().history_change_reason == "One scheme for the county"
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Merged into" in page and f'href="{twin.get_absolute_url()}"' in page
    report = client.get(reverse("planning:council-alignment")).context["report"]
    assert report.items_merged == 1
    assert action.pk not in {row.item.pk for row in report.actions_without_criteria}
    duplicates_page = client.get(reverse("planning:council-duplicates"))
    assert duplicates_page.context["found"].total_groups == 0 and duplicates_page.context["items_merged"] == 1


def test_a_merger_needs_a_reason_and_a_like_item_of_the_same_kind(client, alice, plan, action, twins):
    other, twin, unlike = twins
    client.force_login(alice)
    url = reverse("planning:item-merge", args=[plan.slug, action.pk])
    response = client.post(url, {"into": twin.pk, "reason": "", "version": action.version})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(url, {"into": unlike.pk, "reason": "Why", "version": action.version})
    assert response.status_code == 200 and "into" in response.context["form"].errors
    with pytest.raises(ValidationError):
        evidence.item_merge(item_id=action.pk, into_id=action.pk, user=alice, reason="x",
                            expected_version=action.version)  # fmt: skip
    action.refresh_from_db()
    assert action.merged_into is None


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 403), ("carol", 403), ("pat", 404)])
def test_only_the_owner_records_a_merger(client, request, plan, action, twins, who, status):
    client.force_login(request.getfixturevalue(who))
    twin = twins[1]
    for url in (reverse("planning:item-merge", args=[plan.slug, action.pk]),
                reverse("planning:plan-merge", args=[plan.slug])):  # fmt: skip
        assert client.get(url).status_code == status
        client.post(url, {"into": twin.pk if "items" in url else twins[0].pk, "reason": "R", "version": 1})
    action.refresh_from_db()
    plan.refresh_from_db()
    merged = status == 200
    assert (action.merged_into_id is not None, plan.merged_into_id is not None) == (merged, merged)


def test_the_owner_retires_a_plan_into_another_and_the_report_counts_it(client, alice, plan, action, twins):
    other = twins[0]
    client.force_login(alice)
    response = client.post(reverse("planning:plan-merge", args=[plan.slug]),
                           {"into": other.pk, "reason": "One plan for schools", "version": plan.version})  # fmt: skip
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.merged_into == other and plan.history.latest().history_change_reason == "One plan for schools"
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Retired" in page and f'href="{other.get_absolute_url()}"' in page
    report = client.get(reverse("planning:council-alignment")).context["report"]
    assert report.plans_retired == 1
    found = client.get(reverse("planning:council-duplicates")).context["found"]
    assert found.total_groups == 0  # a retired plan's items have been dealt with
    assert client.get(reverse("planning:plan-merge", args=[plan.slug])).status_code == 404  # retired once


def test_a_plan_report_shows_only_groups_holding_its_items(client, alice, carol, plan, action, twins):
    other, twin, unlike = twins
    third = make_plan(owner=carol, title="Third", slug="third")
    third_priority = add_item(third, vision_of(third), "priority")
    add_item(third, third_priority, "action", title="Open two new children's centres now")
    client.force_login(alice)
    found = client.get(reverse("planning:plan-duplicates", args=[plan.slug])).context["found"]
    assert [{i.pk for i in g.items} for g in found.groups] == [{action.pk, twin.pk}]
    council = client.get(reverse("planning:council-duplicates")).context["found"]
    assert council.total_groups == 2


def test_the_report_links_to_the_near_duplicates_page_and_does_not_search(client, alice, plan, action, twins):
    client.force_login(alice)
    for report, page in (
        (reverse("planning:plan-alignment", args=[plan.slug]), reverse("planning:plan-duplicates", args=[plan.slug])),
        (reverse("planning:council-alignment"), reverse("planning:council-duplicates")),
    ):
        response = client.get(report)
        assert "found" not in response.context and f'href="{page}"' in response.content.decode()
        assert "Run a reading recovery scheme" in client.get(page).content.decode()


def test_a_search_is_cached_until_a_title_changes(client, alice, carol, plan, action, twins,
                                                   django_assert_num_queries):  # fmt: skip
    """The second reading is served from the cache (the search's item query is not made);
    the first reading after a change, by anyone, searches again and shows it."""
    other, twin, unlike = twins
    client.force_login(alice)
    url = reverse("planning:council-duplicates")
    assert client.get(url).context["found"].total_groups == 1
    with django_assert_num_queries(COUNCIL_DUPLICATES_QUERIES - 1):  # no items read
        assert client.get(url).context["found"].total_groups == 1
    services.item_update(item_id=unlike.pk, user=carol, expected_version=unlike.version,
                         change=services.ItemChange({"title": "Run a reading recovery scheme in primary schools"}))  # fmt: skip
    with django_assert_num_queries(searched(COUNCIL_DUPLICATES_QUERIES)):
        [group] = client.get(url).context["found"].groups
    assert {item.pk for item in group.items} == {action.pk, twin.pk, unlike.pk}
    services.item_update(item_id=twin.pk, user=carol, expected_version=twin.version,
                         change=services.ItemChange({"title": "Open a sports hall"}))  # fmt: skip
    [group] = client.get(url).context["found"].groups
    assert {item.pk for item in group.items} == {action.pk, unlike.pk}


def test_the_cache_is_per_reader_scope(client, alice, pat, plan, action, twins):
    """A reader who may see fewer plans is never served a search over plans they may not see."""
    client.force_login(alice)
    assert client.get(reverse("planning:council-duplicates")).context["found"].total_groups == 1
    client.force_login(pat)
    found = client.get(reverse("planning:council-duplicates")).context["found"]
    assert found.total_groups == 0


def test_a_welsh_reader_sees_welsh_titles_in_the_groups(client, alice, plan, action, twins):
    action.title_cy = "Cynnal cynllun adfer darllen"
    action.save()
    plan.title_cy = "Cynllun Gwella Ysgolion"
    plan.save()
    client.force_login(alice)
    client.cookies["django_language"] = "cy"
    page = client.get(reverse("planning:council-duplicates")).content.decode()
    assert "Cynnal cynllun adfer darllen" in page
    assert f'<a class="govuk-link" href="{plan.get_absolute_url()}">Cynllun Gwella Ysgolion</a>' in page
    assert '<span lang="en-GB">Run a reading recovery scheme in the primary schools</span>' in page  # the twin


# --- query counts, two sizes ----------------------------------------------------------------


def _grow(plan, user, n):
    vision = vision_of(plan)
    for p in range(n):
        priority = add_item(plan, vision, "priority", title=f"Priority {p}")
        f = evidence.finding_save(plan=plan, user=user, fields={"text": f"Finding {p}"})
        evidence.priority_findings_set(item=priority, finding_ids={f.pk}, user=user)
        add_item(plan, priority, "action", title=f"Deliver the scheme number {p} in schools")
        add_item(plan, priority, "action", title=f"Deliver the scheme number {p} in the schools")


@pytest.mark.parametrize("size", [1, 6])
def test_query_counts_do_not_grow_with_the_plan(client, alice, plan, size, django_assert_num_queries):
    _grow(plan, alice, size)
    client.force_login(alice)
    client.get(reverse("planning:needs-assessment", args=[plan.slug]))  # warm the session
    with django_assert_num_queries(6):
        assert client.get(reverse("planning:needs-assessment", args=[plan.slug])).status_code == 200
    priority = PlanItem.objects.filter(plan=plan, kind="priority").first()
    with django_assert_num_queries(7):
        assert client.get(reverse("planning:priority-findings", args=[plan.slug, priority.pk])).status_code == 200
    action = PlanItem.objects.filter(plan=plan, kind="action").first()
    with django_assert_num_queries(6):
        assert client.get(reverse("planning:item-merge", args=[plan.slug, action.pk])).status_code == 200
    with django_assert_num_queries(searched(PLAN_DUPLICATES_QUERIES)):
        assert client.get(reverse("planning:plan-duplicates", args=[plan.slug])).status_code == 200
    with django_assert_num_queries(searched(COUNCIL_DUPLICATES_QUERIES)):
        assert client.get(reverse("planning:council-duplicates")).status_code == 200


# session, user, plan (its trail for the breadcrumbs), the plans the reader may see, what changed
# last (the cache's key), their actions and targets (the search, when not cached), mergers counted
PLAN_DUPLICATES_QUERIES = 7
# session, user, the plans the reader may see, what changed last, the actions and targets, the
# plans again with the mergers counted
COUNCIL_DUPLICATES_QUERIES = 6


def searched(queries: int) -> int:
    """A near-duplicates page's queries when it searches (not served from the cache): on
    PostgreSQL the trigram search adds four (its savepoint and the release, the similarity
    threshold for the transaction, the pairs); on SQLite the pairs are found in Python."""
    return queries + (4 if connection.vendor == "postgresql" else 0)


# --- the plan's spreadsheet and PDF ---------------------------------------------------------


def _sheet(client, plan):
    from tests.planning.test_browser_import import exported

    return exported(client, plan)


def test_the_export_carries_success_criteria_and_the_import_reads_them_back(client, ada, plan, action):
    from openpyxl import load_workbook

    from planning import importing
    from tests.planning.test_browser_import import edit_sheet, upload

    services.item_update(item_id=action.pk, user=ada, expected_version=action.version,
                         change=services.ItemChange({"success_criteria": "Fewer behind", "result_kind": "output"}))  # fmt: skip
    client.force_login(ada)
    content = _sheet(client, plan)
    sheet = load_workbook(__import__("io").BytesIO(content)).worksheets[0]
    headings = [cell.value for cell in sheet[1]]
    row = [cell.value for cell in sheet[4]]
    assert (row[headings.index("Success criteria")], row[headings.index("Outcome or output")]) == (
        "Fewer behind", "Output")  # fmt: skip
    edited = edit_sheet(content, {(4, "Success criteria"): "None behind", (4, "Outcome or output"): "Outcome"})
    imported = upload("sip.xlsx", edited, ada)
    assert imported.preview["problems"] == []
    importing.apply(import_id=imported.pk, user=ada)
    action.refresh_from_db()
    assert (action.success_criteria, action.result_kind) == ("None behind", "outcome")
    assert action.history.latest().history_change_reason == "Imported from sip.xlsx"


def test_a_bad_outcome_or_output_in_the_spreadsheet_is_named_by_row_and_column(client, ada, plan, action):
    from tests.planning.test_browser_import import edit_sheet, upload

    client.force_login(ada)
    imported = upload("sip.xlsx", edit_sheet(_sheet(client, plan), {(4, "Outcome or output"): "Impact"}), ada)
    problems = {(p["where"], p["field"]): p["message"] for p in imported.preview["problems"]}
    assert problems[("row 4", "Outcome or output")] == "“Impact” is not one of Outcome, Output"


def test_a_spreadsheet_without_the_evidence_columns_leaves_them_alone(client, ada, plan, action):
    import io

    from openpyxl import load_workbook

    from tests.planning.test_browser_import import upload

    services.item_update(item_id=action.pk, user=ada, expected_version=action.version,
                         change=services.ItemChange({"success_criteria": "Kept"}))  # fmt: skip
    client.force_login(ada)
    workbook = load_workbook(io.BytesIO(_sheet(client, plan)))
    sheet = workbook.worksheets[0]
    headings = [cell.value for cell in sheet[1]]
    sheet.delete_cols(headings.index("Success criteria") + 1, 2)  # as downloaded before issue 18
    out = io.BytesIO()
    workbook.save(out)
    imported = upload("sip.xlsx", out.getvalue(), ada)
    assert imported.preview["problems"] == [] and imported.preview["plans"][0]["empty"] is True


def test_the_plan_pdf_prints_success_criteria(alice, plan, action):
    from planning.plan_document import plan_document_html

    services.item_update(item_id=action.pk, user=alice, expected_version=action.version,
                         change=services.ItemChange({"success_criteria": "**All** read", "result_kind": "outcome"}))  # fmt: skip
    html = plan_document_html(plan)
    assert "Success criteria</strong> (outcome)" in html and "<strong>All</strong> read" in html
