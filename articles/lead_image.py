"""How an article's lead (and social) picture is shown: the library image when there is one,
else the picture uploaded for this article alone (kept for feed imports, see
docs/editors.md). A mixin of Article, kept apart so models.py stays readable."""

from __future__ import annotations


class LeadImageDisplay:
    """Properties the templates, metadata and API read; they never query when the
    article was loaded with select_related("image") (for_cards, article_by_slug)."""

    @property
    def share_image(self) -> tuple[dict, str]:
        """(renditions, alt text) of the social image, else of the lead image."""
        if self.social_image_id:
            return self.social_image.renditions, self.social_image.alt_text or self.title
        return self.renditions, self.image_alt

    @property
    def image_alt(self) -> str:
        if self.image_id:
            return self.image.alt_text or self.title
        return self.lead_image_alt or self.title

    @property
    def renditions(self) -> dict:
        """The lead image's sizes: the library image's, else the uploaded one's."""
        return self.image.renditions if self.image_id else self.lead_image_renditions

    @property
    def image_caption(self) -> str:
        return self.image.caption if self.image_id else self.lead_image_caption

    @property
    def image_credit(self) -> str:
        return self.image.credit if self.image_id else self.lead_image_credit

    @property
    def picture_sources(self) -> list[tuple[str, str]]:
        r = self.renditions
        return [
            (f"image/{k}", ", ".join(f"{url} {w}w" for w, url in r[k]))
            for k in ("avif", "webp")
            if r.get(k)
        ]

    @property
    def srcset_webp(self) -> str:
        return ", ".join(f"{url} {w}w" for w, url in self.renditions.get("webp", []))

    @property
    def srcset_jpeg(self) -> str:
        return ", ".join(f"{url} {w}w" for w, url in self.renditions.get("jpeg", []))

    @property
    def image_fallback_url(self) -> str:
        jpeg = self.renditions.get("jpeg", [])
        return jpeg[min(1, len(jpeg) - 1)][1] if jpeg else ""

    @property
    def image_dimensions(self) -> tuple[int, int]:
        r = self.renditions
        return r.get("width", 0), r.get("height", 0)
