"""Onboarding: the shopper's profile and interests."""
from __future__ import annotations

import re
from typing import Any, List, Optional

from sqlalchemy.engine import Engine

from lift.store.engine import session_scope
from lift.store.models import CustomerProfile


def parse_interests(value: Any, catalog) -> Optional[List[str]]:
    """Category ids named in ``value`` ('audio and kitchen', a button payload list, 'smart home')."""
    if isinstance(value, list):
        parts = [str(v) for v in value]
    else:
        parts = re.split(r",|/|;|\band\b|\bor\b|&|\+", str(value or ""), flags=re.I)
    found: List[str] = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        cat = catalog.category_of(part)
        if cat is not None and cat.id not in found:
            found.append(cat.id)
    return found or None


def save_profile(engine: Engine, *, sender_id: str, email: str, person_name: str, interests: List[str],
                 newsletter_opt_in: bool) -> None:
    with session_scope(engine) as s:
        profile = s.get(CustomerProfile, sender_id)
        if profile is None:
            profile = CustomerProfile(sender_id=sender_id)
            s.add(profile)
        profile.email = email
        profile.person_name = person_name
        profile.interests = list(interests)
        profile.newsletter_opt_in = bool(newsletter_opt_in)
