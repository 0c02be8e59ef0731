"""The support tool's erasure endpoint, served by ``lift web serve``: ``POST /api/privacy/erase``.

``Authorization: Bearer <LIFT_ADMIN_TOKEN>`` (constant-time compare); the endpoint does not
exist (404) while ``LIFT_ADMIN_TOKEN`` is unset. Body: ``{"email": ADDR}`` or ``{"sender": ID}``,
optional ``"reason"`` and ``"operator"`` (recorded as ``support-tool:<operator>``). Answers the
same counts as ``lift privacy erase --json``; 400 with the reason on bad input, 401 without the
token, 503 when the database is down. Same code as the CLI (:func:`lift.governance.erasure.erase`).
Request checks are the shared ones of :mod:`lift.web.checks`.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Tuple

from sqlalchemy.engine import Engine

from lift.config import Settings
from lift.web.checks import BadRequest, bearer_token, json_object, tokens_match

logger = logging.getLogger(__name__)

PATH = "/api/privacy/erase"


def handle_erase(settings: Settings, engine: Optional[Engine], authorization: Optional[str],
                 raw: bytes) -> Tuple[int, Dict[str, Any]]:
    """(HTTP status, JSON body) for one erase request."""
    from lift.store.engine import DatabaseUnavailable, check_connection
    from lift.governance.erasure import ErasureInputError, erase

    if not settings.admin_token or engine is None:
        return 404, {"error": "not found"}
    if not tokens_match(bearer_token(authorization), settings.admin_token):
        return 401, {"error": "unauthorized: send Authorization: Bearer <LIFT_ADMIN_TOKEN>"}
    try:
        body = json_object(raw)
    except BadRequest as exc:
        return exc.status, {"error": exc.message}
    email, sender = body.get("email"), body.get("sender")
    if (email is None) == (sender is None):
        return 400, {"error": "give exactly one of 'email' or 'sender'"}
    reason = body.get("reason", "")
    operator = body.get("operator", "")
    if not isinstance(reason, str) or not isinstance(operator, str) or len(reason) > 500 or len(operator) > 100:
        return 400, {"error": "'reason' and 'operator' must be short strings"}
    try:
        check_connection(engine)
        result = erase(engine, email=email, sender=sender, key=settings.redaction_key,
                       actor="support-tool" + (f":{operator}" if operator else ""), reason=reason,
                       log_dirs=[settings.log_dir])
    except ErasureInputError as exc:
        return 400, {"error": str(exc)}
    except DatabaseUnavailable:
        logger.error("erasure endpoint: database unavailable")
        return 503, {"error": "database unavailable, nothing was erased; retry later"}
    return 200, result.as_dict()
