"""Registries the domain apps fill in their AppConfig.ready().

The kernel never imports a domain app: it learns what they offer from here (the way the
Django admin autodiscovers models).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from logistics.models import School


@dataclass(frozen=True)
class Capability:
    code: str
    label: str
    default_roles: tuple[str, ...]


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str  # reversed with school_code
    capability: str
    order: int = 100


@dataclass(frozen=True)
class Todo:
    """One line on the dashboard and in reminders: '3 expenses wait for your signature'."""

    text: str
    url: str
    count: int = 1
    level: str = "warning"  # a Bootstrap contextual colour


# A provider runs at most one query: the dashboard's query count is asserted in tests.
TodoProvider = Callable[["School", "AbstractBaseUser", frozenset[str]], Iterable[Todo]]


@dataclass(frozen=True)
class BenchPage:
    """A page `make bench` times: path(school) -> URL, fetched as a user holding `capability`."""

    name: str
    path: Callable[[School], str]
    capability: str
    is_list: bool = True


@dataclass(frozen=True)
class DocumentRef:
    """Another app's document, resolved from its number: what a link to it shows."""

    title: str
    url: str


# resolve(school, number) -> DocumentRef, or None when the school has no such document
# resolve(school, numbers) -> {number: its document} for those of the school's that exist: one
# query for a page's numbers, however many rows carry one.
DocumentResolver = Callable[["School", "list[str]"], "dict[str, DocumentRef]"]


@dataclass
class Registry:
    capabilities: dict[str, Capability] = field(default_factory=dict)
    nav: list[NavItem] = field(default_factory=list)
    todo_providers: list[TodoProvider] = field(default_factory=list)
    bench_pages: list[BenchPage] = field(default_factory=list)
    demo_loaders: list[Callable[[], None]] = field(default_factory=list)
    # seeder(member_schools, years, rng): bulk-inserts an app's district-scale bench data
    bench_seeders: list[Callable[..., None]] = field(default_factory=list)
    # extra() -> list of {name, value, reference, ratio, target, unit} (e.g. PDF rendering)
    bench_extras: list[Callable[[], list[dict]]] = field(default_factory=list)
    # "finance.expense" -> resolver: apps link to each other's documents by number
    document_types: dict[str, DocumentResolver] = field(default_factory=dict)
    # "canteen.sample" (model label, lower case) -> capability that may void it from its page
    voidables: dict[str, str] = field(default_factory=dict)
    # label -> guard(record): raises ValidationError when the record may not be voided now
    # (e.g. it belongs to a canteen day the committee has reviewed)
    void_guards: dict[str, Callable[[object], None]] = field(default_factory=dict)
    # label -> anonymise(before: date) -> records whose personal data was blanked (all schools)
    anonymisers: dict[str, Callable[[datetime.date], int]] = field(default_factory=dict)

    def capability(self, code: str, label: str, roles: Iterable[str]) -> None:
        if code in self.capabilities:
            raise ValueError(f"capability {code} registered twice")
        self.capabilities[code] = Capability(code, label, tuple(roles))

    def nav_item(self, item: NavItem) -> None:
        self.nav.append(item)
        self.nav.sort(key=lambda i: i.order)

    def todo(self, provider: TodoProvider) -> TodoProvider:
        self.todo_providers.append(provider)
        return provider

    def bench_page(self, page: BenchPage) -> None:
        self.bench_pages.append(page)

    def bench_seeder(self, seeder: Callable[..., None]) -> Callable[..., None]:
        self.bench_seeders.append(seeder)
        return seeder

    def bench_extra(self, extra: Callable[[], list[dict]]) -> Callable[[], list[dict]]:
        self.bench_extras.append(extra)
        return extra

    def document_type(self, code: str, resolve: DocumentResolver) -> None:
        if code in self.document_types:
            raise ValueError(f"document type {code} registered twice")
        self.document_types[code] = resolve

    def resolve_document(self, school: School, code: str, number: str) -> DocumentRef | None:
        """The document `number` of type `code` in `school`, or None (also for unknown types)."""
        return self.resolve_documents(school, code, [number]).get(str(number).strip())

    def resolve_documents(self, school: School, code: str, numbers) -> dict[str, DocumentRef]:
        """{number: document} of those of `numbers` (type `code`) that `school` has, in one
        query: a page resolves the numbers its rows carry at once."""
        resolve = self.document_types.get(code)
        wanted = sorted({str(n).strip() for n in numbers} - {""})
        return resolve(school, wanted) if resolve and wanted else {}

    def voidable(
        self, model: type, capability: str, guard: Callable[[object], None] | None = None
    ) -> None:
        """Records of `model` (a Voidable) may be voided from their page by `capability`,
        unless `guard(record)` refuses with a ValidationError."""
        self.voidables[model._meta.label_lower] = capability
        if guard is not None:
            self.void_guards[model._meta.label_lower] = guard

    def anonymiser(self, label: str, anonymise: Callable[[datetime.date], int]) -> None:
        """`manage.py anonymise_personal_data` calls it with the retention cut-off date."""
        self.anonymisers[label] = anonymise

    def demo_loader(self, loader: Callable[[], None]) -> Callable[[], None]:
        """Apps add their demo records; run by `manage.py load_demo` after the accounts."""
        self.demo_loaders.append(loader)
        return loader


registry = Registry()
