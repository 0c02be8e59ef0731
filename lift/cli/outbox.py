"""``lift outbox ...``: transactional email waiting, sent or failed (delivery over LIFT_SMTP_URL)."""
from __future__ import annotations

import json


def register(subparsers) -> None:
    p = subparsers.add_parser("outbox", help="transactional email")
    osub = p.add_subparsers(dest="outbox_command", required=True)
    s = osub.add_parser("send", help="deliver queued messages now (the action server also does this)")
    s.set_defaults(func=_send)
    ls = osub.add_parser("list", help="newest messages first")
    ls.add_argument("--status", choices=["queued", "sending", "sent", "failed"])
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)


def _send(args) -> int:
    from lift.config import get_settings
    from lift.notify.outbox import deliver_pending
    from lift.notify.transport import transport_for
    from lift.store.schema import open_database

    settings = get_settings()
    report = deliver_pending(open_database(seed=False), transport_for(settings.smtp_url), settings.mail_from)
    print(f"sent {report.sent}, failed {report.failed}")
    return 0 if not report.failed else 3


def _list(args) -> int:
    from lift.notify.outbox import list_messages
    from lift.store.schema import open_database

    rows = list_messages(open_database(seed=False), args.status)
    data = [{"id": m.id, "kind": m.kind, "recipient": m.recipient, "subject": m.subject, "status": m.status,
             "attempts": m.attempts, "created_at": m.created_at.isoformat(),
             "sent_at": m.sent_at.isoformat() if m.sent_at else None, "last_error": m.last_error} for m in rows]
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        for m in data:
            print(f"{m['id']}  {m['status']:<7} {m['kind']:<19} {m['recipient']}  {m['subject']}"
                  + (f"  [{m['last_error']}]" if m["last_error"] else ""))
    return 0
