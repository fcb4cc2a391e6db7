"""Dependencies derived, not declared: what a page read, and what a write changed.

A model takes part by inheriting `Tracked` and declaring, once, an inner class:

    class CacheTags:
        lists = ("source", "agency", "byline_slug", "topics")  # fields lists filter by
        listed_when = ("status", {"published"})  # rows other states are in no cached list
        bookkeeping = ("feed_hash", "updated_at")  # fields readers never see

Reading (while a cached page or fragment is built, inside `recording()`):
- every instance loaded from the database (or from a cache, unpickled) records its
  identity tag, `article:7` (`instance_tag`);
- every queryset evaluated records list tags derived from its WHERE clause: an exact or
  `in` condition on a declared field gives one tag per value (`list:article:source=3`);
  an AND needs one such condition, an OR all of its branches; anything else (no
  condition on a declared field, a negation) gives the table's list tag, `list:article`.
  Subqueries in the WHERE clause (`__in`, `Exists`) record their own.

Writing (save, delete, `update()`, `bulk_create()`, `bulk_update()`, a change of a
declared many-to-many field): the instance's tag, and for its old and its new values the
list tags it matched, plus the table's list tag; a row that is `listed_when` neither
before nor after bumps only its own tag; a write of bookkeeping fields only, nothing.

`serving` knows no content model: models declare, this module records and bumps. A tag is
a model's name (`_meta.model_name`) and a primary key or a field's value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache

from django.db import models
from django.db.models.lookups import Exact, In
from django.db.models.sql.query import Query
from django.db.models.sql.where import AND, OR, WhereNode

from .tags import bump_tags

_found: ContextVar[set[str] | None] = ContextVar("dependencies_found", default=None)
_loose: ContextVar[bool] = ContextVar("dependencies_loose", default=False)
# A tag recorded loosely: the fragment that read it depends on it, the page around not.
LOOSE = "~"


# --- declarations -----------------------------------------------------------------------


@dataclass(frozen=True)
class Declaration:
    name: str
    lists: tuple[str, ...]
    listed_when: tuple[str, frozenset] | None
    bookkeeping: frozenset[str]

    def field_names(self, model) -> tuple[list[str], list[str]]:
        """(concrete list fields as attnames, many-to-many list fields)."""
        concrete, m2m = [], []
        for name in self.lists:
            field = model._meta.get_field(name)
            (m2m if field.many_to_many else concrete).append(field.name)
        return [model._meta.get_field(n).attname for n in concrete], m2m


@cache
def declaration(model) -> Declaration | None:
    spec = getattr(model, "CacheTags", None)
    if spec is None:
        return None
    model = model._meta.concrete_model
    listed = getattr(spec, "listed_when", None)
    bookkeeping = set(getattr(spec, "bookkeeping", ()))
    for name in tuple(bookkeeping):  # "source" and "source_id" both mean the field
        bookkeeping.add(model._meta.get_field(name).attname)
    return Declaration(
        name=model._meta.model_name,
        lists=tuple(getattr(spec, "lists", ())),
        listed_when=(listed[0], frozenset(listed[1])) if listed else None,
        bookkeeping=frozenset(bookkeeping),
    )


def instance_tag(model_or_instance, pk=None) -> str:
    """`article:7`: what shows this one row."""
    if pk is None:
        pk = model_or_instance.pk
    return f"{model_or_instance._meta.model_name}:{pk}"


def list_tag(model, field: str | None = None, value=None) -> str:
    """`list:article` (every list of the model) or `list:article:source=3`."""
    name = model._meta.model_name
    return f"list:{name}" if field is None else f"list:{name}:{field}={value}"


# --- recording --------------------------------------------------------------------------


def record(*tags: str) -> None:
    """Add tags to what the page or fragment being built depends on (nothing outside)."""
    found = _found.get()
    if found is not None:
        found.update(t for t in tags if t)


def is_recording() -> bool:
    return _found.get() is not None


def is_loose() -> bool:
    """Inside `loosely()`: what is read now is followed loosely (serving/slots.py carries
    that to the slots a loosely read card prints)."""
    return _loose.get()


@contextmanager
def recording(*, isolated: bool = False) -> Iterator[set[str]]:
    """Collect the tags of what is read inside; an enclosing recording gets them too (a
    fragment's dependencies are its page's), loose ones still marked loose (a fragment
    around a kept value follows the lists the value was read loosely from; the page
    drops them), unless `isolated` (a lookup whose result is kept apart, like the next
    scheduled change)."""
    outer = _found.get()
    found: set[str] = set()
    token = _found.set(found)
    try:
        yield found
    finally:
        _found.reset(token)
        if outer is not None and not isolated:
            outer.update(found)


def split_loose(tags: set[str]) -> tuple[set[str], set[str]]:
    """(every tag, loose marks removed; the loose ones) of a recording."""
    strict = {t for t in tags if not t.startswith(LOOSE)}
    loose = {t[len(LOOSE) :] for t in tags if t.startswith(LOOSE)} - strict
    return strict | loose, loose


@contextmanager
def loosely() -> Iterator[None]:
    """Inside, the page records the rows read but not the lists they came from: it follows
    changes of what it shows (a retitle, a withdrawal), not new rows that would now be
    picked; the `{% fragment %}` around keeps following the lists too, so the page picks
    them up whenever it renders again. For fillers, such as the article page's related
    cards, that every publish would otherwise re-render."""
    token = _loose.set(True)
    try:
        yield
    finally:
        _loose.reset(token)


def record_instance(instance) -> None:
    if _found.get() is not None and instance.pk is not None:
        record(instance_tag(instance))


def instance_tags(instance) -> set[str]:
    """The tags of an instance and of the related rows loaded with it (select_related):
    what a fragment printing it depends on."""
    tags = set()
    stack = [instance]
    while stack:
        obj = stack.pop()
        if obj is None or obj.pk is None:
            continue
        if declaration(type(obj)) is not None:
            tags.add(instance_tag(obj))
        stack.extend(obj._state.fields_cache.values())
    return tags


def record_query(query: Query) -> None:
    if _found.get() is not None:
        tags = query_tags(query)
        record(*(LOOSE + t for t in tags) if _loose.get() else tags)


@cache
def _list_fields(model) -> dict:
    """Field object -> declared name, for the conditions a WHERE clause can hold on it:
    the foreign key or column itself, or a many-to-many's link to its target."""
    decl = declaration(model)
    found = {}
    for name in decl.lists if decl else ():
        field = model._meta.get_field(name)
        if field.many_to_many:
            through = field.remote_field.through
            found[through._meta.get_field(field.m2m_reverse_field_name())] = name
        else:
            found[field] = name
    found[model._meta.pk] = "pk"
    return found


def query_tags(query: Query) -> set[str]:
    """The list tags of a query on a tracked model (see the module's docstring)."""
    model = query.model
    tags = set()
    for sub in (*_subqueries(query.where), *query.combined_queries):  # and UNION's parts
        tags |= query_tags(sub)
    if model is None or declaration(model) is None:
        return tags
    narrowed = _where_tags(query.where, model)
    return tags | (narrowed if narrowed is not None else {list_tag(model)})


def _where_tags(node, model) -> set[str] | None:
    if isinstance(node, WhereNode):
        if node.negated:
            return None
        parts = [_where_tags(child, model) for child in node.children]
        if node.connector == AND:
            narrowing = [p for p in parts if p is not None]
            return min(narrowing, key=len) if narrowing else None
        if node.connector == OR and parts and all(p is not None for p in parts):
            return set().union(*parts)
        return None
    if not isinstance(node, Exact | In):
        return None
    target = getattr(node.lhs, "target", None)
    name = _list_fields(model).get(target)
    if name is None and getattr(target, "unique", False) and target.model is model:
        # A lookup by an undeclared unique field (a slug) depends on the row it finds,
        # which records its own tag; our pages answer 404 when it finds none, and no cache
        # keeps a 404. (A page that shows something else then declares the field a list.)
        return set()
    if name is None or not hasattr(node.lhs, "alias"):
        return None
    values = node.rhs if isinstance(node, In) else [node.rhs]
    if not isinstance(values, list | tuple | set | frozenset):
        return None  # a subquery or an expression
    values = [getattr(v, "pk", v) for v in values]
    if not all(isinstance(v, int | str) for v in values):
        return None
    if name == "pk":
        return {instance_tag(model, v) for v in values}
    return {list_tag(model, name, v) for v in values}


def _subqueries(node) -> Iterator[Query]:
    for child in getattr(node, "children", ()):
        yield from _subqueries(child)
    # `pk__in=<queryset>` holds it on the right; `filter(Exists(...))` becomes
    # `Exact(Exists(...), True)`, with the subquery on the left.
    for side in (getattr(node, "rhs", None), getattr(node, "lhs", None)):
        side = getattr(side, "query", side)  # Subquery(...), Exists(...) or a queryset
        if isinstance(side, Query):
            yield side


# --- writing ----------------------------------------------------------------------------


def _bump(tags: Iterable[str]) -> None:
    bump_tags(tags)


def _read(model, pks: list, extra: Iterable[str] = ()) -> dict:
    """pk -> the declared fields' values (list fields, the listed_when field, and `extra`
    attnames), of rows as they are in the database now."""
    decl = declaration(model)
    concrete, _ = decl.field_names(model)
    names = list(dict.fromkeys([*concrete, *extra]))
    if decl.listed_when:
        names.append(model._meta.get_field(decl.listed_when[0]).attname)
    rows = {}
    for start in range(0, len(pks), 500):  # SQLite's variable limit
        chunk = pks[start : start + 500]
        for row in model._base_manager.filter(pk__in=chunk).values("pk", *names):
            rows[row["pk"]] = row
    for pk, links in _links(model, list(rows)).items():
        rows[pk].update(links)
    return rows


def _links(model, pks: list) -> dict:
    """pk -> {many-to-many list field: [ids of the rows it links to]}."""
    _, m2m = declaration(model).field_names(model)
    found: dict = {pk: {name: [] for name in m2m} for pk in pks} if m2m else {}
    for name in m2m:
        field = model._meta.get_field(name)
        own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
        links = field.remote_field.through.objects.filter(**{f"{own}_id__in": pks})
        for pk, value in links.values_list(f"{own}_id", f"{other}_id"):
            found[pk][name].append(value)
    return found


def row_tags(model, pk, row: dict | None) -> set[str]:
    """The tags a row with these values is on: its own, and the lists it is listed in."""
    decl = declaration(model)
    tags = {instance_tag(model, pk)} if pk is not None else set()
    if row is None:
        return tags
    if decl.listed_when:
        field = model._meta.get_field(decl.listed_when[0])
        if row.get(field.attname) not in decl.listed_when[1]:
            return tags
    tags.add(list_tag(model))
    for name in decl.lists:
        field = model._meta.get_field(name)
        values = row.get(name, []) if field.many_to_many else [row.get(field.attname)]
        tags.update(list_tag(model, name, v) for v in values if v not in (None, ""))
    return tags


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def shows_change(model, fields: Iterable[str] | None) -> bool:
    """False when only bookkeeping fields are written."""
    if fields is None:
        return True
    decl = declaration(model)
    names = {model._meta.get_field(f).attname for f in fields}
    return not names <= decl.bookkeeping


def rows_changed(model, pks: Iterable, before: dict) -> None:
    """Bump what rows `pks` were on (`before`, from `_read`) and are on now."""
    pks = [pk for pk in pks if pk is not None]
    after = _read(model, pks)
    tags = set()
    for pk in pks:
        tags |= row_tags(model, pk, before.get(pk)) | row_tags(model, pk, after.get(pk))
    _bump(tags)


def changed(model, pks: Iterable) -> None:
    """Rows whose pages changed without a write of theirs (a scheduled article went live,
    a picture's renditions are ready): bump them as they are now."""
    pks = list(pks)
    if pks:
        rows_changed(model, pks, {})


class TrackedQuerySet(models.QuerySet):
    """A tracked model's queryset: evaluating it records its list tags; its bulk writes
    bump what they change (save and delete are Tracked's)."""

    def _fetch_all(self):
        if self._result_cache is None:
            record_query(self.query)
        super()._fetch_all()

    def iterator(self, chunk_size=None):
        record_query(self.query)
        return super().iterator(chunk_size)

    def count(self) -> int:
        if self._result_cache is None:
            record_query(self.query)
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            record_query(self.query)
        return super().exists()

    def update(self, **kwargs) -> int:
        if not shows_change(self.model, kwargs):
            return super().update(**kwargs)
        pks = list(self.values_list("pk", flat=True))
        before = _read(self.model, pks)
        count = super().update(**kwargs)
        rows_changed(self.model, pks, before)
        return count

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        tags = set()
        for obj in created:
            tags |= row_tags(self.model, obj.pk, _values(obj))
        _bump(tags)
        return created

    def bulk_update(self, objs, fields, *args, **kwargs) -> int:
        objs = list(objs)
        if not shows_change(self.model, fields):
            return super().bulk_update(objs, fields, *args, **kwargs)
        pks = [obj.pk for obj in objs]
        before = _read(self.model, pks)
        count = super().bulk_update(objs, fields, *args, **kwargs)
        rows_changed(self.model, pks, before)
        return count


class Tracked(models.Model):
    """A model whose reads and writes keep cached pages fresh (declare `CacheTags`)."""

    class Meta:
        abstract = True

    def __setstate__(self, state):
        super().__setstate__(state)
        record_instance(self)  # an instance kept in a cache was read all the same

    def save(self, *args, **kwargs):
        model = type(self)
        fields = kwargs.get("update_fields")
        if not shows_change(model, fields):
            return super().save(*args, **kwargs)
        decl = declaration(model)
        pk = None if self._state.adding else self.pk
        # Old values matter only to a model whose lists depend on its fields, or that
        # derives more from them (`written`).
        before = None
        if pk is not None and (decl.lists or decl.listed_when or self.written_reads):
            before = _read(model, [pk], self.written_reads).get(pk)
        result = super().save(*args, **kwargs)
        after = {**_values(self), **_links(model, [self.pk]).get(self.pk, {})}
        _bump(row_tags(model, pk, before or {}) | row_tags(model, self.pk, after))
        self.written(before)
        return result

    # The attnames `written` needs of the row as it was (read with the declared ones).
    written_reads: tuple[str, ...] = ()

    def written(self, before: dict | None) -> None:
        """After a save that shows a change: the row as it was (the declared fields and
        `written_reads`; None when it is new). A model overrides it for what its own tags
        do not say (a comment's old and new author's records); the state comes from the
        database, never from attributes left on the instance."""

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        record_instance(instance)
        return instance


def connect() -> None:
    """Deletions and many-to-many changes of every tracked model (ServingConfig.ready)."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, pre_delete

    for model in apps.get_models():
        decl = declaration(model)
        if decl is None:
            continue
        pre_delete.connect(_deleted, sender=model, dispatch_uid=f"dependencies-{decl.name}")
        for name in decl.lists:
            field = model._meta.get_field(name)
            if field.many_to_many:
                m2m_changed.connect(
                    _links_changed,
                    sender=field.remote_field.through,
                    dispatch_uid=f"dependencies-{decl.name}-{name}",
                )


def _deleted(sender, instance, **kwargs) -> None:
    # pre_delete: many-to-many links are still there to be read.
    _bump(row_tags(sender, instance.pk, _read(sender, [instance.pk]).get(instance.pk)))


def _links_changed(sender, instance, action: str, reverse: bool, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    owner = model if reverse else type(instance)
    owner = owner._meta.concrete_model
    name = next(
        f.name
        for f in owner._meta.many_to_many
        if f.remote_field.through is sender and f.name in declaration(owner).lists
    )
    field = owner._meta.get_field(name)
    if reverse:  # topic.articles.add(...): the instance is the target
        owners, targets = list(pk_set or ()), [instance.pk]
        if action == "pre_clear":
            owners = list(
                sender.objects.filter(
                    **{f"{field.m2m_reverse_field_name()}_id": instance.pk}
                ).values_list(f"{field.m2m_field_name()}_id", flat=True)
            )
    else:
        owners, targets = [instance.pk], list(pk_set or ())
        if action == "pre_clear":
            targets = list(getattr(instance, name).values_list("pk", flat=True))
    tags = {instance_tag(owner, pk) for pk in owners} | {list_tag(owner)}
    tags |= {list_tag(owner, name, pk) for pk in targets}
    _bump(tags)
