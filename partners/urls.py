from django.urls import path

from partners import language, partnership_views, views

app_name = "partners"

urlpatterns = [
    # Welsh or English, for anyone (decision 0029)
    path("language/", language.switch_language, name="switch-language"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisations/<int:pk>/domains/", views.organisation_domains, name="organisation-domains"),
    path(
        "organisations/<int:pk>/domains/<int:domain_pk>/remove/",
        views.organisation_domain_remove,
        name="organisation-domain-remove",
    ),
    path("people/", views.person_list, name="person-list"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notification_read_all, name="notification-read-all"),
    path("partnerships/", partnership_views.partnership_list, name="partnership-list"),
    path("partnerships/new/", partnership_views.partnership_create, name="partnership-create"),
    path("partnerships/<int:pk>/edit/", partnership_views.partnership_edit, name="partnership-edit"),
]
