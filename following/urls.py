from django.urls import path

from . import views

app_name = "following"

urlpatterns = [
    path("following/", views.following_page, name="page"),
    path("following/follow/", views.toggle, name="toggle"),
    path("following/start/", views.start, name="start"),
    path("following/resume/", views.resume, name="resume"),
    path("following/settings/", views.mail_settings, name="settings"),
    path("following/following.opml", views.opml, name="opml"),
    path("following/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
