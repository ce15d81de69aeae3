"""Who sees what in the back office: a user's scope, as division-code prefixes, and the registry
that says where each model's records belong.

The brief: "a staff member's scope is a division code prefix (city 4 digits, county 6, township 9,
village 12), which makes 'sees only their own county' a prefix filter", and "scope is enforced on
every query of the back office and the workflows, not only in menus". Every listing, chooser,
edit view, export, dashboard and API filters through `scoped()` (or `scope_filter()` for a model
not registered), so there is one place to get this right.

This module is the platform's and knows no app's models (it imports only `places`). Each app
registers, in its AppConfig.ready():

- its models, with `register(model, field=..., rule=..., manage_rule=...)`: where the records
  belong (advisers.scope_rules, ledger, content, workflows);
- the kinds of account it defines, with `register_resolver(fn, order=...)`: a function from a
  user to a `Scope`, or None when the account is not of that kind (a staff profile's scope,
  order 0, from backoffice; an adviser's or a liaison officer's account from advisers).

Superusers see everything. An account no resolver knows sees nothing (fail closed), and so does a
query on a model nobody registered (a LookupError, never everything).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q, QuerySet

from places import codes

ALWAYS_FALSE = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    """Division-code prefixes a user may see; `prefixes=None` means everywhere."""

    prefixes: tuple[str, ...] | None
    adviser_id: int | None = None

    @property
    def unrestricted(self) -> bool:
        return self.prefixes is None

    @property
    def is_empty(self) -> bool:
        return self.prefixes == () and self.adviser_id is None

    @property
    def is_adviser(self) -> bool:
        return self.adviser_id is not None

    def covers(self, code: str | None) -> bool:
        """Whether a division code lies inside the scope."""
        if self.prefixes is None:
            return True
        if not code:
            return False
        return any(code.startswith(prefix) for prefix in self.prefixes)

    def q(self, field: str) -> Q:
        """A filter matching rows whose `field` (a code, or a foreign key to Division) is in scope."""
        if self.prefixes is None:
            return Q()
        if not self.prefixes:
            return ALWAYS_FALSE
        exact = [p for p in self.prefixes if len(p) == codes.CODE_LENGTHS[codes.VILLAGE]]
        query = Q(**{f"{field}__in": exact}) if exact else ALWAYS_FALSE
        for prefix in self.prefixes:
            if prefix in exact:
                continue
            query |= Q(**{f"{field}__gte": prefix, f"{field}__lt": codes.prefix_upper_bound(prefix)})
        return query

    @property
    def roots(self) -> list[str]:
        """The prefixes, or [""] (the whole country) when unrestricted."""
        return [""] if self.prefixes is None else list(self.prefixes)


EVERYWHERE = Scope(prefixes=None)
NOWHERE = Scope(prefixes=())


ScopeResolver = Callable[[object], "Scope | None"]
_resolvers: list[tuple[int, ScopeResolver]] = []


def register_resolver(resolver: ScopeResolver, *, order: int = 100) -> None:
    """Add a kind of account: `resolver(user)` returns its Scope, or None if not of this kind.

    Resolvers are asked in `order` (lowest first); the first answer wins.
    """
    if all(existing is not resolver for _order, existing in _resolvers):
        _resolvers.append((order, resolver))
        _resolvers.sort(key=lambda item: item[0])


def compute_scope(user) -> Scope:
    """The scope of an account: the first registered resolver that knows it, else nowhere."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated or not user.is_active:
        return NOWHERE
    if user.is_superuser:
        return EVERYWHERE
    for _order, resolver in _resolvers:
        found = resolver(user)
        if found is not None:
            return found
    return NOWHERE


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    if user is None:
        return NOWHERE
    cached = getattr(user, "_portal_scope", None)
    if cached is None:
        cached = compute_scope(user)
        try:
            user._portal_scope = cached
        except AttributeError:  # pragma: no cover -- exotic user objects without __dict__
            pass
    return cached


def forget_scope(user) -> None:
    """Drop a cached scope (after the user's profile or contracts change within one request)."""
    if hasattr(user, "_portal_scope"):
        del user._portal_scope


def scope_filter(queryset: QuerySet, user, field: str = "village") -> QuerySet:
    """Rows of `queryset` whose `field` (division code or FK to Division) is in the user's scope.

    The building block for any place-bound model, e.g. the work ledger:
    `scope_filter(LedgerEntry.objects.all(), request.user, field="village")`.
    """
    return queryset.filter(scope_for(user).q(field))


# --- how each model maps to a place -------------------------------------------------------

ScopeRule = Callable[[QuerySet, Scope], QuerySet]
_rules: dict[type[models.Model], ScopeRule] = {}
_manage_rules: dict[type[models.Model], ScopeRule] = {}
_place_fields: dict[type[models.Model], str] = {}


def register(
    model: type[models.Model],
    *,
    field: str,
    rule: ScopeRule | None = None,
    manage_rule: ScopeRule | None = None,
) -> None:
    """Declare where `model`'s records belong: `field` is their division code (path with "__").

    `rule` replaces the plain prefix filter for models that belong to several places (advisers).
    `manage_rule` narrows who may change or delete a record below who may see it: a firm is seen
    by every county its advisers serve, but managed only by the bureau of its own county.
    """
    _place_fields[model] = field
    if rule is not None:
        _rules[model] = rule
    if manage_rule is not None:
        _manage_rules[model] = manage_rule


def scoped(queryset: QuerySet, user) -> QuerySet:
    """`queryset` restricted to the records the user's scope reaches."""
    scope = scope_for(user)
    if scope.unrestricted:
        return queryset
    model = queryset.model
    if model in _rules:
        return _rules[model](queryset, scope)
    if model in _place_fields:
        return queryset.filter(scope.q(_place_fields[model]))
    raise LookupError(f"{model.__name__} has no scope rule; register one in its app's ready()")


def is_in_scope(user, instance: models.Model) -> bool:
    """Whether a saved record is reachable by the user (one indexed query)."""
    if instance.pk is None:
        return False
    if scope_for(user).unrestricted:
        return True
    return scoped(type(instance)._default_manager.filter(pk=instance.pk), user).exists()


def managed(queryset: QuerySet, user) -> QuerySet:
    """`queryset` restricted to the records the user may change or delete (within `scoped()`)."""
    scope = scope_for(user)
    if scope.unrestricted:
        return queryset
    rule = _manage_rules.get(queryset.model)
    if rule is None:
        return scoped(queryset, user)
    return rule(queryset, scope)


def has_manage_rule(model: type[models.Model]) -> bool:
    """Whether managing `model`'s records is narrower than seeing them."""
    return model in _manage_rules


def is_managed(user, instance: models.Model) -> bool:
    """Whether a saved record may be changed or deleted by the user (its scope allowing)."""
    if instance.pk is None:
        return False
    if scope_for(user).unrestricted:
        return True
    return managed(type(instance)._default_manager.filter(pk=instance.pk), user).exists()


def place_code_of(instance: models.Model) -> str:
    """The division code a record belongs to, for the audit log ("" when it has none)."""
    field = _place_fields.get(type(instance))
    if not field:
        return ""
    parts = field.split("__")
    value: object = instance
    for part in parts[:-1]:
        value = getattr(value, part, None)
        if value is None:
            return ""
    last = parts[-1]
    code = getattr(value, f"{last}_id") if hasattr(value, f"{last}_id") else getattr(value, last, None)
    return str(code or "")


def division_rule(queryset: QuerySet, scope: Scope) -> QuerySet:
    """Divisions: their own code (registered by backoffice's ready())."""
    return queryset.filter(scope.q("code"))


def codes_in_scope(user, candidates: Iterable[str]) -> list[str]:
    scope = scope_for(user)
    return [code for code in candidates if scope.covers(code)]
