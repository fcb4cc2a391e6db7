from django.urls import path, re_path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    re_path(r"^(?P<page>about|contact|privacy)/$", views.static_page, name="page"),
]
