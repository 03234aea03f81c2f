"""The council's shared definitions (issue 17, decision 0025): themes (administrators define
them, anyone signed in reads the list), the themes an item is tagged with (whoever may change
its plan), and indicators (officers and administrators define them, anyone signed in reads
them). Each view parses, fetches through ``planning.access``, calls one service, responds.
A theme's own page is its roll-up, in ``monitoring.views.thread``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from config.forms import add_service_errors
from planning import definitions
from planning.access import (
    get_indicator_for_editor,
    get_item_for_user,
    get_theme_for_user,
    may_define_indicators,
    may_define_themes,
)
from planning.conflicts import EditConflict, conflict_page
from planning.forms import IndicatorForm, ItemThemesForm, ThemeForm
from planning.models import Indicator, Theme
from planning.wording import in_sentence


def _definition_page(request: HttpRequest, *, form: Form, save, done: str, template: str, context: dict):
    """Save a theme's or an indicator's form through ``save`` (a service); a stale version
    gets the conflict page, a service's refusal its message beside the field."""
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form._meta.fields}
        try:
            saved = save(fields=fields, expected_version=form.cleaned_data.get("version"))
        except EditConflict as conflict:
            return conflict_page(request, stored=conflict.stored, form=form, fields=form._meta.fields, cancel_url=done)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” saved.") % {"name": saved})
            return redirect(done)
    return render(request, template, {"form": form, **context})


# --- themes ------------------------------------------------------------------------------------


@login_required
@require_safe
def theme_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "planning/definitions/theme_list.html",
        {"themes": list(Theme.objects.order_by("name")), "may_define": may_define_themes(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def theme_create(request: HttpRequest) -> HttpResponse:
    if not may_define_themes(request.user):
        raise PermissionDenied
    theme = Theme()
    return _definition_page(
        request,
        form=ThemeForm(request.POST or None, instance=theme),
        save=lambda **kw: definitions.theme_save(theme=theme, user=request.user, **kw),
        done=reverse("planning:theme-list"),
        template="planning/definitions/theme_form.html",
        context={"title": _("Define a theme")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def theme_edit(request: HttpRequest, slug: str) -> HttpResponse:
    theme = get_theme_for_user(request.user, slug, "change")
    return _definition_page(
        request,
        form=ThemeForm(request.POST or None, instance=theme, initial={"version": theme.version}),
        save=lambda **kw: definitions.theme_save(theme=Theme(pk=theme.pk), user=request.user, **kw),
        done=theme.get_absolute_url(),
        template="planning/definitions/theme_form.html",
        context={"title": _("Edit the theme “%(theme)s”") % {"theme": theme.name}, "theme": theme},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_themes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = get_item_for_user(request.user, slug, pk, "change")
    plan = item.plan
    current = list(Theme.objects.filter(tags__item=item).values_list("pk", flat=True))
    form = ItemThemesForm(request.POST or None, initial={"themes": current})
    if request.method == "POST" and form.is_valid():
        try:
            definitions.item_themes_set(
                item_id=item.pk,
                themes=form.cleaned_data["themes"],
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Themes of “%(item)s” saved.") % {"item": item.title})
            return redirect(item.get_absolute_url())
    return render(
        request,
        "planning/definitions/item_themes.html",
        {
            "form": form,
            "plan": plan,
            "item": item,
            "title": _("Themes of this %(kind)s") % {"kind": in_sentence(plan.label_for(item.kind))},
            "any_themes": Theme.objects.exists(),
        },
    )


# --- indicators --------------------------------------------------------------------------------


@login_required
@require_safe
def indicator_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "planning/definitions/indicator_list.html",
        {"indicators": list(Indicator.objects.order_by("name")), "may_define": may_define_indicators(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest) -> HttpResponse:
    if not may_define_indicators(request.user):
        raise PermissionDenied
    indicator = Indicator()
    return _definition_page(
        request,
        form=IndicatorForm(request.POST or None, instance=indicator),
        save=lambda **kw: definitions.indicator_save(indicator=indicator, user=request.user, **kw),
        done=reverse("planning:indicator-list"),
        template="planning/definitions/indicator_form.html",
        context={"title": _("Define an indicator")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_indicator_for_editor(request.user, code)
    return _definition_page(
        request,
        form=IndicatorForm(request.POST or None, instance=indicator, initial={"version": indicator.version}),
        save=lambda **kw: definitions.indicator_save(indicator=Indicator(pk=indicator.pk), user=request.user, **kw),
        done=reverse("planning:indicator-list") + f"#indicator-{indicator.code}",
        template="planning/definitions/indicator_form.html",
        context={
            "title": _("Edit the indicator “%(indicator)s”") % {"indicator": indicator.name},
            "indicator": indicator,
        },
    )
