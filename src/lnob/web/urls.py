"""URL map of the web platform."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from lnob.web import views
from lnob.web.pages import coalition as coalition_pages

urlpatterns = [
    path("", views.home, name="home"),
    path("p/<slug:slug>/", views.project_detail, name="project"),
    path("p/<slug:slug>/audit/", views.project_audit, name="project-audit"),
    path("p/<slug:slug>/forms/upload/", views.form_upload, name="form-upload"),
    path("p/<slug:slug>/settings/public/", views.project_public, name="project-public"),
    path("p/<slug:slug>/dashboard/indicators/<slug:indicator>/brief/", views.brief_download, name="brief"),
    path("p/<slug:slug>/forms/<str:form_id>/", views.form_detail, name="form"),
    path("p/<slug:slug>/forms/<str:form_id>/versions/<str:version>/xlsform", views.form_version_download,
         name="form-version-download"),
    path("p/<slug:slug>/", include("lnob.web.pages.records")),
    path("p/<slug:slug>/", include("lnob.web.pages.exports")),
    path("p/<slug:slug>/", include("lnob.web.pages.indicators")),
    path("p/<slug:slug>/", include("lnob.web.pages.equity")),
    path("p/<slug:slug>/", include("lnob.web.pages.evidence")),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("p/<slug:slug>/", include("lnob.web.pages.jobs")),
    path("p/<slug:slug>/coalitions/", coalition_pages.project_coalitions, name="project-coalitions"),
    path("c/<slug:slug>/", include("lnob.web.pages.coalition")),
    path("openrosa/", include("lnob.openrosa.urls")),
    path("api/", include("lnob.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
