"""The labelled set for full-text extraction: article pages shaped like real news sites,
each with the body text an extractor should find (docs/ingestion.md, "Full text").

The stories are ours (stories.py); the page around them is built here from a few
templates, so the set stays small in the repository: navigation, a cookie banner,
breadcrumbs, a byline, share bars, an inline "read more" box and a newsletter sign-up in
the middle of the text, "most read" and related lists (with other stories' headlines
and first sentences, the hardest boilerplate to tell from an article), readers' comments
and a footer. Four layouts of ordinary articles (semantic <article>, nested <div>s,
<main> with a lead picture, schema.org microdata), live blogs, galleries, and paywalled
pages whose teaser must not be taken for the article.

`PAGES` lists `Page(name, html, expected, paywalled)`: `expected` is the body text (what
a reader would call the article: its paragraphs, and the captions and credits of its
pictures), empty for a paywalled page, which must be refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .stories import STORIES

SITES = ["The Harbour Times", "Valley Courier", "Coastline Daily", "The Northern Post"]
SECTIONS = ["News", "Region", "Politics", "Business", "Sport", "Culture", "Opinion", "Weather"]
AUTHORS = ["Ana Ruiz", "Tomas Berg", "Lina Okafor", "Piet Janssen", "Mei Ishikawa"]
COMMENTS = [
    "About time somebody did something about this, we have waited for years.",
    "I remember when this was first promised. Let us see if it happens this time.",
    "Great work by everyone involved, the whole town should be proud of them.",
]


@dataclass
class Page:
    name: str
    html: str
    expected: str
    paywalled: bool = False


def _other(index: int, step: int) -> tuple[str, list[str]]:
    return STORIES[(index + step) % len(STORIES)]


def _head(title: str, site: str, extra: str = "") -> str:
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)} | {site}</title>"
        f"<meta name='description' content='{escape(title)}'>"
        f"<script>window.dataLayer=[];function track(){{}}</script>{extra}</head><body>"
    )


def _nav(site: str) -> str:
    links = "".join(f"<li><a href='/{s.lower()}/'>{s}</a></li>" for s in SECTIONS)
    return (
        f"<header class='site-header'><a class='logo' href='/'>{site}</a>"
        f"<nav class='main-nav'><ul>{links}</ul></nav>"
        "<form class='search' action='/search'><input name='q' placeholder='Search'>"
        "<button>Search</button></form><a href='/subscribe' class='cta'>Subscribe</a></header>"
    )


def _cookies() -> str:
    return (
        "<div id='cookie-consent' class='cookie-banner' role='dialog'><p>We and our 143 "
        "partners store and access information on your device, such as cookies, to show "
        "personalised advertising and content, measure audiences and develop our products. "
        "You can accept, refuse or manage your choices at any time in the privacy centre."
        "</p><button>Accept all</button><button>Refuse</button><button>Manage choices"
        "</button></div>"
    )


def _byline(index: int) -> str:
    author = AUTHORS[index % len(AUTHORS)]
    return (
        f"<div class='byline'>By <a href='/authors/{index}'>{author}</a>, "
        f"<time datetime='2026-03-{index % 27 + 1:02d}T09:30'>{index % 27 + 1} March 2026, "
        "9:30</time> · 3 min read</div>"
    )


def _share() -> str:
    return (
        "<div class='share-tools'><span>Share this article</span>"
        "<a href='#'>Facebook</a><a href='#'>X</a><a href='#'>WhatsApp</a>"
        "<a href='#'>Email</a><button>Copy link</button></div>"
    )


def _read_more(index: int) -> str:
    title, _ = _other(index, 3)
    return (
        f"<aside class='related-inline'><strong>Read more:</strong> "
        f"<a href='/news/{index + 3}'>{escape(title)}</a></aside>"
    )


def _newsletter() -> str:
    return (
        "<div class='newsletter-signup'><h3>The morning briefing</h3><p>Get the day's "
        "most important stories in your inbox every morning before seven.</p><form>"
        "<input type='email' placeholder='Your email address'><button>Sign up</button>"
        "</form></div>"
    )


def _most_read(index: int) -> str:
    items = "".join(
        f"<li><a href='/news/{index + k}'>{escape(_other(index, k)[0])}</a></li>"
        for k in range(5, 10)
    )
    return f"<aside class='most-read'><h2>Most read</h2><ol>{items}</ol></aside>"


def _related(index: int) -> str:
    cards = "".join(
        f"<div class='card'><a href='/news/{index + k}'><h3>{escape(_other(index, k)[0])}"
        f"</h3><p>{escape(_other(index, k)[1][0])}</p></a></div>"
        for k in (11, 12, 13)
    )
    return f"<section class='related'><h2>Related stories</h2>{cards}</section>"


def _comments() -> str:
    items = "".join(
        f"<li class='comment'><b>Reader{n}</b><p>{escape(text)}</p><a href='#'>Reply</a></li>"
        for n, text in enumerate(COMMENTS)
    )
    return (
        f"<section id='comments'><h2>Comments ({len(COMMENTS)})</h2><ol>{items}</ol>"
        "<form><textarea placeholder='Join the discussion'></textarea><button>Post"
        "</button></form></section>"
    )


def _footer(site: str) -> str:
    links = "".join(
        f"<a href='/{w.lower().replace(' ', '-')}'>{w}</a>"
        for w in ["About us", "Contact", "Advertise", "Jobs", "Privacy policy", "Terms of use"]
    )
    return (
        f"<footer class='site-footer'><div class='links'>{links}</div><p>© 2026 {site}. "
        "All rights reserved. Our journalism is independent and funded by our readers and "
        "advertisers; no part of this site may be reproduced without permission.</p></footer>"
        "</body></html>"
    )


def _paragraphs(paragraphs: list[str], inserts: dict[int, str] | None = None) -> str:
    out = []
    for n, text in enumerate(paragraphs):
        out.append(f"<p>{escape(text)}</p>")
        out.append((inserts or {}).get(n, ""))
    return "".join(out)


def _semantic(index, title, paragraphs, site):
    body = (
        f"<article><h1>{escape(title)}</h1>{_byline(index)}{_share()}"
        f"<div class='article-body'>{_paragraphs(paragraphs, {1: _read_more(index)})}</div>"
        f"{_share()}</article>"
    )
    html = _head(title, site) + _nav(site) + _cookies() + "<main>" + body
    html += _most_read(index) + _related(index) + _comments() + "</main>" + _footer(site)
    return html, paragraphs


def _div_soup(index, title, paragraphs, site):
    inserts = {1: _read_more(index), 2: _newsletter()}
    body = (
        f"<div id='wrapper'><div class='row'><div class='col-8'><div class='breadcrumb'>"
        f"<a href='/'>Home</a> › <a href='/region/'>Region</a></div>"
        f"<h1 class='headline'>{escape(title)}</h1>{_byline(index)}"
        f"<div class='story-text'>{_paragraphs(paragraphs, inserts)}</div>{_share()}"
        f"{_comments()}</div><div class='col-4'>{_most_read(index)}</div></div>"
        f"{_related(index)}</div>"
    )
    return _head(title, site) + _cookies() + _nav(site) + body + _footer(site), paragraphs


def _with_picture(index, title, paragraphs, site):
    caption = f"{paragraphs[0].split(',')[0]}. Photo: {AUTHORS[(index + 1) % 5]}"
    figure = (
        f"<figure class='lead'><img src='/img/{index}.jpg' alt='' width='800' height='450'>"
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )
    body = (
        f"<main><header><h1>{escape(title)}</h1>{_byline(index)}</header>{figure}"
        f"<section class='body'>{_paragraphs(paragraphs, {2: _read_more(index)})}</section>"
        f"{_share()}{_related(index)}</main>"
    )
    html = _head(title, site) + _nav(site) + body + _most_read(index) + _footer(site)
    return html, [caption, *paragraphs]


def _microdata(index, title, paragraphs, site):
    ld = (
        '<script type=\'application/ld+json\'>{"@context":"https://schema.org",'
        f'"@type":"NewsArticle","headline":"{escape(title)}"}}</script>'
    )
    body = (
        f"<div class='page'><div itemscope itemtype='https://schema.org/NewsArticle'>"
        f"<h1 itemprop='headline'>{escape(title)}</h1>{_share()}{_byline(index)}"
        f"<div itemprop='articleBody'>{_paragraphs(paragraphs, {0: _newsletter()})}</div>"
        f"</div>{_most_read(index)}{_comments()}</div>"
    )
    html = _head(title, site, ld) + _nav(site) + _cookies() + body + _related(index)
    return html + _footer(site), paragraphs


def _live_blog(index, title, paragraphs, site):
    posts = "".join(
        f"<div class='live-post' id='post-{n}'><time>{14 - n}:{(n * 17) % 60:02d}</time>"
        f"<p>{escape(text)}</p></div>"
        for n, text in reversed(list(enumerate(paragraphs)))
    )
    body = (
        f"<main><h1>Live: {escape(title)}</h1><div class='live-badge'>Live</div>"
        f"{_byline(index)}<div class='live-updates'>{posts}</div>"
        f"<button class='load-more'>Load earlier updates</button>{_share()}</main>"
    )
    html = _head(title, site) + _nav(site) + _cookies() + body + _most_read(index)
    return html + _related(index) + _footer(site), list(reversed(paragraphs))


def _gallery(index, title, paragraphs, site):
    intro, captions = paragraphs[0], paragraphs[1:]
    credited = [f"{text} Photo: {AUTHORS[n % 5]}" for n, text in enumerate(captions)]
    figures = "".join(
        f"<figure class='slide'><img src='/img/{index}-{n}.jpg' alt=''>"
        f"<figcaption>{escape(text)}</figcaption><span class='counter'>{n + 1} / "
        f"{len(captions)}</span></figure>"
        for n, text in enumerate(credited)
    )
    body = (
        f"<main><h1>In pictures: {escape(title)}</h1>{_byline(index)}<p class='intro'>"
        f"{escape(intro)}</p><div class='gallery'>{figures}</div>{_share()}</main>"
    )
    html = _head(title, site) + _nav(site) + body + _most_read(index) + _related(index)
    return html + _footer(site), [intro, *credited]


LAYOUTS = [_semantic, _div_soup, _with_picture, _microdata]
SPECIAL = {7: _live_blog, 17: _live_blog, 27: _live_blog, 8: _gallery, 18: _gallery}


def _paywalled(index: int, marker: str) -> str:
    title, paragraphs = STORIES[index]
    site = SITES[index % len(SITES)]
    ld = ""
    if marker == "schema":
        ld = (
            '<script type=\'application/ld+json\'>{"@type":"NewsArticle",'
            '"isAccessibleForFree":false,"hasPart":{"@type":"WebPageElement",'
            '"isAccessibleForFree":false,"cssSelector":".locked"}}</script>'
        )
    wall = (
        "<div class='locked'><h2>This article is for subscribers</h2><p>Subscribe to "
        "continue reading. Your first month costs one euro, and you can cancel at any "
        "time.</p><a href='/subscribe'>See offers</a> <a href='/login'>Log in</a></div>"
    )
    # The teaser is long enough to pass as an article on word count alone.
    teaser = _paragraphs(paragraphs[:3])
    body = (
        f"<main><article><h1>{escape(title)}</h1>{_byline(index)}"
        f"<div class='article-body'>{teaser}</div>{wall}</article></main>"
    )
    return _head(title, site, ld) + _nav(site) + body + _most_read(index) + _footer(site)


def build() -> list[Page]:
    pages = []
    for index, (title, paragraphs) in enumerate(STORIES):
        layout = SPECIAL.get(index) or LAYOUTS[index % len(LAYOUTS)]
        html, expected = layout(index, title, paragraphs, SITES[index % len(SITES)])
        pages.append(Page(f"{index:02d}-{layout.__name__.strip('_')}", html, " ".join(expected)))
    for index, marker in ((3, "schema"), (5, "text")):
        pages.append(Page(f"paywall-{marker}", _paywalled(index, marker), "", paywalled=True))
    return pages


PAGES = build()
