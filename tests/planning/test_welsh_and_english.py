"""Plans and the public pages in Welsh and English (issue 18, decision 0029): dates, numbers
and money written for the reader's language, the cached outline kept per language, the
plan's default level names in the reader's words, and notifications in the language of the
person they are for."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from partners.models import Notification
from planning import lifecycle, wording
from planning.formatting import field_text, long_date, measure, month_year, number, pounds, short_date
from planning.models import Comment, Plan, PlanItem
from tests.factories import add_item, vision_of


@pytest.mark.parametrize(
    ("language", "money", "day", "short", "month", "days", "yes"),
    [
        ("en-gb", "£1,234", "7 December 2026", "1 Apr 2013", "Sep 2014", "3 days", "Yes"),
        ("cy", "£1,234", "7 Rhagfyr 2026", "1 Ebr 2013", "Med 2014", "3 diwrnod", "Ie"),
    ],
)
def test_dates_numbers_and_money_follow_the_language(language, money, day, short, month, days, yes):
    with translation.override(language):
        assert pounds(Decimal("1234.00")) == money
        assert pounds(Decimal("1234.50")) == money + ".50"
        assert number(Decimal("2250.00")) == "2,250"
        assert long_date(date(2026, 12, 7)) == day
        assert short_date(date(2013, 4, 1)) == short
        assert month_year(date(2014, 9, 30)) == month
        assert measure(3, PlanItem.Unit.DAYS) == days
        assert field_text(PlanItem, "status", PlanItem.Status.IN_PROGRESS) == (
            "In progress" if language == "en-gb" else "Ar y gweill"
        )
        assert field_text(Plan, "approved_on", date(2026, 12, 7)) == day
        assert field_text(Comment, "name_public", True) == yes


def test_one_day_is_singular_in_english():
    with translation.override("en-gb"):
        assert measure(1, PlanItem.Unit.DAYS) == "1 day"
        assert measure(Decimal("1.5"), PlanItem.Unit.DAYS) == "1.5 days"


def test_a_moment_is_written_in_the_language_and_the_councils_time():
    moment = timezone.make_aware(datetime(2026, 12, 7, 14, 30))
    with translation.override("en-gb"):
        assert field_text(Plan, "published_at", moment) == "7 December 2026, 14:30"
    with translation.override("cy"):
        assert field_text(Plan, "published_at", moment) == "7 Rhagfyr 2026, 14:30"


def test_level_names_take_welsh_words_articles_and_plurals():
    with translation.override("cy"):
        assert wording.shown("Priority") == "Blaenoriaeth"
        assert wording.with_article("blaenoriaeth") == "blaenoriaeth"  # Welsh has no indefinite article
        assert wording.plural("Blaenoriaeth") == "Blaenoriaethau"
        assert wording.plural("Carreg filltir") == "Cerrig milltir"
        assert wording.plural("Themed outcome") == "Themed outcome"  # a council's own name, as it is
    with translation.override("en-gb"):
        assert wording.shown("Priority") == "Priority"
        assert wording.with_article("action") == "an action"
        assert wording.plural("Priority") == "Priorities"


@pytest.mark.django_db
def test_a_validation_message_reads_as_one_welsh_sentence(plan, alice):
    action = add_item(plan, add_item(plan, vision_of(plan), "priority", user=alice), "action", user=alice)
    target = add_item(plan, action, "target", user=alice)
    target.cost_amount = Decimal("10")
    with translation.override("en-gb"):
        assert _errors(target)["cost_amount"] == ["Only actions and milestones carry a cost, not a target."]
    with translation.override("cy"):
        assert _errors(target)["cost_amount"] == [
            "Dim ond camau gweithredu a cherrig milltir sydd â chost, nid targed."
        ]


def _errors(item):
    try:
        item.full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


# --- pages -----------------------------------------------------------------------------------


@pytest.fixture
def costed_plan(plan, alice):
    priority = add_item(plan, vision_of(plan), "priority", user=alice, title="Raise attainment")
    add_item(
        plan,
        priority,
        "action",
        user=alice,
        title="Tutor every pupil",
        cost_amount=Decimal("1234"),
        cost_type="revenue",
    )
    return plan


def _page(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_welsh_and_english_outlines_of_one_plan_are_both_right_one_after_the_other(client, alice, costed_plan):
    """The outline is cached as HTML per language (planning/outline_cache.py): a Welsh
    reader never gets the English outline a moment ago made, nor the reverse."""
    cache.clear()
    client.force_login(alice)
    url = costed_plan.get_absolute_url()
    for _round in range(2):  # the first read of each language makes its outline, the second reads it back
        english = _page(client, url, "en")
        welsh = _page(client, url, "cy")
        assert "£1,234 revenue" in english and ">Edit<" in english and ">Status</dt>" in english
        assert "£1,234 refeniw" in welsh and ">Golygu<" in welsh and ">Statws</dt>" in welsh
        assert ">Edit<" not in welsh and "revenue" not in welsh
        assert ">Cam gweithredu</span>" in welsh and ">Action</span>" in english  # the default level names


@pytest.mark.django_db
def test_a_public_plan_writes_its_dates_and_money_in_the_readers_language(client, alice, costed_plan):
    lifecycle.plan_approve(plan=costed_plan, user=alice, approved_by="Cabinet", approved_on=date(2025, 12, 7))
    lifecycle.plan_publish(plan=costed_plan, user=alice)
    cache.clear()
    url = reverse("public:plan-detail", args=[costed_plan.slug])
    english, welsh = _page(client, url, "en"), _page(client, url, "cy")
    assert "Cabinet, 7 December 2025" in english and "£1,234 revenue" in english and ">Published<" in english
    assert "Cabinet, 7 Rhagfyr 2025" in welsh and "£1,234 refeniw" in welsh and ">Cyhoeddwyd<" in welsh
    assert "Published plans" in english and "Cynlluniau cyhoeddedig" in welsh


@pytest.mark.django_db
def test_notifications_are_written_in_each_recipients_language(alice, pat, mel, college, plan):
    """The member chose Welsh, the partner did not: the one consultation tells each in their
    own language; the owner, who chose Welsh, is told of a comment in Welsh."""
    mel.language = "cy"
    mel.save()
    today = timezone.localdate()
    lifecycle.plan_consultation_open(
        plan=plan, user=alice, opens_on=today, closes_on=date(today.year + 1, 1, 31), note="",
        organisations=[college], members=[mel],
    )  # fmt: skip
    assert Notification.objects.get(recipient=mel).subject == f"Ymgynghoriad: {plan.title}"
    assert Notification.objects.get(recipient=pat).subject == f"Consultation: {plan.title}"
    assert "Ionawr" in Notification.objects.get(recipient=mel).body  # its closing date, in Welsh
    alice.language = "cy"
    alice.save()
    lifecycle.comment_add(plan=Plan.objects.get(pk=plan.pk), user=pat, body="Please add the youth service.")
    told = Notification.objects.get(recipient=alice)
    assert told.subject == f"Sylw newydd ar {plan.title}"
    assert told.body.startswith(f"Rhoddodd {pat} (") and "Please add the youth service." in told.body


@pytest.mark.django_db
def test_notifications_name_the_plan_and_item_in_the_recipients_language(alice, pat, mel, college, plan):
    """Where the plan has its Welsh title, a Welsh reader's notification names it in Welsh;
    an item with no Welsh is named in English (decision 0033)."""
    from planning import services
    from tests.factories import add_item, vision_of

    services.plan_update(
        plan_id=plan.pk, user=alice, fields={"title_cy": "Cynllun Gwella Ysgolion"}, expected_version=plan.version,
        reason="Welsh",
    )  # fmt: skip
    item = add_item(plan, vision_of(plan), "priority", title="Every child reads")
    mel.language = alice.language = "cy"
    mel.save()
    alice.save()
    today = timezone.localdate()
    plan = Plan.objects.get(pk=plan.pk)
    lifecycle.plan_consultation_open(
        plan=plan, user=alice, opens_on=today, closes_on=date(today.year + 1, 1, 31), note="",
        organisations=[college], members=[mel],
    )  # fmt: skip
    assert Notification.objects.get(recipient=mel).subject == "Ymgynghoriad: Cynllun Gwella Ysgolion"
    assert Notification.objects.get(recipient=pat).subject == f"Consultation: {plan.title}"
    lifecycle.comment_add(plan=Plan.objects.get(pk=plan.pk), user=pat, body="Add the youth service.", item=item)
    told = Notification.objects.get(recipient=alice)
    assert told.subject == "Sylw newydd ar Cynllun Gwella Ysgolion" and "Every child reads" in told.body
