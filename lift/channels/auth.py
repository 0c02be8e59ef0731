"""Who may call the REST channel and Rasa's HTTP API: ``?token=RASA_AUTH_TOKEN`` or a Bearer
JWT signed with LIFT_JWT_SECRET (admin, or the user owning the conversation)."""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from sanic.request import Request

from lift.config import Settings
from lift.web.checks import bearer_token, tokens_match


def _token_ok(request: Request, settings: Settings) -> bool:
    return tokens_match(request.args.get("token"), settings.rasa_auth_token)


def _jwt_user(request: Request, settings: Settings) -> Tuple[bool, Optional[Dict[str, Any]]]:
    """(a Bearer JWT was sent, its ``user`` claim when the JWT is valid)."""
    bearer = bearer_token(request.headers.get("authorization"))
    if not bearer:
        return False, None
    if not settings.jwt_secret:
        return True, None
    import jwt

    try:
        claims = jwt.decode(bearer, settings.jwt_secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        return True, None
    user = claims.get("user")
    return True, user if isinstance(user, dict) else None


def api_request_authorized(request: Request, settings: Settings) -> bool:
    """Whether a request carries Rasa HTTP API credentials: the token, or an admin JWT."""
    if _token_ok(request, settings):
        return True
    _, user = _jwt_user(request, settings)
    return bool(user and user.get("role") == "admin")


def rest_auth_error(request: Request, sender_id: str, settings: Settings) -> Optional[Tuple[int, str]]:
    """Why a prod REST call is refused, or None. Dev (Rasa's default) is open.

    Accepts what Rasa's HTTP API accepts: ``?token=RASA_AUTH_TOKEN``, or a Bearer JWT signed
    with LIFT_JWT_SECRET whose user is admin or owns this conversation.
    """
    if not settings.is_prod or _token_ok(request, settings):
        return None
    sent, user = _jwt_user(request, settings)
    if user is not None:
        if user.get("role") == "admin" or (user.get("role") == "user" and user.get("username") == sender_id):
            return None
        return 403, "token does not grant access to this conversation"
    if sent:
        return 401, "invalid token"
    return 401, "authentication required (LIFT_ENV=prod)"
