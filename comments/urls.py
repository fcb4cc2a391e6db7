from django.urls import path

from . import moderation_views, views

app_name = "comments"

urlpatterns = [
    path("<int:pk>/", views.permalink, name="permalink"),
    path("post/<slug:slug>/", views.post, name="post"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/remove/", views.remove, name="remove"),
    path("<int:pk>/report/", views.report, name="report"),
    path("moderation/", moderation_views.queue, name="queue"),
    path("moderation/ban/<int:user_id>/", moderation_views.ban, name="ban"),
    path("moderation/bans/<int:ban_id>/lift/", moderation_views.lift_ban, name="lift_ban"),
]
