"""Demo content for a fresh site: sources, topics, promos and 36 articles with pictures.

Idempotent: running it again changes nothing that already exists. All text is written for
this project; the places, people and outlets are invented.
"""

from __future__ import annotations

import io
import random
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from articles import publishing
from articles.library import Image as LibraryImage
from articles.models import Article, ArticleRevision, Correction, Promo, Source, Topic
from demo.demo_content import SOURCES, STORIES, TOPICS
from demo.demo_stories import AI_PROMO, COVERED_STORIES
from demo.feed import FEED_SOURCE_SLUG, FEED_TITLE
from demo.fulltext import GAZETTE_SLUG, GAZETTE_TITLE

PALETTES = [
    ((27, 77, 137), (120, 180, 220)),
    ((47, 125, 79), (200, 220, 150)),
    ((138, 47, 92), (240, 170, 140)),
    ((176, 84, 26), (250, 210, 120)),
    ((40, 60, 80), (150, 170, 190)),
    ((90, 60, 140), (200, 180, 230)),
]


def demo_image(seed: int, size=(1600, 900)) -> bytes:
    """An abstract landscape: sky gradient, sun and hills. Made here, owned by the project."""
    rng = random.Random(seed)
    top, bottom = PALETTES[seed % len(PALETTES)]
    w, h = size
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    for y in range(h):
        t = y / h
        colour = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (w, y)], fill=colour)
    cx, cy, r = rng.randint(200, w - 200), rng.randint(120, h // 2), rng.randint(60, 140)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(255, 236, 180))
    for layer in range(3):
        base = h * (0.55 + 0.13 * layer)
        shade = tuple(max(0, int(c * (0.75 - 0.2 * layer))) for c in top)
        points = [(0, h)]
        for x in range(0, w + 100, 100):
            points.append((x, base + rng.randint(-60, 60)))
        points.append((w, h))
        draw.polygon(points, fill=shade)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def logo_image(colour: str, letter_seed: int) -> bytes:
    img = Image.new("RGB", (256, 256), colour)
    draw = ImageDraw.Draw(img)
    draw.rectangle([48, 48, 208, 208], outline=(255, 255, 255), width=16)
    draw.ellipse([100, 100, 156, 156], fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _give_history(article: Article, paragraphs: list[str]) -> None:
    """Two revisions: a shorter first draft, then the published text (for the diffs)."""
    draft = publishing.snapshot(article) | {
        "title": f"{article.title} (draft)",
        "summary": article.summary.split(".")[0] + ".",
        "body": "".join(f"<p>{p}</p>" for p in paragraphs[:-1]),
        "status": Article.Status.DRAFT,
    }
    ArticleRevision.objects.create(
        article=article,
        created_at=article.published_at - timedelta(hours=2),
        changed_fields=["title", "summary", "body"],
        snapshot=draft,
    )
    revision = publishing.record(
        article=article, author=None, changed_fields=["title", "summary", "body", "status"]
    )
    ArticleRevision.objects.filter(pk=revision.pk).update(
        created_at=article.published_at - timedelta(minutes=5)
    )


class Command(BaseCommand):
    help = "Create demo sources, topics, promos and articles (idempotent)."

    def _covered_stories(self, now, sources, topics) -> int:
        """Events reported by several sources; the stories app groups them as they save."""
        made = 0
        for event, reports in enumerate(COVERED_STORIES):
            for n, (slug, hours, title, topic_slugs, summary, paragraphs) in enumerate(reports):
                if Article.objects.filter(title=title).exists():
                    continue
                article = Article(
                    title=title,
                    summary=summary,
                    body="".join(f"<p>{p}</p>" for p in paragraphs),
                    source=sources[slug],
                    status=Article.Status.PUBLISHED,
                    published_at=now - timedelta(hours=hours, minutes=13 * n),
                    lead_image_credit="Newsroom demo studio",
                )
                seed = 100 + event * 10 + n
                article.lead_image.save(
                    f"demo-{seed}.jpg", ContentFile(demo_image(seed)), save=False
                )
                article.save()
                article.topics.set([topics[t] for t in topic_slugs])
                made += 1
        return made

    def handle(self, *args, **options):
        now = timezone.now()
        sources = {}
        for i, (name, slug, kind, colour, description) in enumerate(SOURCES):
            source, created = Source.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "kind": kind,
                    "description": description,
                    "vetted": True,  # the demo's outlets are known to its editors
                },
            )
            if created:
                source.logo.save(f"{slug}.png", ContentFile(logo_image(colour, i)))
            sources[slug] = source
        if settings.DEMO_FEED:
            # The sources whose feeds the site serves itself (demo/views.py): the worker
            # polls them right after `make run` starts, and their stories arrive by
            # themselves. Their addresses follow SITE_URL, so they are set on every run.
            # The Harbour Gazette's feed carries summaries only; with "Fetch the full
            # article" on, its articles arrive complete from its pages (demo/fulltext.py).
            for slug, name, description, url, full_text in (
                (
                    FEED_SOURCE_SLUG,
                    FEED_TITLE,
                    "Stories served by this site's own demo feed.",
                    settings.DEMO_FEED_URL,
                    False,
                ),
                (
                    GAZETTE_SLUG,
                    GAZETTE_TITLE,
                    "A demo newspaper whose feed carries summaries only.",
                    settings.DEMO_GAZETTE_URL,
                    True,
                ),
            ):
                Source.objects.update_or_create(
                    slug=slug,
                    defaults={
                        "name": name,
                        "kind": Source.Kind.PUBLISHER,
                        "description": description,
                        "feed_url": url,
                        "fetch_full_text": full_text,
                        "auto_publish": True,
                        "is_active": True,
                        "vetted": True,
                    },
                )
        Source.objects.filter(slug="northwind-wire").update(aliases="Northwind, NW")
        Source.objects.filter(slug="meridian-press").update(aliases="MPA, Meridian")

        topics = {}
        for position, (name, slug) in enumerate(TOPICS):
            topics[slug], _ = Topic.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "in_navigation": True, "position": position},
            )

        publishers = [s for s in sources.values() if s.kind == Source.Kind.PUBLISHER]
        agencies = [s for s in sources.values() if s.kind == Source.Kind.AGENCY]
        bylines = [
            "Mara Okonjo",
            "Tomasz Brenn",
            "Ada Lindqvist",
            "Felix Amari",
            "",
            "Ines Carvalho",
            "Rui Tanaka",
        ]
        created_count = 0
        for i, (title, topic_slugs, summary, paragraphs) in enumerate(STORIES):
            if Article.objects.filter(title=title).exists():
                continue
            body = "".join(f"<p>{p}</p>" for p in paragraphs)
            if i % 3 == 0:
                body += (
                    "<h2>What happens next</h2><p>A further update is expected once the "
                    "details are confirmed. Background reading is available from the "
                    "council.</p>"
                    "<blockquote><p>We have listened, and we will keep listening.</p>"
                    "</blockquote>"
                )
            agency = agencies[i % 2] if i % 4 == 1 else None
            article = Article(
                title=title,
                summary=summary,
                body=body,
                source=publishers[i % len(publishers)],
                agency=agency,
                byline=bylines[i % len(bylines)],
                # The outlets are invented: no address to send readers to.
                original_url="",
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(hours=3 * i + 1, minutes=7 * i),
                image=LibraryImage.objects.create(
                    file=ContentFile(demo_image(i), name=f"demo-{i}.jpg"),
                    title=f"Demo illustration {i + 1}",
                    alt_text="An illustration of hills under a low sun",
                    caption="Illustration made for this demo." if i % 2 == 0 else "",
                    credit="Newsroom demo studio",
                    focal_x=0.3 + (i % 5) / 10,
                ),
            )
            article.save()
            article.topics.set([topics[t] for t in topic_slugs])
            if i % 4 == 0:
                _give_history(article, paragraphs)
            if i == 0:
                Correction.objects.create(
                    article=article,
                    text="An earlier version of this article gave the wrong year for the wall.",
                    published_at=now - timedelta(minutes=30),
                )
                Correction.objects.create(
                    article=article,
                    kind=Correction.Kind.UPDATE,
                    text="Work is now expected to start in October.",
                    published_at=now - timedelta(minutes=10),
                )
            created_count += 1

        created_count += self._covered_stories(now, sources, topics)
        features_url = settings.SITE_URL + reverse("stories:features")
        # The banner advertises what exists; earlier demos' placeholder promo is replaced.
        Promo.objects.filter(
            placement=Promo.Placement.ARTICLE, link_url__contains="example.org"
        ).delete()
        if not Promo.objects.filter(placement=Promo.Placement.ARTICLE).exists():
            Promo.objects.create(
                placement=Promo.Placement.ARTICLE,
                title=AI_PROMO[0],
                text=AI_PROMO[1],
                link_url=features_url,
                link_label="Explore",
            )
        # Store badges link to settings.APP_STORE_URL / PLAY_STORE_URL (hidden when unset).
        Promo.objects.filter(
            placement=Promo.Placement.APP_FOOTER, app_store_url__contains="example.org"
        ).update(app_store_url="", play_store_url="")
        if not Promo.objects.filter(placement=Promo.Placement.APP_FOOTER).exists():
            Promo.objects.create(
                placement=Promo.Placement.APP_FOOTER,
                title="Download the app",
                text="Get started now: download the app and read the day's news on the go.",
            )
        self.stdout.write(
            f"Demo content ready: {len(sources)} sources, {len(topics)} topics, "
            f"{created_count} new articles ({Article.objects.count()} in all)."
        )
