"""A corpus of broken files, each ``valid_plan.json`` with one defect. ``load_plans``
refuses every one: it names the file, the object and the field in a plain line (no
traceback) and leaves every table, history included, exactly as it was."""

import re
from dataclasses import dataclass

import pytest
from django.core.management.base import CommandError

from planning.models import PlanShare
from tests.factories import IndicatorFactory, add_item, vision_of
from tests.planning.loader.support import BROKEN, history_counts, load_plans, table_counts, write_json


@dataclass(frozen=True)
class Expected:
    number: int | None  # the object's 1-based position in the file; None: the file as a whole
    label: str | None  # the object's model label, when the loader could read it
    field: str | None  # the field named; None: the object as a whole
    message: str  # a fragment of the message


# file in broken/ -> the problem line the loader must print
EXPECTED = {
    "truncated.json": Expected(None, None, None, "not valid JSON"),
    "not_a_list.json": Expected(None, None, None, "must hold a list of objects"),
    "not_an_object.json": Expected(4, None, None, "must be an object with 'model' and 'fields'"),
    "start_year_not_a_number.json": Expected(5, "planning.plan", "start_year", "must be an integer"),
    "cost_not_a_number.json": Expected(9, "planning.planitem", "cost_amount", "must be a decimal number"),
    "impossible_date.json": Expected(9, "planning.planitem", "due_date", "invalid date"),
    "date_as_number.json": Expected(11, "planning.planitem", "due_date", "not a valid value"),
    "unknown_field.json": Expected(7, "planning.planitem", "colour", "unknown field"),
    "unknown_model.json": Expected(14, "auth.group", "model", "cannot be loaded here"),
    "dangling_lead_officer.json": Expected(
        9, "planning.planitem", "lead_officer", "partners.user 999, which is not here"
    ),
    "dangling_parent.json": Expected(8, "planning.planitem", "parent", "planning.planitem 42, which is not here"),
    "dangling_natural_key.json": Expected(5, "planning.plan", "owner", "'nobody-by-that-name', which is not here"),
    "reference_as_list.json": Expected(5, "planning.plan", "owner", "not ['libby']"),
    "missing_plan_reference.json": Expected(7, "planning.planitem", "plan", "is required"),
    "milestone_under_priority.json": Expected(11, "planning.planitem", "parent", "cannot go under a priority"),
    "target_without_target_value.json": Expected(10, "planning.planitem", "target_value", "needs a target value"),
    "percentage_over_100.json": Expected(10, "planning.planitem", "target_value", "between 0 and 100"),
    "script_in_title.json": Expected(7, "planning.planitem", "title", "must be plain text"),
    "negative_cost.json": Expected(9, "planning.planitem", "cost_amount", "greater than or equal to 0"),
    "cost_on_priority.json": Expected(
        8, "planning.planitem", "cost_amount", "Only actions and milestones carry a cost"
    ),
    "plan_ends_before_it_starts.json": Expected(5, "planning.plan", "end_year", "must end in or after"),
    "two_visions.json": Expected(5, "planning.plan", None, "has more than one top item"),
    "vision_for_existing_plan.json": Expected(6, "planning.planitem", "plan", "'sip' already has a vision"),
    "duplicate_pk.json": Expected(8, "planning.planitem", "pk", "2 is used twice"),
    "duplicate_slug.json": Expected(2, "partners.organisation", "slug", "repeats object 1"),
    "duplicate_share.json": Expected(14, "planning.planshare", "organisation", "repeats object 13"),
    "existing_slug.json": Expected(5, "planning.plan", "slug", "'sip' already exists"),
    "parent_loop.json": Expected(7, "planning.planitem", "parent", "the parents form a loop"),
    "organisation_loop.json": Expected(1, "partners.organisation", "parent", "the parents form a loop"),
    "plain_text_password.json": Expected(3, "partners.user", "password", "must be a password hash"),
    "link_to_missing_item.json": Expected(14, "planning.link", "target", "planning.planitem 42, which is not here"),
    "link_to_itself.json": Expected(14, "planning.link", "target", "cannot link to itself"),
    "duplicate_link.json": Expected(15, "planning.link", "target", "repeats object 14"),
}


def expected_line(filename: str, expected: Expected) -> re.Pattern:
    """``FILE: object N (LABEL): FIELD: MESSAGE``, with the parts the case leaves out."""
    pattern = re.escape(filename) + ": "
    if expected.number is not None:
        pattern += f"object {expected.number}"
        if expected.label is not None:
            pattern += re.escape(f" ({expected.label})")
        pattern += ": "
    if expected.field is not None:
        pattern += re.escape(expected.field) + ": "
    else:
        pattern += r"(?!\w+: )"  # the message follows directly: no field is named
    return re.compile("^" + pattern + ".*" + re.escape(expected.message))


@pytest.fixture
def seeded(plan, alice, college):
    """Existing rows, with history, for the broken loads to leave alone."""
    priority = add_item(plan, vision_of(plan), "priority", user=alice, title="Every child in a good school")
    add_item(plan, priority, "action", user=alice, cost_amount=1000, cost_type="revenue")
    IndicatorFactory(code="ks2-reading")
    return plan


def test_every_file_in_the_corpus_has_an_expectation():
    assert sorted(path.name for path in BROKEN.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_a_broken_file_is_refused_with_a_plain_message_and_changes_nothing(seeded, filename):
    counts = table_counts()
    histories = history_counts()
    assert histories["planning.HistoricalPlanItem"] > 0  # "unchanged" means something

    run = load_plans(BROKEN / filename)

    assert isinstance(run.error, CommandError), run.stdout
    assert str(run.error).startswith("Nothing was loaded")
    lines = run.stderr.splitlines()
    pattern = expected_line(filename, EXPECTED[filename])
    assert any(pattern.search(line) for line in lines), (pattern.pattern, lines)
    assert all(line.startswith(f"{filename}: ") for line in lines), lines
    assert "Traceback" not in run.stderr + run.stdout + str(run.error)
    assert "Loaded" not in run.stdout
    assert table_counts() == counts
    assert history_counts() == histories


@pytest.mark.django_db
def test_every_problem_in_a_file_is_reported_at_once(seeded, tmp_path):
    """Not just the first: an admin fixes the whole file in one go."""
    text = (BROKEN / "negative_cost.json").read_text()
    text = text.replace('"title": "More people use libraries"', '"title": "<b>More</b> people use libraries"')
    text = text.replace('"start_year": 2013', '"start_year": "twenty"')
    path = tmp_path / "several.json"
    path.write_text(text)

    run = load_plans(path)

    assert run.error is not None
    assert run.stderr.splitlines() == [
        "several.json: object 5 (planning.plan): start_year: “twenty” value must be an integer.",
        "several.json: object 7 (planning.planitem): title: must be plain text; HTML and script are not allowed",
        "several.json: object 9 (planning.planitem): cost_amount: Ensure this value is greater than or equal to 0.",
    ]


@pytest.mark.django_db
def test_a_missing_file_is_reported_without_a_traceback(seeded, tmp_path):
    run = load_plans(tmp_path / "no_such_file.json")
    assert run.error is not None
    assert run.stderr.startswith("no_such_file.json: cannot read the file (FileNotFoundError")
    assert "Traceback" not in run.stderr


@pytest.mark.django_db
def test_a_share_that_already_exists_is_refused(seeded, college, tmp_path):
    """Sharing an existing plan again would break plan_share_once half-way through writing."""
    PlanShare.objects.create(plan=seeded, organisation=college)
    path = write_json(
        tmp_path / "share_again.json",
        [{"model": "planning.planshare", "pk": 1, "fields": {"plan": "sip", "organisation": "college"}}],
    )
    counts = table_counts()

    run = load_plans(path)

    assert run.error is not None
    assert run.stderr.startswith("share_again.json: object 1 (planning.planshare): organisation: Northmoor College is")
    assert table_counts() == counts
