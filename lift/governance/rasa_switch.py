"""Switch the model a running Rasa serves, without a restart: ``PUT /model`` on its HTTP API.

Rasa 3.6 loads the archive named in ``{"model_file": PATH}`` into a new agent (same endpoints,
tracker store and lock store) and swaps it in when loaded; turns already being handled finish on
the old one. The switch is confirmed on ``GET /status`` (its ``model_id``) and timed from the
request to the confirmation.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

LOAD_TIMEOUT = 300.0  # loading a model archive takes seconds to a minute on a busy machine


class RasaSwitchError(RuntimeError):
    """Rasa answered but refused or failed to load the model; nothing was switched."""


@dataclass
class SwitchResult:
    rasa_url: str
    reached: bool
    seconds: Optional[float] = None
    served_model_id: Optional[str] = None
    error: Optional[str] = None  # a replica switched after the first one that failed (retried by the model sync)

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)


def _call(method: str, url: str, body: Optional[dict], timeout: float) -> Tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as err:
        raw, status = err.read(), err.code
    try:
        return status, json.loads(raw.decode() or "null")
    except ValueError:
        return status, raw.decode(errors="replace")[:300]


def _with_token(url: str, token: Optional[str]) -> str:
    return url + ("?" + urllib.parse.urlencode({"token": token}) if token else "")


def served_model(rasa_url: str, token: Optional[str], timeout: float = 10) -> Optional[str]:
    """The ``model_id`` the Rasa at ``rasa_url`` serves; None when it is down or has no model loaded yet."""
    try:
        status, body = _call("GET", _with_token(f"{rasa_url}/status", token), None, timeout)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None
    return body.get("model_id") if status == 200 and isinstance(body, dict) else None


def switch_model(rasa_url: str, token: Optional[str], archive: Path, model_id: str) -> SwitchResult:
    """Make the Rasa at ``rasa_url`` serve ``archive``; ``reached=False`` when no Rasa is running."""
    start = time.monotonic()
    try:
        status, body = _call("PUT", _with_token(f"{rasa_url}/model", token), {"model_file": str(archive)}, LOAD_TIMEOUT)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return SwitchResult(rasa_url, reached=False)
    if status in (401, 403):
        raise RasaSwitchError(f"Rasa at {rasa_url} refused the token (HTTP {status}): set RASA_AUTH_TOKEN to the server's token")
    if status != 204:
        detail = body.get("message") if isinstance(body, dict) else body
        raise RasaSwitchError(f"Rasa at {rasa_url} could not load {archive.name} (HTTP {status}): {detail}")
    status, body = _call("GET", _with_token(f"{rasa_url}/status", token), None, 30)
    served = body.get("model_id") if isinstance(body, dict) else None
    if served != model_id:
        raise RasaSwitchError(f"Rasa at {rasa_url} reports model {served!r} after loading {model_id}")
    return SwitchResult(rasa_url, reached=True, seconds=round(time.monotonic() - start, 3), served_model_id=served)
