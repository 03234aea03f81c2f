"""The public app's addresses at the site's root, for search engines (issue 16)."""

from django.urls import path

from public import views

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
]
