from django.urls import path

from hotline.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("supervision/evaluation/", views.results, name="results"),
    path("supervision/evaluation/mine/", views.mine, name="mine"),
    path("supervision/evaluation/run/<str:action>/", views.run_action, name="run"),
    path("supervision/evaluation/<str:period>/<str:org>/", views.result, name="result"),
]
