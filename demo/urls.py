from django.urls import path

from . import views

app_name = "demo"
urlpatterns = [path("feed.xml", views.feed, name="feed")]
