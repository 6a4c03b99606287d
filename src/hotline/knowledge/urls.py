from django.urls import path

from hotline.knowledge import views

urlpatterns = [
    path("knowledge/", views.home, name="knowledge-home"),
    path("knowledge/new/", views.entry_new, name="knowledge-new"),
    path("knowledge/preview/", views.preview, name="knowledge-preview"),
    path("knowledge/review/", views.review_queue, name="knowledge-review"),
    path("knowledge/feedback/", views.feedback_list, name="knowledge-feedback"),
    path("knowledge/feedback/new/", views.topic_feedback, name="knowledge-feedback-new"),
    path(
        "knowledge/feedback/<int:feedback_id>/<slug:action>/",
        views.feedback_respond,
        name="knowledge-feedback-action",
    ),
    path("knowledge/suggest/", views.suggest, name="knowledge-suggest"),
    path("knowledge/<int:entry_id>/", views.entry_page, name="knowledge-entry"),
    path("knowledge/<int:entry_id>/edit/", views.entry_edit, name="knowledge-edit"),
    path("knowledge/<int:entry_id>/diff/", views.entry_diff, name="knowledge-diff"),
    path("knowledge/<int:entry_id>/feedback/", views.entry_feedback, name="knowledge-raise"),
    path(
        "knowledge/<int:entry_id>/<slug:action>/",
        views.entry_action,
        name="knowledge-action",
    ),
    path("public/knowledge/", views.public_search, name="knowledge-public-search"),
    path("public/knowledge/<int:entry_id>/", views.public_entry, name="knowledge-public-entry"),
]
