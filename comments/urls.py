from django.urls import path

import serving.converters  # noqa: F401  (registers <id:...>)

from . import claim_views, moderation_views, views

app_name = "comments"

urlpatterns = [
    path("<id:pk>/", views.permalink, name="permalink"),
    path("post/<slug:slug>/", views.post, name="post"),
    path("<id:pk>/reply/", views.reply, name="reply"),
    path("<id:pk>/edit/", views.edit, name="edit"),
    path("<id:pk>/remove/", views.remove, name="remove"),
    path("<id:pk>/report/", views.report, name="report"),
    path("imported/", claim_views.claim_imported, name="claim"),
    path("imported/claim/", claim_views.claim_confirm, name="claim_confirm"),
    path("moderation/", moderation_views.queue, name="queue"),
    path("moderation/live/", moderation_views.queue_live, name="queue_live"),
    path("moderation/ban/<id:user_id>/", moderation_views.ban, name="ban"),
    path("moderation/bans/<id:ban_id>/lift/", moderation_views.lift_ban, name="lift_ban"),
]
