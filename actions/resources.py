"""Process-wide resources of the action server.

Created once by :func:`startup` (called from the action server's before-start hook, so a
missing index or an unreachable database stops the server with the fix in the message);
tests inject their own with :func:`use`. Nothing heavy is built at import time.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy.engine import Engine

from lift.commerce.catalog import Catalog
from lift.commerce.destinations import load_country_names
from lift.config import ConfigError, Settings, get_settings
from lift.notify.outbox import OutboxWorker
from lift.observability.actions import observe_outbox
from lift.observability.heap import freeze_startup_heap
from lift.notify.transport import transport_for
from lift.retrieval import get_retriever
from lift.store.schema import open_database

if TYPE_CHECKING:
    from lift.experiments.assignment import Assigner
    from lift.forecast.signals import Forecaster

logger = logging.getLogger(__name__)


@dataclass
class Resources:
    settings: Settings
    engine: Engine
    catalog: Catalog
    # Delivers the outbox after an action queued mail; None in unit tests (mail stays queued).
    mailer: Optional[OutboxWorker] = None

    def kick_mail(self) -> None:
        if self.mailer is not None:
            self.mailer.kick()

    assigner: Optional["Assigner"] = None
    graph: Any = None  # networkx MultiDiGraph from `lift graph build` (lift.graph.store)
    forecaster: Optional["Forecaster"] = None

    @property
    def forecast(self) -> "Forecaster":
        """The purchase-probability model (var/forecast, `lift forecast train`), loaded on first use."""
        if self.forecaster is None:
            from lift.forecast.signals import Forecaster

            self.forecaster = Forecaster.load(self.settings.forecast_dir)  # ForecastModelMissing names the fix
        return self.forecaster

    @property
    def experiments(self) -> "Assigner":
        """Experiment assignment and flags (experiments.yml), built on first use."""
        if self.assigner is None:
            from lift.experiments.assignment import Assigner
            from lift.experiments.config import load_from_settings

            self.assigner = Assigner(self.engine, load_from_settings(self.settings))
        return self.assigner


_current: Optional[Resources] = None


def build(settings: Optional[Settings] = None) -> Resources:
    settings = settings or get_settings()
    catalog = Catalog.load(settings.catalog_path)
    if catalog.currency != settings.currency.upper():
        raise ConfigError(
            f"{settings.catalog_path} prices are in {catalog.currency} but LIFT_CURRENCY is "
            f"{settings.currency}: set LIFT_CURRENCY={catalog.currency} (prices are never converted)"
        )
    from lift.graph.store import load_graph

    graph, _ = load_graph(settings.graph_dir, catalog)  # GraphNotReady names `lift graph build`
    engine = open_database(settings.db_url)
    resources = Resources(settings=settings, engine=engine, catalog=catalog, graph=graph)
    resources.experiments  # noqa: B018 - validates experiments.yml at start (fails fast)
    resources.forecast  # noqa: B018 - loads the forecast model once, at start (fails fast)
    return resources


def warm_up() -> None:
    """Load the knowledge-base retriever and the country names now (action-server start); raises
    IndexMissing/IndexStale."""
    logger.info("%d country names in their own languages loaded", load_country_names())
    r = get_retriever()
    logger.info("knowledge base kb_version %s loaded: %d documents, answer threshold %.3f",
                r.kb_version, len(r.docs), r.threshold)


def startup(settings: Optional[Settings] = None) -> Resources:
    """Load everything the actions need; raises with a clear message if anything is missing."""
    global _current
    _current = build(settings)
    warm_up()
    _current.mailer = OutboxWorker(_current.engine, transport_for(_current.settings.smtp_url),
                                   _current.settings.mail_from, interval=_current.settings.outbox_interval,
                                   on_round=observe_outbox).start()
    logger.info("action server resources ready (catalog %s)", _current.catalog.version)
    freeze_startup_heap()  # before the server listens: no turn waits on the collection
    return _current


def use(resources: Resources) -> None:
    global _current
    _current = resources


def get() -> Resources:
    """The resources; built on first use when the server start-up hook did not run (e.g. `rasa run actions` without plugins)."""
    global _current
    if _current is None:
        _current = build()
    return _current
