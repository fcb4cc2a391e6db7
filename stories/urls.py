from django.urls import path

from . import views

app_name = "stories"

urlpatterns = [
    path("stories/<slug:slug>/", views.story_detail, name="detail"),
    path("features/", views.features, name="features"),
]
