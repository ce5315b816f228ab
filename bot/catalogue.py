"""The panel's service list, cached per key; concurrent requests for one key share one fetch."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from bot.panel import Balance, PanelClient, PanelError, Service
from bot.platforms import OTHER, Platform, detect

MAX_VIEWS = 4
MAX_SEARCHES = 8  # per catalogue: each result is a tuple of references
# After the services arrive, the balance (read at the same time for the account's currency)
# is waited for this much longer at most: prices are shown without a code rather than late.
CURRENCY_GRACE_SECONDS = 1.0
OTHER_CATEGORY = "Other"  # the category of services the panel gives none


@dataclass(frozen=True)
class Catalogue:
    """A panel's services with the indexes every menu step needs, built once per fetch: a
    step over a catalogue of thousands of services looks up, it never scans."""

    services: tuple[Service, ...]
    # Ids the panel offers that this view leaves out (a storefront's hidden services).
    withheld: frozenset[str] = frozenset()
    # The account's currency (from its balance), shown with every price; None: unknown.
    currency: str | None = None
    categories: tuple[str, ...] = field(init=False)
    # The platforms the categories are for (bot.platforms), in order of first appearance,
    # "Other" last, and each platform's categories (indexes into `categories`).
    platforms: tuple[Platform, ...] = field(init=False)
    _platform_categories: tuple[tuple[int, ...], ...] = field(init=False, repr=False)
    _platform_of: tuple[int, ...] = field(init=False, repr=False)
    _by_category: tuple[tuple[Service, ...], ...] = field(init=False, repr=False)
    _category_of: dict[str, int] = field(init=False, repr=False)
    _by_id: dict[str, Service] = field(init=False, repr=False)
    _search_text: tuple[str, ...] = field(init=False, repr=False)
    # Each service's name as search ranks it (casefolded, single spaces).
    _search_names: tuple[str, ...] = field(init=False, repr=False)
    # Views derived from this catalogue (bot.services.storefront), built once each: they live
    # as long as the catalogue itself (its cache entry).
    _views: dict[Hashable, Catalogue] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # The last few searches' results (paging through them, Back to them, the same words
    # typed again): each search is made once per catalogue.
    _searches: dict[str, tuple[Service, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        grouped: dict[str, list[Service]] = {}
        by_id: dict[str, Service] = {}
        for service in self.services:
            grouped.setdefault(service.category or OTHER_CATEGORY, []).append(service)
            by_id.setdefault(service.id, service)  # the first wins, as a scan would find it
        categories = tuple(grouped)
        object.__setattr__(self, "categories", categories)
        object.__setattr__(self, "_by_category", tuple(tuple(grouped[c]) for c in categories))
        object.__setattr__(self, "_category_of", {c: i for i, c in enumerate(categories)})
        object.__setattr__(self, "_by_id", by_id)
        found = [detect(c) for c in categories]
        platforms = sorted(dict.fromkeys(found), key=lambda p: p == OTHER)
        position = {p: i for i, p in enumerate(platforms)}
        object.__setattr__(self, "platforms", tuple(platforms))
        object.__setattr__(
            self,
            "_platform_categories",
            tuple(
                tuple(i for i, p in enumerate(found) if p == platform) for platform in platforms
            ),
        )
        object.__setattr__(self, "_platform_of", tuple(position[p] for p in found))
        # The platform's name is searchable too: "ig followers" and "instagram followers"
        # both find "IG Followers [Real]".
        names = {c: f"{p.name} {c}".casefold() for c, p in zip(categories, found, strict=True)}
        object.__setattr__(
            self,
            "_search_text",
            tuple(
                f"{s.name} {names[s.category or OTHER_CATEGORY]}".casefold() for s in self.services
            ),
        )
        object.__setattr__(
            self,
            "_search_names",
            tuple(" ".join(s.name.casefold().split()) for s in self.services),
        )

    def in_category(self, index: int) -> tuple[Service, ...]:
        if not 0 <= index < len(self.categories):
            return ()
        return self._by_category[index]

    def category_index(self, service: Service) -> int:
        return self._category_of[service.category or OTHER_CATEGORY]

    def platform_categories(self, index: int) -> tuple[int, ...]:
        """The categories (indexes) of the platform at `index`."""
        if not 0 <= index < len(self.platforms):
            return ()
        return self._platform_categories[index]

    def platform_index(self, category: int) -> int:
        """The platform (index into `platforms`) of the category at `category`."""
        return self._platform_of[category] if 0 <= category < len(self._platform_of) else 0

    def in_platform(self, index: int) -> int:
        """How many services the platform at `index` offers."""
        return sum(len(self._by_category[c]) for c in self.platform_categories(index))

    def find(self, service_id: str) -> Service | None:
        return self._by_id.get(service_id)

    def is_withheld(self, service_id: str) -> bool:
        return service_id in self.withheld

    def derived(self, key: Hashable, build: Callable[[], Catalogue]) -> Catalogue:
        """The view `key` of this catalogue, built on first use; a few are kept (the settings
        a view depends on change rarely; an old one is dropped with the rest)."""
        view = self._views.get(key)
        if view is None:
            if len(self._views) >= MAX_VIEWS:
                self._views.clear()
            view = self._views[key] = build()
        return view

    def search(self, query: str) -> tuple[Service, ...]:
        """Services whose name, category or platform hold every word typed; those whose own
        name holds the words as typed first, then those whose name holds them all, then the
        rest (each group in the catalogue's order)."""
        words = query.casefold().split()
        if not words:
            return ()
        phrase = " ".join(words)
        found = self._searches.get(phrase)
        if found is None:
            if len(self._searches) >= MAX_SEARCHES:
                self._searches.pop(next(iter(self._searches)))  # the oldest
            found = self._searches[phrase] = self._search(words, phrase)
        return found

    def _search(self, words: list[str], phrase: str) -> tuple[Service, ...]:
        texts = self._search_text
        # Narrowed one word at a time, the longest (most telling) first: every pass is one
        # substring test per service still in, so a step over thousands stays a few ms.
        distinct = sorted(set(words), key=len, reverse=True)
        hits = [i for i, text in enumerate(texts) if distinct[0] in text]
        for word in distinct[1:]:
            hits = [i for i in hits if word in texts[i]]
        names = self._search_names
        in_name = hits
        for word in distinct:
            in_name = [i for i in in_name if word in names[i]]
        # The words as typed imply every word; each group keeps the catalogue's order.
        as_typed = [i for i in in_name if phrase in names[i]]
        every_word = [i for i in in_name if phrase not in names[i]]
        named = set(in_name)
        rest = [i for i in hits if i not in named]
        services = self.services
        return tuple(services[i] for group in (as_typed, every_word, rest) for i in group)


class CatalogueCache:
    def __init__(
        self,
        panel: PanelClient,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._panel = panel
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[str, tuple[float, Catalogue]] = {}
        self._inflight: dict[str, asyncio.Task[Catalogue]] = {}

    async def get(self, key: str) -> Catalogue:
        # Entries are keyed by a hash so the cache never holds the key itself.
        fingerprint = hashlib.sha256(key.encode()).hexdigest()
        self._drop_expired()
        cached = self._entries.get(fingerprint)
        if cached is not None and self._clock() - cached[0] < self._ttl:
            return cached[1]
        task = self._inflight.get(fingerprint)
        if task is None:
            task = asyncio.create_task(self._fetch(fingerprint, key))
            self._inflight[fingerprint] = task
        # shield: one impatient caller being cancelled must not cancel the others' fetch
        return await asyncio.shield(task)

    async def _fetch(self, fingerprint: str, key: str) -> Catalogue:
        try:
            balance = asyncio.create_task(self._panel.balance(key))
            # Its outcome is read below, or not needed (never "exception never retrieved").
            balance.add_done_callback(lambda task: task.cancelled() or task.exception())
            try:
                services = await self._panel.services(key)
            except BaseException:
                balance.cancel()
                raise
            catalogue = Catalogue(tuple(services), currency=await _currency(balance))
            self._entries[fingerprint] = (self._clock(), catalogue)
            return catalogue
        finally:
            self._inflight.pop(fingerprint, None)

    def _drop_expired(self) -> None:
        """Catalogues can be large: keep only those still fresh (no memory of old keys)."""
        now = self._clock()
        for fingerprint, (fetched, _) in list(self._entries.items()):
            if now - fetched >= self._ttl:
                del self._entries[fingerprint]

    def forget(self, key: str) -> None:
        """A user replaced or removed this key."""
        self._entries.pop(hashlib.sha256(key.encode()).hexdigest(), None)


async def _currency(balance: asyncio.Task[Balance]) -> str | None:
    """The account's currency from the balance read beside the services, if it comes within
    the grace period (None otherwise: prices are then shown without a code)."""
    done, _ = await asyncio.wait({balance}, timeout=CURRENCY_GRACE_SECONDS)
    if not done:
        balance.cancel()
        return None
    try:
        return balance.result().currency or None
    except PanelError:
        return None
