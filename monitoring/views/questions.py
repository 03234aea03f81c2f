"""Members' questions (decision 0022): a member asks about an item on a scorecard; the
question's page, where its lead answers and the member may withdraw it; a plan's questions.

Who: ``monitoring.access`` (``get_item_to_ask_about``, ``get_question``); the writes are
``monitoring.questions``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.forms import add_service_errors
from monitoring import questions
from monitoring.access import (
    can_answer,
    get_item_to_ask_about,
    get_monitored_plan,
    get_period,
    get_question,
)
from monitoring.forms import AnswerForm, QuestionForm, WithdrawForm
from monitoring.models import MemberQuestion
from planning import selectors as planning_selectors


def _reference(item) -> str:
    return planning_selectors.plan_references([item.plan_id]).get(item.pk, "")


@login_required
@require_http_methods(["GET", "POST"])
def question_ask(request: HttpRequest, slug: str, period: str, pk: int) -> HttpResponse:
    """Ask the lead of an action or target on ``slug``'s ``period`` scorecard a question."""
    plan = get_monitored_plan(request.user, slug)
    the_period = get_period(period)
    if not the_period.covers_plan(plan):
        raise Http404(_("The plan does not run in this quarter"))
    item = get_item_to_ask_about(request.user, plan, pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = questions.question_ask(
                item=item, period=the_period, user=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your question was sent. The answer is due by %(date)s.")
                % {"date": formats.date_format(question.due_on, "j F Y")},
            )
            return redirect(question)
    return render(
        request,
        "monitoring/question_ask.html",
        {
            "plan": plan,
            "period": the_period,
            "item": item,
            "reference": _reference(item),
            "label": item.plan.label_for(item.kind),
            "lead": item.lead_officer or item.plan.owner,
            "due_on": questions.answer_due(the_period, timezone.localdate()),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_detail(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """A question and its answer; its lead (or the plan's owner) answers it here."""
    question = get_question(request.user, slug, question_id, action="answer" if request.method == "POST" else "view")
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            questions.question_answer(question_id=question.pk, user=request.user, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            add_service_errors(form, error)
            question.refresh_from_db()
        else:
            messages.success(request, _("Your answer was saved, and the member who asked has been told."))
            return redirect(question)
    return _question_page(request, question, answer_form=form)


def _question_page(request: HttpRequest, question: MemberQuestion, **forms) -> HttpResponse:
    item = question.item
    is_open = question.state == MemberQuestion.State.OPEN
    return render(
        request,
        "monitoring/question_detail.html",
        {
            "question": question,
            "plan": item.plan,
            "item": item,
            "reference": _reference(item),
            "overdue": question.is_overdue(timezone.localdate()),
            "may_answer": is_open and can_answer(request.user, item),
            "may_withdraw": is_open and question.asked_by_id == request.user.pk,
            "answer_form": forms.get("answer_form") or AnswerForm(),
            "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
            "history": list(question.history.select_related("history_user").order_by("history_date", "history_id")),
        },
    )


@login_required
@require_POST
def question_withdraw(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """The member who asked withdraws their open question."""
    question = get_question(request.user, slug, question_id, action="withdraw")
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            questions.question_withdraw(question_id=question.pk, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
            question.refresh_from_db()
        else:
            messages.success(request, _("Your question was withdrawn."))
            return redirect(question)
    return _question_page(request, question, withdraw_form=form)


@login_required
@require_safe
def question_list(request: HttpRequest, slug: str) -> HttpResponse:
    """A plan's questions, unanswered (overdue first) then answered, for one quarter's
    scorecard (``?period=2013-q3``) or all of them."""
    plan = get_monitored_plan(request.user, slug)
    chosen = request.GET.get("period", "")
    period = get_period(chosen) if chosen else None
    listed = questions.for_plan(plan, period)
    references = planning_selectors.plan_references([plan.pk]) if listed.total else {}
    for question in [*listed.open, *listed.answered, *listed.withdrawn]:
        question.reference = references.get(question.item_id, "")  # type: ignore[attr-defined]
    return render(request, "monitoring/question_list.html", {"plan": plan, "period": period, "listed": listed})
