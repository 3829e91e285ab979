from django.urls import path

from lnob.openrosa import views

urlpatterns = [
    path("<slug:slug>/formList", views.form_list, name="openrosa-formlist"),
    path("<slug:slug>/forms/<str:form_id>/form.xml", views.form_download, name="openrosa-form"),
    path("<slug:slug>/forms/<str:form_id>/manifest", views.manifest, name="openrosa-manifest"),
    path("<slug:slug>/forms/<str:form_id>/media/<str:filename>", views.media_file, name="openrosa-media"),
    path("<slug:slug>/submission", views.submission, name="openrosa-submission"),
]
