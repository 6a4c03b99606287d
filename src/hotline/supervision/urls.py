from django.urls import path

from hotline.supervision import views

app_name = "supervision"

urlpatterns = [
    path("supervision/", views.case_list, name="list"),
    path("supervision/cases/new/", views.case_create, name="create"),
    path("supervision/cases/<int:case_id>/", views.case_detail, name="case"),
    path("supervision/cases/<int:case_id>/document/", views.document, name="document"),
    path(
        "supervision/cases/<int:case_id>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("supervision/cases/<int:case_id>/<str:action>/", views.case_action, name="action"),
]
