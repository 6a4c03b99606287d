from django.urls import path

from hotline.knowledge import views

urlpatterns = [
    path("knowledge/suggest/", views.suggest, name="knowledge-suggest"),
    path("knowledge/<int:entry_id>/", views.entry_page, name="knowledge-entry"),
    path("knowledge/<int:entry_id>/diff/", views.entry_diff, name="knowledge-diff"),
    path("public/knowledge/", views.public_search, name="knowledge-public-search"),
    path("public/knowledge/<int:entry_id>/", views.public_entry, name="knowledge-public-entry"),
]
