"""The sitemap of the published pages (issue 16): the list, each published plan's page and
summary, its editions list and each public edition. Items are not listed: a plan's page
links every item, and a council's 2,000-item plans would make the sitemap the size of the
plans themselves (decision 0016).

Addresses are absolute from ``settings.SITE_URL``, never from the request's Host header,
which a client chooses."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from public import selectors
from public.access import public_plans


class _SiteSitemap(Sitemap):
    """Addresses on the site's own address (SITE_URL), whatever the request says."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class ListSitemap(_SiteSitemap):
    def items(self):
        return ["public:plan-list"]

    def location(self, item):
        return reverse(item)


class PlanSitemap(_SiteSitemap):
    """Each published plan's page, summary and editions list."""

    def items(self):
        return [
            (plan, page)
            for plan in public_plans().select_related(None).order_by("slug").only("pk", "slug", "published_at")
            for page in ("public:plan-detail", "public:plan-summary", "public:plan-editions")
        ]

    def location(self, item):
        plan, page = item
        return reverse(page, args=[plan.slug])


class EditionSitemap(_SiteSitemap):
    def items(self):
        plans = public_plans().select_related(None).order_by("slug")
        return [(plan.slug, edition) for plan in plans for edition in selectors.public_editions(plan)]

    def location(self, item):
        slug, edition = item
        return reverse("public:edition-detail", args=[slug, edition.pk])

    def lastmod(self, item):
        return item[1].moment


SITEMAPS = {"list": ListSitemap, "plans": PlanSitemap, "editions": EditionSitemap}
