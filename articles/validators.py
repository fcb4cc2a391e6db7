"""Field validators for what editors type that a program reads later."""

from __future__ import annotations

from cssselect import GenericTranslator, SelectorError
from django.core.exceptions import ValidationError


def validate_css_selector(value: str) -> None:
    """A CSS selector (or a comma-separated group of them), as lxml's cssselect reads it."""
    if not value.strip():
        return
    try:
        GenericTranslator().css_to_xpath(value)
    except SelectorError as exc:
        raise ValidationError(f"This is not a CSS selector cssselect can read: {exc}.") from None
