"""Checks on HTTP requests that every server Lift runs shares (the page server, Rasa's input
channels, the action server): a refusal that carries its 4xx status and reason, the JSON-object
body, and bearer/shared-token comparison. Framework-free, so each server can use it."""
from __future__ import annotations

import hmac
import json
from typing import Any, Dict, Optional


class BadRequest(Exception):
    """A request the server refuses; carries the HTTP status and a short reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def json_object(raw: bytes) -> Dict[str, Any]:
    """The request body as a JSON object, or BadRequest(400) saying what is wrong."""
    try:
        payload = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(400, "body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise BadRequest(400, "body must be a JSON object")
    return payload


def bearer_token(authorization: Optional[str]) -> Optional[str]:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    auth = authorization or ""
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def tokens_match(supplied: Optional[str], expected: Optional[str]) -> bool:
    """Constant-time comparison; False when either is missing. Bytes keep non-ASCII total
    (``compare_digest`` on str raises TypeError for it)."""
    if not supplied or not expected:
        return False
    return hmac.compare_digest(supplied.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))
