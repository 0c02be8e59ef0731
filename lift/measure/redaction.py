"""Redaction of recorded micro-conversion values: never a raw email or phone number."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any, Optional

from lift.commerce.contacts import EMAIL_IN_TEXT, MAX_PHONE_DIGITS, MIN_PHONE_DIGITS, PHONE_IN_TEXT, phone_digits
from lift.measure.rules import Rule

# Values of these slots are personal data with no analytical use: never stored, whatever
# the rule says.
NEVER_STORED_SLOTS = frozenset({"person_name", "shipping_address"})

_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class Redactor:
    """Turns slot values into something safe to keep for analysis.

    Emails and phone numbers become ``email:<hex>`` / ``phone:<hex>``: an HMAC-SHA256 keyed
    with LIFT_REDACTION_KEY, so the same address maps to the same token (joins and
    de-duplication still work) but cannot be reversed or confirmed without the key.
    """

    def __init__(self, key: str, *, digest_chars: int = 16, max_len: int = 500):
        if not key:
            raise ValueError("a redaction key is required")
        self._key = key.encode("utf-8")
        self._chars = digest_chars
        self._max_len = max_len

    def token(self, kind: str, normalized: str) -> str:
        mac = hmac.new(self._key, f"{kind}:{normalized}".encode("utf-8"), hashlib.sha256)
        return f"{kind}:{mac.hexdigest()[: self._chars]}"

    def email(self, value: Any) -> Optional[str]:
        if value in (None, ""):
            return None
        return self.token("email", str(value).strip().lower())

    def phone(self, value: Any) -> Optional[str]:
        digits = phone_digits(str(value or ""))
        return self.token("phone", digits) if digits else None

    def text(self, value: str) -> str:
        """Replace every email and phone number inside free text by its token."""
        out = EMAIL_IN_TEXT.sub(lambda m: self.email(m.group(0)), value)
        return PHONE_IN_TEXT.sub(self._phone_or_keep, out)

    def _phone_or_keep(self, m: "re.Match[str]") -> str:
        s = m.group(0)
        digits = phone_digits(s)
        if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS or _ISO_DATE_RE.match(s.lstrip("+(")):
            return s
        return self.token("phone", digits)

    @staticmethod
    def cart(value: Any) -> Optional[str]:
        items = value if isinstance(value, list) else []
        count, skus = 0, []
        for item in items:
            if not isinstance(item, dict):
                continue
            qty = item.get("qty", 1)
            count += qty if isinstance(qty, int) and not isinstance(qty, bool) and qty > 0 else 1
            sku = item.get("sku")
            if isinstance(sku, str) and sku not in skus:
                skus.append(sku)
        return json.dumps({"item_count": count, "skus": skus}, separators=(",", ":"))

    def generic(self, value: Any) -> Optional[str]:
        if value is None:
            return None
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))  # float slots hold ids like 12.0
        elif isinstance(value, (int, float)):
            text = str(value)
        elif isinstance(value, str):
            text = value
        else:
            text = json.dumps(value, default=str, separators=(",", ":"))
        text = self.text(text)
        return text[: self._max_len]

    def render(self, rule: Rule, slot: Optional[str], value: Any) -> Optional[str]:
        if rule.value == "slot_name":
            return slot
        if rule.value in ("none", "name") or slot in NEVER_STORED_SLOTS:
            return None
        if rule.value == "email":
            return self.email(value)
        if rule.value == "phone":
            return self.phone(value)
        if rule.value == "cart":
            return self.cart(value)
        return self.generic(value)
