"""How every form field on the site is drawn: one template, set as FORM_RENDERER.

`{{ form }}`, `{{ form.as_div }}` and `{{ field.as_field_group }}` all draw each field
with `includes/field.html` (label, errors, input, help), so reader forms, allauth's pages
(through templates/allauth/elements/fields.html) and the moderators' forms look and
behave alike.
"""

from django.forms.renderers import TemplatesSetting


class SiteFormRenderer(TemplatesSetting):
    """Django's renderer, reading the project's templates, with the site's field template."""

    field_template_name = "includes/field.html"
