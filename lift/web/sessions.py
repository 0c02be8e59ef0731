"""Web chat session ids and the JWTs that bind a browser to one conversation.

Issued by the page server (:mod:`lift.web.server`) in ``LIFT_ENV=prod`` and checked by the
socket.io channel (:mod:`lift.channels.webchat`) on connect.
"""
from __future__ import annotations

import re
import time
import uuid
from typing import Optional

from lift.web.checks import bearer_token

SESSION_AUDIENCE = "lift-webchat"
SESSION_TTL_SECONDS = 7 * 24 * 3600
SESSION_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def new_session_id() -> str:
    return uuid.uuid4().hex


def valid_session_id(value: object) -> bool:
    return isinstance(value, str) and bool(SESSION_ID_RE.match(value))


def issue_session_token(secret: str, session_id: str, ttl: int = SESSION_TTL_SECONDS,
                        now: Optional[float] = None) -> str:
    """A JWT binding a browser to one conversation id.

    The audience claim keeps it from doubling as a credential for Rasa's HTTP API (Rasa
    decodes API JWTs without an audience, which PyJWT rejects when the claim is present).
    """
    import jwt

    issued = int(now if now is not None else time.time())
    claims = {"sub": session_id, "aud": SESSION_AUDIENCE, "iat": issued, "exp": issued + ttl}
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_session_token(secret: str, token: object) -> Optional[str]:
    """The session id a valid token was issued for, else None (never raises)."""
    import jwt

    if not isinstance(token, str) or not token or len(token) > 2048:
        return None
    token = bearer_token(token) or token
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=SESSION_AUDIENCE,
                            options={"require": ["exp", "sub", "aud"]})
    except jwt.PyJWTError:
        return None
    sid = claims.get("sub")
    return sid if valid_session_id(sid) else None
