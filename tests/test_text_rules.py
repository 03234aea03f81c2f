"""Text people type: every free-text field has a limit, and no field takes characters that
change what others see or are sent (issue 12, items 2 and 10). Refused beside the field
in forms, by file, object and field in the loader, and nothing is saved either way."""

import re

import pytest
from django.apps import apps
from django.core import mail
from django.db import models
from django.urls import reverse

from config.forms import GovukForm
from config.text import LONG_TEXT_LIMIT, TEXT_LIMIT, BoundedTextField, multi_line, one_line, single_line
from monitoring.models import Document, WorkbookUpload
from partners.models import Notification
from partners.services import notifications_send, notify
from planning.models import Plan
from tests.factories import add_item, vision_of
from tests.planning.loader.support import history_counts, load_plans, valid_objects, write_json

# Character fields that hold codes, keys or addresses, not words a person writes for others
# to read: they have their own validation (choices, slug, email, URL) or are never typed.
NOT_FREE_TEXT = {
    "username", "password", "url", "key", "filename", "evidence",
    "history_change_reason", "history_type",
}  # fmt: skip
DOMAIN_APPS = {"partners", "planning", "monitoring"}
# Rows the application writes itself (an outbox, a rendered PDF, an upload's findings)
SYSTEM = {Notification, Document, WorkbookUpload}


def _free_text_fields():
    for model in apps.get_models():
        if model._meta.app_label not in DOMAIN_APPS or model.__name__.startswith("Historical") or model in SYSTEM:
            continue
        for field in model._meta.get_fields():
            text = isinstance(field, models.CharField | models.TextField) and not field.choices
            text = text and not isinstance(field, models.SlugField | models.URLField | models.EmailField)
            if text and field.name not in NOT_FREE_TEXT and field.editable:
                yield model, field


def test_the_scanner_finds_the_fields_people_write_in():
    found = {f"{model.__name__}.{field.name}" for model, field in _free_text_fields()}
    assert {"PlanItem.title", "PlanItem.description", "Plan.summary", "Comment.body", "Risk.mitigations"} <= found


def test_every_free_text_field_has_a_limit_and_refuses_hidden_characters():
    problems = []
    for model, field in _free_text_fields():
        name = f"{model.__name__}.{field.name}"
        if isinstance(field, models.TextField):
            if not isinstance(field, BoundedTextField) or not field.max_length:
                problems.append(f"{name}: a text box without a limit")
        elif single_line not in field.validators:
            problems.append(f"{name}: accepts control characters")
    assert problems == []


def _edit_item(client, plan, item, **fields):
    return client.post(
        reverse("planning:item-edit", args=[plan.slug, item.pk]),
        {"title": item.title, "status": "not_started", "version": item.version, **fields},
    )


def test_a_description_over_the_limit_is_refused_beside_the_field(client, alice, plan):
    item = add_item(plan, vision_of(plan), "priority", title="Good schools")
    client.force_login(alice)
    response = _edit_item(client, plan, item, description="x" * (1024 * 1024))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert f"Ensure this value has at most {TEXT_LIMIT:,} characters" in page.replace("10000", "10,000")
    item.refresh_from_db()
    assert item.description == "" and item.history.count() == 1


def test_a_description_at_the_limit_is_kept(client, alice, plan):
    item = add_item(plan, vision_of(plan), "priority", title="Good schools")
    client.force_login(alice)
    assert _edit_item(client, plan, item, description="x" * TEXT_LIMIT).status_code == 302
    item.refresh_from_db()
    assert len(item.description) == TEXT_LIMIT


def test_a_plan_summary_over_its_limit_is_refused(client, alice, plan):
    client.force_login(alice)
    data = {
        "title": plan.title, "slug": plan.slug, "kind": plan.kind, "organisation": plan.organisation_id,
        "owner": plan.owner_id, "start_year": plan.start_year, "end_year": plan.end_year, "version": plan.version,
        "label_vision": "Vision", "label_priority": "Priority", "label_action": "Action",
        "label_target": "Target", "label_milestone": "Milestone", "summary": "y" * (LONG_TEXT_LIMIT + 1),
    }  # fmt: skip
    response = client.post(reverse("planning:plan-edit", args=[plan.slug]), data)
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    plan.refresh_from_db()
    assert plan.summary == ""


@pytest.mark.parametrize(
    ("title", "named"),
    [
        ("Good schools\r\nBcc: everyone@example.org", "a line break"),
        ("Good schools\tfor all", "a tab"),
        ("Approved \u202eten\u202c by Cabinet", "U+202E"),
        ("Bell\x07", "U+0007"),
    ],
)
def test_a_title_with_hidden_characters_is_refused_beside_the_field(client, alice, plan, title, named):
    item = add_item(plan, vision_of(plan), "priority", title="Good schools")
    client.force_login(alice)
    response = _edit_item(client, plan, item, title=title)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_title-error"' in page and named in page
    item.refresh_from_db()
    assert item.title == "Good schools"


def test_a_description_keeps_its_line_breaks_and_tabs(client, alice, plan):
    item = add_item(plan, vision_of(plan), "priority", title="Good schools")
    client.force_login(alice)
    assert _edit_item(client, plan, item, description="One\r\n\r\n\tTwo").status_code == 302
    item.refresh_from_db()
    assert "\tTwo" in item.description


def test_a_description_refuses_a_direction_override(client, alice, plan):
    item = add_item(plan, vision_of(plan), "priority", title="Good schools")
    client.force_login(alice)
    response = _edit_item(client, plan, item, description="Costs \u202e0001£")
    assert response.status_code == 200 and "U+202E" in response.content.decode()


def test_every_form_field_refuses_hidden_characters_even_without_a_model():
    class Reason(GovukForm):
        from django import forms

        reason = forms.CharField()
        note = forms.CharField(widget=forms.Textarea)

    form = Reason({"reason": "Agreed\nBcc: x", "note": "Line one\nLine two\u202e"})
    assert not form.is_valid()
    assert set(form.errors) == {"reason", "note"}
    assert Reason({"reason": "Agreed", "note": "Line one\nLine two"}).is_valid()


def test_the_loader_names_file_object_and_field_for_hidden_characters_and_long_text(db, tmp_path):
    objects = valid_objects()
    item_numbers = [n for n, obj in enumerate(objects, start=1) if obj["model"] == "planning.planitem"]
    first, second = (objects[n - 1] for n in item_numbers[:2])
    first["fields"]["title"] = "Good schools\r\nBcc: everyone"
    second["fields"]["description"] = "z" * (TEXT_LIMIT + 1)
    before = history_counts()
    run = load_plans(write_json(tmp_path / "hidden.json", objects))
    assert run.error is not None
    assert str(run.error).startswith("Nothing was loaded")
    lines = run.stderr.splitlines()
    assert f"hidden.json: object {item_numbers[0]} (planning.planitem): title: Remove a line break" in "\n".join(lines)
    assert any(
        line.startswith(f"hidden.json: object {item_numbers[1]} (planning.planitem): description: Ensure this value")
        for line in lines
    ), lines
    assert not Plan.objects.exists() and history_counts() == before


def test_one_line_makes_any_text_safe_for_a_header():
    assert one_line("Plan\r\nBcc: x@example.org\u202e  \t end") == "Plan Bcc: x@example.org end"


def test_a_title_with_a_line_break_never_stops_a_notification(db, alice, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # a row queued before titles were checked, with a header-breaking subject
    row = Notification.objects.create(recipient=alice, subject="Comment on Good\r\nBcc: x@example.org", body="Hello")
    (queued,) = notify(recipients=[alice], subject="New item: Good\nschools\u202e", body="Hello")
    assert notifications_send() == (2, 0)
    assert sorted(message.subject for message in mail.outbox) == [
        "Comment on Good Bcc: x@example.org",
        "New item: Good schools",
    ]
    row.refresh_from_db()
    assert row.sent_at is not None and row.last_error == ""
    assert queued.subject == "New item: Good schools"


def test_the_validators_name_what_they_refuse():
    with pytest.raises(Exception, match="Remove a line break"):
        single_line("a\nb")
    multi_line("a\nb\tc")  # allowed in a text box
    with pytest.raises(Exception, match=re.escape("U+202E")):
        multi_line("a\u202eb")
