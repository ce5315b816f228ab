"""The shared services handlers reach through one typed accessor."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, CallbackContext

from bot.catalogue import CatalogueCache
from bot.config import Settings
from bot.error_reports import ErrorReportThrottle
from bot.panel import PanelClient
from bot.panel.capabilities import Capabilities
from bot.services.broadcast import BroadcastService
from bot.services.console import ConsoleSettingsService
from bot.services.health import OperatorAlerts, PanelHealth
from bot.services.lease import Leases
from storage.repository import Repository

SERVICES_KEY = "services"
# What the panel supports is checked again (harmless calls) at least this often.
CAPABILITIES_REFRESH_SECONDS = 24 * 3600


@dataclass
class BotServices:
    settings: Settings
    engine: AsyncEngine
    repository: Repository
    # Opened in post_init, closed in post_shutdown (they need the running event loop).
    _panel: PanelClient | None = field(default=None, repr=False)
    _interactive: PanelClient | None = field(default=None, repr=False)
    _catalogue: CatalogueCache | None = field(default=None, repr=False)
    _console: ConsoleSettingsService | None = field(default=None, repr=False)
    _broadcasts: BroadcastService | None = field(default=None, repr=False)
    _leases: Leases | None = field(default=None, repr=False)
    # In this process only for now (see bot/error_reports.py for a shared ledger).
    error_reports: ErrorReportThrottle = field(default_factory=ErrorReportThrottle, repr=False)
    # The panel's recent calls (every client call reports to it) and the operators' alerts
    # (attached in post_init: bot.services.health.start_alerts).
    _health: PanelHealth | None = field(default=None, repr=False)
    alerts: OperatorAlerts | None = field(default=None, repr=False)

    @property
    def panel(self) -> PanelClient:
        """For work nobody watches (the status poller): patient per-attempt timeouts."""
        assert self._panel is not None, "panel client is opened in post_init"
        return self._panel

    @property
    def interactive(self) -> PanelClient:
        """For calls a customer waits on: each ends within PANEL_INTERACTIVE_SECONDS, retries
        included, so the customer hears "not answering" instead of a long silence."""
        assert self._interactive is not None, "panel client is opened in post_init"
        return self._interactive

    @property
    def console(self) -> ConsoleSettingsService:
        """The operators' settings (welcome, support, maintenance, access…), briefly cached."""
        if self._console is None:
            self._console = ConsoleSettingsService(
                self.repository, self.settings.effective_panel_web_url
            )
        return self._console

    @property
    def broadcasts(self) -> BroadcastService:
        """The broadcasts being delivered in the background (resumed in post_init)."""
        if self._broadcasts is None:
            self._broadcasts = BroadcastService(self.repository, leases=self.leases)
        return self._broadcasts

    @property
    def leases(self) -> Leases:
        """Work one process does at a time (the poller, a broadcast), under this process's id."""
        if self._leases is None:
            self._leases = Leases(self.repository)
        return self._leases

    @property
    def health(self) -> PanelHealth:
        if self._health is None:
            self._health = PanelHealth(self.settings.panel_alert_seconds)
        return self._health

    @property
    def catalogue(self) -> CatalogueCache:
        assert self._catalogue is not None, "catalogue cache is opened in post_init"
        return self._catalogue

    def open(self) -> None:
        self._panel = PanelClient(
            self.settings.smm_api_url,
            read_timeout=self.settings.panel_timeout_seconds,
            read_retries=self.settings.panel_read_retries,
            backoff_seconds=self.settings.panel_retry_seconds,
            slots=asyncio.Semaphore(self.settings.panel_concurrency),
            on_learn=self.save_capabilities,
            refresh_seconds=CAPABILITIES_REFRESH_SECONDS,
            on_call=self.health.record,
        )
        self._interactive = self._panel.with_budget(self.settings.panel_interactive_seconds)
        # The catalogue is fetched while a customer browses.
        self._catalogue = CatalogueCache(self._interactive, self.settings.catalogue_ttl_seconds)

    async def load_capabilities(self) -> None:
        """What was learned about this panel before (per API URL), before anyone calls it."""
        stored = await self.repository.panel_profile(self.settings.smm_api_url)
        if stored is not None:
            self.panel.learn(Capabilities.from_json(stored))

    async def save_capabilities(self, capabilities: Capabilities) -> None:
        await self.repository.save_panel_profile(self.settings.smm_api_url, capabilities.to_json())

    async def close(self) -> None:
        if self._panel is not None:
            await self._panel.aclose()
            self._panel = self._interactive = None
        await self.engine.dispose()


def get_services(context: CallbackContext[Any, Any, Any, Any]) -> BotServices:
    return app_services(context.application)


def app_services(application: Application[Any, Any, Any, Any, Any, Any]) -> BotServices:
    services = application.bot_data[SERVICES_KEY]
    assert isinstance(services, BotServices)
    return services
