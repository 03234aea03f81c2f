"""The read API (issue 16): thin views over ``api.selectors``, every one asking
``api.access`` who may read what. Read only: GET and HEAD.

Every answer carries an ``ETag`` (``api.selectors.etag``) and is ``304 Not Modified``
to a matching ``If-None-Match``; anonymous answers are ``Cache-Control: public`` (as the
public pages), a token's ``private``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api import access, selectors
from api.serializers import (
    EditionSerializer,
    ItemSerializer,
    LinkSerializer,
    PeriodSerializer,
    PlanDetailSerializer,
    PlanSerializer,
    ReturnSerializer,
    ScorecardEntrySerializer,
    ScorecardSerializer,
)
from monitoring.access import get_period
from planning.forms import parse_when

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.STR,
    description=gettext_lazy(
        "A date (2013-03-18: the end of that day) or date and time (2013-03-18T17:30): "
        "the plan as it stood then, from its history (the app's past view)."
    ),
)
PLAN_FILTER = OpenApiParameter("plan", OpenApiTypes.STR, description=gettext_lazy("Only this plan's (its slug)."))
PERIOD_FILTER = OpenApiParameter(
    "period", OpenApiTypes.STR, description=gettext_lazy("Only this quarter's (its slug: 2013-q2).")
)


class ReadView(generics.GenericAPIView):
    """What every API view shares: read only, conditional GET, caching headers."""

    http_method_names = ["get", "head", "options"]

    @property
    def caller(self) -> access.Caller:
        return access.caller_of(self.request.user)

    def prepare(self) -> None:
        """Find what the address names (a plan, a quarter): 404 before any ETag."""

    def get(self, request, *args, **kwargs):
        self.prepare()
        tag = selectors.etag(self.caller, request.get_full_path())
        asked = request.headers.get("If-None-Match", "")
        if asked and (asked.strip() == "*" or tag in {t.removeprefix("W/") for t in parse_etags(asked)}):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            response = self.read(request, *args, **kwargs)
        response["ETag"] = tag
        if self.caller.is_anonymous:
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
        else:
            patch_cache_control(response, private=True, no_cache=True, max_age=0)
        patch_vary_headers(response, ["Authorization"])
        return response

    def read(self, request, *args, **kwargs) -> Response:
        raise NotImplementedError

    def page(self, rows, serializer_class=None, **context):
        """One page of ``rows`` (a queryset or a list) written out by the view's serializer."""
        found = self.paginate_queryset(rows)
        serializer = (serializer_class or self.get_serializer_class())(
            found, many=True, context=self.get_serializer_context() | context
        )
        return self.get_paginated_response(serializer.data)

    def as_of(self):
        raw = self.request.query_params.get("as_of", "").strip()
        if not raw:
            return None
        try:
            return parse_when(raw)
        except DjangoValidationError as error:
            raise ValidationError({"as_of": error.messages}) from None

    def period_filter(self):
        slug = self.request.query_params.get("period", "").strip()
        if not slug:
            return None
        try:
            return access.get_visible_period(self.caller, slug)
        except Http404:  # no such quarter, or not one the caller may read
            raise NotFound(
                _("No quarter “%(slug)s” to filter by: use a quarter's slug, for example 2013-q2.") % {"slug": slug}
            ) from None


class PlanScoped(ReadView):
    def prepare(self) -> None:
        self.plan = access.get_plan(self.caller, self.kwargs["slug"])


class PlanList(ReadView, generics.ListAPIView):
    """The plans the caller may read: the published ones, and with a token every plan its
    person may read in the app."""

    serializer_class = PlanSerializer

    def read(self, request, *args, **kwargs):
        plans = access.visible_plans(self.caller).order_by("slug")
        found = self.paginate_queryset(plans)
        selectors.with_item_counts(found)
        readable = set(access.visible_plans(self.caller).values_list("pk", flat=True))
        data = PlanSerializer(found, many=True, context={"readable_parents": readable}).data
        return self.get_paginated_response(data)


class PlanDetail(PlanScoped, generics.RetrieveAPIView):
    serializer_class = PlanDetailSerializer

    @extend_schema(parameters=[AS_OF])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def read(self, request, *args, **kwargs):
        when = self.as_of()
        plan = self.plan
        if when is not None:
            plan = selectors.plan_as_of(self.plan, when)
            if plan is None:
                raise NotFound(_("The plan did not exist yet at that moment."))
        else:
            selectors.with_item_counts([plan])
        readable = access.hidden_plan_ids(self.caller, {plan.parent_id} if plan.parent_id else set())
        context = {"as_of": when, "readable_parents": {plan.parent_id} - readable}
        return Response(PlanDetailSerializer(plan, context=context).data)


class ItemList(PlanScoped, generics.ListAPIView):
    """The plan's items in reading order (vision, then each priority and all beneath it),
    with their references, leads, dates, costs and measures."""

    serializer_class = ItemSerializer

    @extend_schema(parameters=[AS_OF])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def read(self, request, *args, **kwargs):
        when = self.as_of()
        if when is not None:
            rows = selectors.items_as_of(self.plan, when)
            if rows is None:
                raise NotFound(_("The plan did not exist yet at that moment."))
            return self.page(rows)
        ids, refs, depths = selectors.item_ids_in_order(self.plan)
        page_ids = self.paginate_queryset(ids)
        rows = selectors.items_now(self.plan, page_ids, refs, depths)
        return self.get_paginated_response(ItemSerializer(rows, many=True).data)


class LinkList(PlanScoped, generics.ListAPIView):
    """Links from and to the plan's items, in both directions. A link whose other end is in
    a plan the caller may not read shows that it exists, without that end's title or plan."""

    serializer_class = LinkSerializer

    def read(self, request, *args, **kwargs):
        links = self.paginate_queryset(selectors.plan_links(self.plan))
        return self.get_paginated_response(
            LinkSerializer(selectors.api_links(self.caller, self.plan, links), many=True).data
        )


class EditionList(PlanScoped, generics.ListAPIView):
    """The plan's editions, newest first: each a named moment whose items ``as_of`` reads."""

    serializer_class = EditionSerializer

    def read(self, request, *args, **kwargs):
        return self.page(self.plan.editions.select_related("plan").order_by("-moment", "-pk"))


class PeriodList(ReadView, generics.ListAPIView):
    """Reporting quarters: the public sees those reported to members (locked); a token's
    person sees them all."""

    serializer_class = PeriodSerializer

    def read(self, request, *args, **kwargs):
        return self.page(access.visible_periods(self.caller))


class ReturnList(ReadView, generics.ListAPIView):
    """Accepted progress returns (RAG, actual value, narrative): the public's of published
    plans in locked quarters; with a token, also those its person may read in the app."""

    serializer_class = ReturnSerializer

    @extend_schema(parameters=[PLAN_FILTER, PERIOD_FILTER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def read(self, request, *args, **kwargs):
        returns = selectors.returns_for(
            access.visible_returns(self.caller),
            self.request.query_params.get("plan", "").strip() or None,
            self.period_filter(),
        )
        found = selectors.with_references(self.paginate_queryset(returns))
        return self.get_paginated_response(ReturnSerializer(found, many=True).data)


class ScorecardList(ReadView, generics.ListAPIView):
    """The scorecards the caller may read, by plan and quarter: published plans' for locked
    quarters; with a token, those of approved plans its person may read, any quarter."""

    serializer_class = ScorecardEntrySerializer

    @extend_schema(parameters=[PLAN_FILTER, PERIOD_FILTER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def read(self, request, *args, **kwargs):
        plans = access.scorecard_plans(self.caller)
        slug = self.request.query_params.get("plan", "").strip()
        if slug:
            plans = plans.filter(slug=slug)
        return self.page(selectors.scorecard_entries(self.caller, plans, self.period_filter()))


class ScorecardDetail(ReadView, generics.RetrieveAPIView):
    """A plan's scorecard for a quarter, as members read it: a locked quarter's exactly as
    it was reported."""

    serializer_class = ScorecardSerializer

    def prepare(self) -> None:
        self.period = get_period(self.kwargs["period"])
        self.plan = access.get_scorecard_plan(self.caller, self.kwargs["slug"], self.period)

    def read(self, request, *args, **kwargs):
        return Response(ScorecardSerializer(selectors.scorecard(self.plan, self.period)).data)
