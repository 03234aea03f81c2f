"""Members' questions (issue 17, decision 0022): a member asks about an item on a scorecard,
its lead answers by a due date, the scorecard and its pack list them, and the lead sees the
open ones beside their returns. Services, pages, who may do what, bad input, query counts."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.verify import verify_history
from monitoring import documents, questions, scorecard_pack
from monitoring import services as monitoring
from monitoring.models import MemberQuestion
from partners.models import Notification, User
from planning.models import Plan
from tests.factories import UserFactory, add_item, make_plan, vision_of

State = MemberQuestion.State


def _ask(item, period, member, text="Why is this behind?", **kwargs):
    return questions.question_ask(item=item, period=period, user=member, text=text, **kwargs)


def _ask_url(plan, period, item):
    return reverse("monitoring:question-ask", args=[plan.slug, period.slug, item.pk])


def _url(question):
    return reverse("monitoring:question-detail", args=[question.item.plan.slug, question.pk])


@pytest.fixture
def max_(council):
    return UserFactory(username="max", organisation=council, role=User.Role.MEMBER)


# --- services ------------------------------------------------------------------------------------


def test_a_question_goes_to_the_item_s_lead_who_is_told_and_its_history_says_who_and_why(monitored, periods, mel, bob):
    question = _ask(monitored.action, periods[1], mel)
    assert (question.state, question.asked_by, question.addressee, question.version) == (State.OPEN, mel, bob, 1)
    row = question.history.get()
    assert (row.history_user, row.history_change_reason) == (mel, "Question asked on the Q2 2013/14 scorecard")
    told = Notification.objects.get(recipient=bob)
    assert "Why is this behind?" in told.body and told.url == _url(question)


def test_an_item_with_no_lead_officer_is_asked_of_the_plan_s_owner(monitored, periods, mel, alice):
    question = _ask(monitored.target, periods[1], mel)  # led by the college, no officer named
    assert question.addressee == alice
    assert Notification.objects.filter(recipient=alice).exists()


def test_the_answer_is_due_when_the_next_quarter_s_returns_are_due_but_never_in_under_two_weeks(periods):
    q1, q2, q3, q4 = periods
    assert questions.answer_due(q1, date(2013, 6, 1)) == q2.due_on  # 15 October 2013
    late = q2.due_on - timedelta(days=3)
    assert questions.answer_due(q1, late) == late + timedelta(days=questions.MIN_DAYS_TO_ANSWER)
    # no quarter after Q4 set up yet: four weeks
    assert questions.answer_due(q4, date(2014, 4, 20)) == date(2014, 5, 18)


def test_the_lead_answers_once_and_the_member_is_told(monitored, periods, mel, bob):
    question = _ask(monitored.action, periods[1], mel)
    answered = questions.question_answer(question_id=question.pk, user=bob, answer="Two posts filled in May.")
    assert (answered.state, answered.answered_by, answered.answer, answered.version) == (
        State.ANSWERED,
        bob,
        "Two posts filled in May.",
        2,
    )
    assert answered.history.latest("history_date").history_change_reason == "Question answered"
    assert Notification.objects.filter(recipient=mel, url=_url(question)).exists()
    with pytest.raises(ValidationError, match="already been answered by Bob Officer"):
        questions.question_answer(question_id=question.pk, user=bob, answer="Another answer")
    question.refresh_from_db()
    assert (question.answer, question.version, question.history.count()) == ("Two posts filled in May.", 2, 2)


def test_a_withdrawn_question_takes_no_answer_and_nothing_changes(monitored, periods, mel, bob):
    question = _ask(monitored.action, periods[1], mel)
    questions.question_withdraw(question_id=question.pk, user=mel, reason="Answered at committee")
    with pytest.raises(ValidationError, match="withdrawn"):
        questions.question_answer(question_id=question.pk, user=bob, answer="Late answer")
    question.refresh_from_db()
    assert (question.state, question.answer, question.answered_by) == (State.WITHDRAWN, "", None)
    assert [problem for check in verify_history() for problem in check.problems] == []  # every row sealed
    assert question.history.latest("history_date").history_change_reason == "Question withdrawn: Answered at committee"
    with pytest.raises(ValidationError, match="withdrawn"):
        questions.question_withdraw(question_id=question.pk, user=mel)


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_an_empty_question_or_answer_is_refused_and_nothing_is_written(monitored, periods, mel, bob, text):
    with pytest.raises(ValidationError) as error:
        _ask(monitored.action, periods[1], mel, text=text)
    assert error.value.message_dict == {"text": ["Enter your question"]}
    assert not MemberQuestion.objects.exists()
    question = _ask(monitored.action, periods[1], mel)
    with pytest.raises(ValidationError) as error:
        questions.question_answer(question_id=question.pk, user=bob, answer=text)
    assert error.value.message_dict == {"answer": ["Enter your answer"]}
    question.refresh_from_db()
    assert (question.state, question.version) == (State.OPEN, 1)


def test_overdue_is_an_open_question_past_its_date(monitored, periods, mel, bob):
    asked = date(2013, 10, 1)
    late = _ask(monitored.action, periods[0], mel, today=asked)
    on_time = _ask(monitored.target, periods[3], mel)
    done = _ask(monitored.action, periods[0], mel, today=asked)
    questions.question_answer(question_id=done.pk, user=bob, answer="Done")
    listed = questions.for_plan(monitored)
    assert [q.pk for q in listed.overdue] == [late.pk]
    assert {q.pk for q in listed.open} == {late.pk, on_time.pk}
    assert [q.pk for q in listed.answered] == [done.pk]


def test_the_scorecard_lists_this_and_last_quarter_s_questions_and_any_earlier_still_open(monitored, periods, mel, bob):
    q1, q2, q3, q4 = periods
    old_open = _ask(monitored.action, q1, mel, text="Q1, still open")
    old_answered = _ask(monitored.action, q1, mel, text="Q1, answered")
    questions.question_answer(question_id=old_answered.pk, user=bob, answer="Yes")
    last = _ask(monitored.action, q2, mel, text="Q2")
    now = _ask(monitored.target, q3, mel, text="Q3")
    withdrawn = _ask(monitored.target, q3, mel, text="Withdrawn")
    questions.question_withdraw(question_id=withdrawn.pk, user=mel)
    later = _ask(monitored.target, q4, mel, text="Q4")
    listed = questions.for_scorecard([monitored], q3)
    shown = {q.pk for q in listed.open + listed.answered}
    assert shown == {old_open.pk, last.pk, now.pk}
    assert later.pk not in shown and old_answered.pk not in shown


# --- pages -----------------------------------------------------------------------------------------


def test_a_member_asks_from_the_scorecard_and_lands_on_the_question(client, reported, periods, mel, bob):
    client.force_login(mel)
    scorecard = client.get(reverse("monitoring:scorecard", args=[reported.slug, periods[1].slug]))
    ask = _ask_url(reported, periods[1], reported.action)
    assert ask in scorecard.content.decode()  # on the action's exception row
    page = client.get(ask)
    assert page.status_code == 200 and "Bob Officer" in page.content.decode()
    response = client.post(ask, {"text": "What will bring it back to green?"})
    question = MemberQuestion.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(question)
    scorecard = client.get(reverse("monitoring:scorecard", args=[reported.slug, periods[1].slug]))
    assert "What will bring it back to green?" in scorecard.content.decode()


def test_others_see_no_ask_links_on_the_scorecard(client, reported, periods, bob):
    client.force_login(bob)
    scorecard = client.get(reverse("monitoring:scorecard", args=[reported.slug, periods[1].slug]))
    assert "Ask a question" not in scorecard.content.decode()


def test_an_empty_question_is_shown_again_with_the_message_beside_the_field(client, monitored, periods, mel):
    client.force_login(mel)
    response = client.post(_ask_url(monitored, periods[1], monitored.action), {"text": "  "})
    html = response.content.decode()
    assert response.status_code == 200 and "Enter your question" in html and 'id="id_text-error"' in html
    assert not MemberQuestion.objects.exists()


def test_the_lead_sees_the_question_beside_their_returns_and_answers_it(client, monitored, periods, mel, bob):
    question = _ask(monitored.action, periods[1], mel, text="When will the training finish?")
    client.force_login(bob)
    mine = client.get(reverse("monitoring:my-returns")).content.decode()
    assert "When will the training finish?" in mine and _url(question) in mine
    response = client.post(_url(question), {"answer": ""})
    assert response.status_code == 200 and "Enter your answer" in response.content.decode()
    response = client.post(_url(question), {"answer": "By December."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.state, question.answer) == (State.ANSWERED, "By December.")
    assert "When will the training finish?" not in client.get(reverse("monitoring:my-returns")).content.decode()


def test_answering_twice_is_refused_on_the_page_and_the_first_answer_kept(client, monitored, periods, mel, bob, alice):
    question = _ask(monitored.action, periods[1], mel)
    questions.question_answer(question_id=question.pk, user=alice, answer="The owner's answer")
    client.force_login(bob)
    response = client.post(_url(question), {"answer": "A second answer"})
    html = response.content.decode()
    assert response.status_code == 200 and "already been answered by Alice Owner" in html
    question.refresh_from_db()
    assert (question.answer, question.answered_by) == ("The owner's answer", alice)


def test_answering_a_withdrawn_question_is_refused_on_the_page(client, monitored, periods, mel, bob):
    question = _ask(monitored.action, periods[1], mel)
    client.force_login(mel)
    assert client.post(reverse("monitoring:question-withdraw", args=[monitored.slug, question.pk])).status_code == 302
    client.force_login(bob)
    response = client.post(_url(question), {"answer": "Too late"})
    assert response.status_code == 200 and "withdrawn by the member" in response.content.decode()
    question.refresh_from_db()
    assert (question.state, question.answer) == (State.WITHDRAWN, "")


def test_the_plan_s_question_list_groups_and_flags_overdue(client, monitored, periods, mel, carol):
    _ask(monitored.action, periods[0], mel, text="An overdue one", today=date(2013, 10, 1))
    client.force_login(carol)
    html = client.get(reverse("monitoring:question-list", args=[monitored.slug])).content.decode()
    assert "An overdue one" in html and "Overdue" in html
    one = client.get(reverse("monitoring:question-list", args=[monitored.slug]) + f"?period={periods[1].slug}")
    assert "No questions have been asked on this scorecard" in one.content.decode()
    bad = client.get(reverse("monitoring:question-list", args=[monitored.slug]) + "?period=nonsense")
    assert bad.status_code == 404


def test_the_pack_lists_questions_for_members_and_not_for_the_public(monitored, periods, mel, bob):
    asked = _ask(monitored.action, periods[1], mel, text="A question for the pack")
    questions.question_answer(question_id=asked.pk, user=bob, answer="An answer for the pack")
    _ask(monitored.target, periods[1], mel, text="Still waiting")
    html = scorecard_pack.scorecard_pack_html(monitored, periods[1], False)
    assert "6. Members’ questions" in html and "7. Recommendations" in html
    assert "An answer for the pack" in html and "Still waiting" in html
    public = scorecard_pack.scorecard_pack_html(monitored, periods[1], False, questions=False)
    assert "A question for the pack" not in public and "6. Recommendations" in public


def test_a_locked_quarter_s_pack_is_keyed_by_its_questions_for_members_only(monitored, periods, mel, bob, ada):
    q2 = monitoring.period_lock(period_id=periods[1].pk, user=ada)
    first = documents.request_scorecard_pdf(mel, monitored, q2, False)
    assert documents.with_questions(first)
    assert documents.request_scorecard_pdf(mel, monitored, q2, False).pk == first.pk
    _ask(monitored.action, q2, mel)  # a question asked after the quarter locked: a new pack
    second = documents.request_scorecard_pdf(mel, monitored, q2, False)
    assert second.pk != first.pk
    public = documents.request_scorecard_pdf(None, monitored, q2, False)
    assert not documents.with_questions(public) and public.key.endswith(":locked")


def test_a_locked_quarter_s_scorecard_stays_stored_and_its_questions_live(client, reported, periods, mel, bob, ada):
    q2 = monitoring.period_lock(period_id=periods[1].pk, user=ada)
    question = _ask(reported.action, q2, mel, text="Asked after the quarter was locked")
    questions.question_answer(question_id=question.pk, user=bob, answer="Answered later still")
    client.force_login(mel)
    html = client.get(reverse("monitoring:scorecard", args=[reported.slug, q2.slug])).content.decode()
    assert "As reported to members" in html and "Answered later still" in html
    assert "not frozen with the quarter" in html


# --- who may do what -------------------------------------------------------------------------------

ASK = {"mel": 200, "max_": 200, "alice": 403, "bob": 403, "carol": 403, "ada": 403, "pat": 404}
ANSWER_ACTION = {"bob": 302, "alice": 302, "ada": 302, "carol": 403, "mel": 403, "max_": 403, "pat": 404}
# the target is led by the college: its people answer, as they fill in its return
ANSWER_TARGET = {"pat": 302, "bob": 403}
WITHDRAW = {"mel": 302, "max_": 403, "bob": 403, "alice": 403, "ada": 403, "carol": 403, "pat": 404}


@pytest.mark.parametrize(("persona", "status"), ASK.items())
def test_who_may_ask(client, request, monitored, periods, persona, status):
    client.force_login(request.getfixturevalue(persona))
    url = _ask_url(monitored, periods[1], monitored.action)
    assert client.get(url).status_code == status
    response = client.post(url, {"text": "A question"})
    assert response.status_code == (302 if status == 200 else status)
    assert MemberQuestion.objects.exists() == (status == 200)


@pytest.mark.parametrize(("persona", "status"), ANSWER_ACTION.items())
def test_who_may_answer_a_question_on_an_action(client, request, monitored, periods, mel, persona, status):
    question = _ask(monitored.action, periods[1], mel)
    client.force_login(request.getfixturevalue(persona))
    assert client.post(_url(question), {"answer": "An answer"}).status_code == status
    question.refresh_from_db()
    assert (question.state == State.ANSWERED) == (status == 302)


@pytest.mark.parametrize(("persona", "status"), ANSWER_TARGET.items())
def test_who_may_answer_a_question_on_a_target_led_by_an_organisation(
    client, request, monitored, periods, mel, persona, status
):
    question = _ask(monitored.target, periods[1], mel)
    client.force_login(request.getfixturevalue(persona))
    assert client.post(_url(question), {"answer": "An answer"}).status_code == status


@pytest.mark.parametrize(("persona", "status"), WITHDRAW.items())
def test_only_the_member_who_asked_may_withdraw(client, request, monitored, periods, mel, persona, status):
    question = _ask(monitored.action, periods[1], mel)
    client.force_login(request.getfixturevalue(persona))
    url = reverse("monitoring:question-withdraw", args=[monitored.slug, question.pk])
    assert client.post(url).status_code == status
    question.refresh_from_db()
    assert (question.state == State.WITHDRAWN) == (status == 302)


def test_an_unapproved_plan_has_no_questions_to_ask_or_read(client, monitored, periods, mel):
    question = _ask(monitored.action, periods[1], mel)
    monitored.status = Plan.Status.DRAFT
    monitored.save()
    client.force_login(mel)
    assert client.get(_ask_url(monitored, periods[1], monitored.action)).status_code == 404
    assert client.get(_url(question)).status_code == 404
    assert client.get(reverse("monitoring:question-list", args=[monitored.slug])).status_code == 404


def test_an_item_not_on_the_scorecard_or_a_question_of_another_plan_is_not_found(
    client, monitored, periods, mel, alice
):
    other = make_plan(owner=alice, title="Another plan", slug="another")
    elsewhere = add_item(other, add_item(other, vision_of(other), "priority", title="P"), "action", title="A")
    other.status = Plan.Status.APPROVED
    other.save()
    question = _ask(elsewhere, periods[1], mel)
    client.force_login(mel)
    assert client.get(_ask_url(monitored, periods[1], elsewhere)).status_code == 404
    assert client.get(_ask_url(monitored, periods[1], monitored.priority)).status_code == 404  # not reported on
    assert client.get(reverse("monitoring:question-detail", args=[monitored.slug, question.pk])).status_code == 404


def test_a_rolled_up_scorecard_asks_about_the_plans_beneath_and_lists_their_questions(
    client, monitored, periods, mel, alice, carol
):
    below = make_plan(owner=carol, title="Plan beneath", slug="beneath", parent=monitored)
    action = add_item(below, add_item(below, vision_of(below), "priority", title="P"), "action", title="Beneath")
    below.status = Plan.Status.APPROVED
    below.save()
    client.force_login(mel)
    response = client.post(_ask_url(monitored, periods[1], action), {"text": "A question on the plan beneath"})
    question = MemberQuestion.objects.get()
    assert response.status_code == 302 and (question.item, question.addressee) == (action, carol)
    url = reverse("monitoring:scorecard", args=[monitored.slug, periods[1].slug])
    assert "A question on the plan beneath" in client.get(url + "?children=1").content.decode()
    assert "A question on the plan beneath" not in client.get(url).content.decode()


def test_signed_out_people_are_sent_to_sign_in(client, monitored, periods, mel):
    question = _ask(monitored.action, periods[1], mel)
    for url in (_ask_url(monitored, periods[1], monitored.action), _url(question)):
        assert client.get(url)["Location"].startswith(reverse("login"))


# --- queries do not grow with the questions --------------------------------------------------------


def _grow(plan, periods, mel, bob, count):
    """``count`` more actions led by bob, each with an open, an overdue and an answered question."""
    priority = plan.priority
    for n in range(count):
        action = add_item(plan, priority, "action", title=f"Extra {n}", lead_officer=bob)
        _ask(action, periods[1], mel)
        _ask(action, periods[0], mel, today=date(2013, 10, 1))
        done = _ask(action, periods[1], mel)
        questions.question_answer(question_id=done.pk, user=bob, answer="Done")


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def test_the_pages_read_in_the_same_number_of_queries_with_few_questions_and_many(client, monitored, periods, mel, bob):
    first = _ask(monitored.action, periods[1], mel)
    urls = {
        "scorecard": reverse("monitoring:scorecard", args=[monitored.slug, periods[1].slug]),
        "question list": reverse("monitoring:question-list", args=[monitored.slug]),
        "question": _url(first),
        "my returns": reverse("monitoring:my-returns"),
    }
    counts = []
    for extra in (2, 20):
        _grow(monitored, periods, mel, bob, extra)
        seen = {}
        for page, url in urls.items():
            client.force_login(mel if page in {"scorecard", "question list"} else bob)
            seen[page] = _count(client, url)
        counts.append(seen)
    assert counts[0] == counts[1]
    assert counts[1] == QUERIES


# the scorecard: its 8 (tests/test_queries_per_persona.py) and one for the questions
QUERIES = {"scorecard": 12, "question list": 5, "question": 6, "my returns": 7}
