"""Every environment variable Lift reads, in one place.

Other modules call :func:`get_settings` instead of touching ``os.environ`` so the README
table (Configuration) can be checked against this file, and tests can build a
``Settings`` with overrides instead of mutating the process environment.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Optional

# The project root: an editable install keeps this file inside the checkout, and Rasa
# itself is always started from the root, so relative defaults resolve against it.
PROJECT_ROOT = Path(os.environ.get("LIFT_HOME") or Path(__file__).resolve().parents[1])

DEFAULT_DB_URL = "sqlite:///var/lift.db"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def _resolve_sqlite(url: str, root: Path) -> str:
    # sqlite:///relative.db is relative to the CWD in SQLAlchemy; anchor it to the project
    # root so the action server, Rasa and the CLI all open the same file.
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////"):
        rel = url[len(prefix):]
        if rel and rel != ":memory:" and not rel.startswith("file:"):
            return prefix + str((root / rel).resolve())
    return url


@dataclass(frozen=True)
class Settings:
    root: Path = PROJECT_ROOT
    env: str = "dev"
    db_url: str = DEFAULT_DB_URL
    rasa_auth_token: Optional[str] = None
    jwt_secret: Optional[str] = None
    action_token: Optional[str] = None
    action_url: str = "http://localhost:5055/webhook"
    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8080
    # Prometheus /metrics of the Rasa process and of the action server (0 disables).
    metrics_port: int = 9105
    action_metrics_port: int = 9155
    # Intent drift (lift.observability.drift): baseline counts, window, alert threshold.
    drift_baseline: Path = field(default_factory=lambda: PROJECT_ROOT / "data" / "nlu")
    drift_window: int = 200
    drift_threshold: float = 0.35
    # Review queue: accepted intents below this confidence are queued (lift.observability.review).
    review_confidence: float = 0.5
    # prometheus_client's multiprocess mode (the library reads the variable itself too).
    prometheus_multiproc_dir: Optional[Path] = None
    kb_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "kb")
    index_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var" / "index")
    forecast_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var" / "forecast")
    graph_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var" / "graph")
    # Live purchase probability at or above which a hesitating shopper with a cart is eligible
    # for the purchase_assist experiment (lift.forecast.assist); about 2x the training base rate.
    assist_min_probability: float = 0.3
    kb_threshold: Optional[float] = None
    conversions_file: Path = field(default_factory=lambda: PROJECT_ROOT / "conversions.yml")
    experiments_file: Path = field(default_factory=lambda: PROJECT_ROOT / "experiments.yml")
    redaction_key: str = "lift-dev-redaction-key"
    currency: str = "USD"
    slack_bot_token: Optional[str] = None
    slack_signing_secret: Optional[str] = None
    fb_verify: Optional[str] = None
    fb_secret: Optional[str] = None
    fb_page_access_token: Optional[str] = None
    # Outgoing API bases: overridable so tests can point the connectors at a loopback stand-in.
    slack_api_url: str = "https://slack.com/api/"
    fb_graph_url: str = "https://graph.facebook.com/v19.0"
    # Public base URL of the web page (absolute image links in Slack/Messenger cards).
    public_url: Optional[str] = None
    # Where browsers reach Rasa's socket.io; default: the page's host on rasa_port.
    socket_url: Optional[str] = None
    # Who governance commands are recorded as in audit_log (default: the OS user).
    operator: Optional[str] = None
    governance_file: Path = field(default_factory=lambda: PROJECT_ROOT / "governance.yml")
    # Where Lift's processes write their logs (make run); erasure rewrites the files here too.
    log_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var" / "log")
    # Bearer token of the support tool's erasure endpoint on `lift web serve` (off when unset).
    admin_token: Optional[str] = None
    # Sign-in token of the observability dashboard (/dashboard on `lift web serve`; off when unset)
    # and how long a dashboard sign-in lasts.
    dashboard_token: Optional[str] = None
    dashboard_session_hours: int = 12
    # Seconds between retention runs of `lift privacy purge --schedule` (started by make run).
    purge_interval: int = 3600
    # Trained models (models/*.tar.gz) and the registry's copies (models/registry/).
    models_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "models")
    # Transactional email: smtp://[user:pass@]host:port, smtps://..., or maildir:<dir> (dev).
    smtp_url: str = "maildir:" + str(PROJECT_ROOT / "var" / "mail")
    mail_from: str = "Lift Store <orders@lift.example>"
    # Seconds between the action server's outbox delivery rounds (retries; new mail is sent at once).
    outbox_interval: int = 30
    # Rasa's HTTP API as agents' tools reach it (replies into a shopper's conversation).
    rasa_url: str = "http://127.0.0.1:5005"
    # Model canary (experiment surface `model`): the loopback Rasa serving the candidate model,
    # to which the front Rasa forwards the conversations assigned to it (unset: no routing).
    canary_url: Optional[str] = None
    canary_port: int = 5006  # where `make run` starts that second Rasa (127.0.0.1 only)
    # Durable spool of tracker saves made while the database was down (lift.store.spool),
    # and seconds between attempts to replay it.
    spool_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var" / "spool")
    spool_retry: int = 2
    # Events of the current session a turn loads at most (older state comes as a prefix).
    tracker_window: int = 500
    # Redis of the cluster's conversation lock store (lift.rasa_plugins.lock_store; make run-cluster).
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Port of the supervisor's /health (make run, make run-cluster); 0 disables it.
    health_port: int = 8090
    # Seconds between the supervisor's rounds putting every Rasa replica on the promoted model
    # (lift.governance.replicas); 0 disables them.
    model_sync: int = 5

    @property
    def is_prod(self) -> bool:
        return self.env == "prod"

    @property
    def serving_rasa_url(self) -> str:
        return self.rasa_url or f"http://127.0.0.1:{self.rasa_port}"

    @property
    def catalog_path(self) -> Path:
        return self.kb_dir / "catalog.json"

    def with_overrides(self, **kw) -> "Settings":
        return replace(self, **kw)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise ConfigError(f"{name} must be at least 1, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: Optional[float], unit: bool = False) -> Optional[float]:
    """A number from ``env`` (``default`` when unset); ``unit``: it must lie in [0, 1]."""
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if unit and not 0.0 <= value <= 1.0:
        raise ConfigError(f"{name} must be between 0 and 1, got {raw!r}")
    return value


def _path(env: Mapping[str, str], name: str, default: Path, root: Path) -> Path:
    raw = env.get(name)
    if not raw:
        return default
    p = Path(raw)
    return p if p.is_absolute() else (root / p)


def _smtp_url(raw: str, root: Path) -> str:
    scheme, sep, rest = raw.partition(":")
    if not sep or scheme.lower() not in ("smtp", "smtps", "maildir"):
        raise ConfigError(f"LIFT_SMTP_URL must be smtp://host:port, smtps://host:port or maildir:<dir>, got {raw!r}")
    if scheme.lower() == "maildir":
        path = Path(rest)
        return "maildir:" + str(path if path.is_absolute() else (root / path))
    return raw


def load_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    env = os.environ if env is None else env
    root = Path(env.get("LIFT_HOME") or PROJECT_ROOT)
    lift_env = (env.get("LIFT_ENV") or "dev").strip().lower()
    if lift_env not in ("dev", "prod"):
        raise ConfigError(f"LIFT_ENV must be 'dev' or 'prod', got {lift_env!r}")
    kb_threshold = _float(env, "LIFT_KB_THRESHOLD", None)
    drift_threshold = _float(env, "LIFT_DRIFT_THRESHOLD", 0.35)
    review_confidence = _float(env, "LIFT_REVIEW_CONFIDENCE", 0.5, unit=True)
    assist_min_probability = _float(env, "LIFT_ASSIST_MIN_PROBABILITY", 0.3, unit=True)
    redaction_key = env.get("LIFT_REDACTION_KEY") or ""
    if not redaction_key:
        if lift_env == "prod":
            raise ConfigError("LIFT_REDACTION_KEY must be set when LIFT_ENV=prod")
        redaction_key = Settings.redaction_key
    return Settings(
        root=root,
        env=lift_env,
        db_url=_resolve_sqlite(env.get("LIFT_DB_URL") or DEFAULT_DB_URL, root),
        rasa_auth_token=env.get("RASA_AUTH_TOKEN") or None,
        jwt_secret=env.get("LIFT_JWT_SECRET") or None,
        action_token=env.get("LIFT_ACTION_TOKEN") or None,
        action_url=env.get("LIFT_ACTION_URL") or "http://localhost:5055/webhook",
        rasa_port=_int(env, "LIFT_RASA_PORT", 5005),
        action_port=_int(env, "LIFT_ACTION_PORT", 5055),
        web_port=_int(env, "LIFT_WEB_PORT", 8080),
        metrics_port=_int(env, "LIFT_METRICS_PORT", 9105),
        action_metrics_port=_int(env, "LIFT_ACTION_METRICS_PORT", 9155),
        drift_baseline=_path(env, "LIFT_DRIFT_BASELINE", root / "data" / "nlu", root),
        drift_window=_int(env, "LIFT_DRIFT_WINDOW", 200),
        drift_threshold=drift_threshold,
        review_confidence=review_confidence,
        prometheus_multiproc_dir=Path(env["PROMETHEUS_MULTIPROC_DIR"]) if env.get("PROMETHEUS_MULTIPROC_DIR") else None,
        kb_dir=_path(env, "LIFT_KB_DIR", root / "kb", root),
        index_dir=_path(env, "LIFT_INDEX_DIR", root / "var" / "index", root),
        forecast_dir=_path(env, "LIFT_FORECAST_DIR", root / "var" / "forecast", root),
        graph_dir=_path(env, "LIFT_GRAPH_DIR", root / "var" / "graph", root),
        assist_min_probability=assist_min_probability,
        kb_threshold=kb_threshold,
        conversions_file=_path(env, "LIFT_CONVERSIONS", root / "conversions.yml", root),
        experiments_file=_path(env, "LIFT_EXPERIMENTS", root / "experiments.yml", root),
        redaction_key=redaction_key,
        currency=env.get("LIFT_CURRENCY") or "USD",
        slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
        slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
        fb_verify=env.get("FB_VERIFY") or None,
        fb_secret=env.get("FB_SECRET") or None,
        fb_page_access_token=env.get("FB_PAGE_ACCESS_TOKEN") or None,
        slack_api_url=env.get("SLACK_API_URL") or "https://slack.com/api/",
        fb_graph_url=(env.get("FB_GRAPH_URL") or "https://graph.facebook.com/v19.0").rstrip("/"),
        public_url=(env.get("LIFT_PUBLIC_URL") or "").rstrip("/") or None,
        socket_url=(env.get("LIFT_SOCKET_URL") or "").rstrip("/") or None,
        operator=(env.get("LIFT_OPERATOR") or "").strip() or None,
        governance_file=_path(env, "LIFT_GOVERNANCE", root / "governance.yml", root),
        log_dir=_path(env, "LIFT_LOG_DIR", root / "var" / "log", root),
        admin_token=env.get("LIFT_ADMIN_TOKEN") or None,
        dashboard_token=env.get("LIFT_DASHBOARD_TOKEN") or None,
        dashboard_session_hours=_int(env, "LIFT_DASHBOARD_SESSION_HOURS", 12),
        purge_interval=_int(env, "LIFT_PURGE_INTERVAL", 3600),
        models_dir=_path(env, "LIFT_MODELS_DIR", root / "models", root),
        smtp_url=_smtp_url(env.get("LIFT_SMTP_URL") or "maildir:var/mail", root),
        mail_from=env.get("LIFT_MAIL_FROM") or "Lift Store <orders@lift.example>",
        outbox_interval=_positive(env, "LIFT_OUTBOX_INTERVAL", 30),
        redis_url=env.get("LIFT_REDIS_URL") or "redis://127.0.0.1:6379/0",
        health_port=_int(env, "LIFT_HEALTH_PORT", 8090),
        model_sync=max(0, _int(env, "LIFT_MODEL_SYNC", 5)),
        rasa_url=(env.get("LIFT_RASA_URL") or f"http://127.0.0.1:{_int(env, 'LIFT_RASA_PORT', 5005)}").rstrip("/"),
        canary_url=_loopback_url(env.get("LIFT_CANARY_URL"), "LIFT_CANARY_URL"),
        canary_port=_int(env, "LIFT_CANARY_PORT", 5006),
        spool_dir=_path(env, "LIFT_SPOOL_DIR", root / "var" / "spool", root),
        spool_retry=max(1, _int(env, "LIFT_SPOOL_RETRY", 2)),
        tracker_window=_int(env, "LIFT_TRACKER_WINDOW", 500),
    )


def _loopback_url(value: Optional[str], name: str) -> Optional[str]:
    """An http URL on this machine's loopback, or None when unset."""
    from urllib.parse import urlsplit

    value = (value or "").strip().rstrip("/")
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1") or not parts.port:
        raise ConfigError(f"{name} must be http://127.0.0.1:PORT (loopback only), got {value!r}")
    return value


_settings: Optional[Settings] = None


def get_settings() -> Settings:
    """Settings of this process, read once from the environment."""
    global _settings
    if _settings is None:
        _settings = load_settings()
    return _settings


def reset_settings() -> None:
    global _settings
    _settings = None
