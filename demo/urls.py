from django.urls import path

from . import views

app_name = "demo"
urlpatterns = [
    path("feed.xml", views.feed, name="feed"),
    path("gazette.xml", views.gazette_feed, name="gazette_feed"),
    path("gazette/<slug:slug>/", views.gazette_article, name="gazette_article"),
]
