"""Admin forms posted as a browser would: read the form the admin rendered, change some
fields, post it back (the freshness property test's writes go through these)."""

from __future__ import annotations

from html.parser import HTMLParser

from django.urls import reverse

from tests import factories


class _FormReader(HTMLParser):
    """The values a browser would post from the admin's main form."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.data: dict[str, list[str]] = {}
        self.kinds: dict[str, str] = {}  # name -> input type, "select" or "textarea"
        self.options: dict[str, list[str]] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            self.kinds.setdefault(name, kind)
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.data.setdefault(name, []).append(a.get("value") or default)
        elif tag == "select" and name:
            self.select = name
            self.kinds[name] = "select"
            self.data.setdefault(name, [])
        elif tag == "option" and self.select:
            self.options.setdefault(self.select, []).append(a.get("value", ""))
            if "selected" in a:
                self.data[self.select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.kinds[name] = "textarea"
            self.textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            value = self.data[self.textarea][0]
            # As browsers do: the newline right after <textarea> is not the value's.
            self.data[self.textarea][0] = value[1:] if value.startswith("\n") else value
            self.textarea = None
        elif tag == "form":
            self.inside = False

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data


def admin_change(client, obj, **changes) -> None:
    """Change `obj` in the admin as an editor: the change form as rendered, edited, posted."""
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    _post_form(client, url, meta.model_name, changes)


def admin_change_every_field(client, obj, *, skip=(), **changes) -> None:
    """Give every field of `obj`'s admin form a new value (text edited, boxes toggled,
    another choice, a new picture), except `skip` and inlines; `changes` win."""
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    reader = _FormReader(f"{meta.model_name}_form")
    reader.feed(client.get(url).content.decode())
    edited = {}
    for name, kind in reader.kinds.items():
        if name in skip or "-" in name or name.startswith(("csrf", "_")) or name[-2:-1] == "_":
            continue
        value = (reader.data.get(name) or [""])[0]
        if kind == "file":
            edited[name] = factories.image_upload(f"{name}.jpg", size=(1000, 600))
        elif kind == "checkbox":
            edited[name] = None if name in reader.data else "on"
        elif kind == "select":
            others = [o for o in reader.options.get(name, []) if o and o != value]
            if others:
                edited[name] = others[0]
        elif kind == "url":
            edited[name] = f"https://edited.example.org/{name}"
        elif kind == "number":
            edited[name] = str(int(float(value or 0)) + 1)
        elif kind in ("text", "textarea"):
            edited[name] = f"{value}-edited" if name == "slug" else f"{value} (edited)"
    _post_form(client, url, meta.model_name, {**edited, **changes})


def admin_add(client, model, **values) -> None:
    meta = model._meta
    _post_form(
        client, reverse(f"admin:{meta.app_label}_{meta.model_name}_add"), meta.model_name, values
    )


def _post_form(client, url: str, model_name: str, changes: dict) -> None:
    page = client.get(url)
    assert page.status_code == 200, url
    reader = _FormReader(f"{model_name}_form")
    reader.feed(page.content.decode())
    data = {k: v[0] if len(v) == 1 else v for k, v in reader.data.items()}
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    response = client.post(url, data)
    errors = response.context and response.context.get("errors")
    assert response.status_code == 302, f"{url}: {errors}"


def admin_delete(client, obj) -> None:
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
