"""``lift agent ...``: what a support agent does with handoff tickets and orders.

``queue`` lists waiting tickets with the position each shopper was told; ``claim`` takes one
(queued -> claimed, one agent only); ``reply`` writes into the shopper's conversation through
Rasa's HTTP API (``LIFT_RASA_URL`` + ``RASA_AUTH_TOKEN``; web-chat shoppers get it pushed);
``close`` ends it (claimed -> closed) and resumes the bot. ``changes`` lists recorded order
changes, ``revert`` undoes one, ``unlock`` lifts a wrong-code lock; both append a row to
``audit_log`` (agent, order, ``--reason``) in the transaction that makes the change.
"""
from __future__ import annotations

import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List


class RasaUnreachable(RuntimeError):
    pass


def register(subparsers) -> None:
    p = subparsers.add_parser("agent", help="support agents: handoff tickets, order changes")
    asub = p.add_subparsers(dest="agent_command", required=True)
    q = asub.add_parser("queue", help="queued tickets, oldest first, with their queue position")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_queue)
    for name, helptext, func in (("claim", "take a queued ticket", _claim), ("close", "close a ticket you claimed", _close)):
        c = asub.add_parser(name, help=helptext)
        c.add_argument("ticket_id", type=int)
        c.add_argument("--agent", required=True, help="your name, as the shopper will see it")
        c.set_defaults(func=func)
    r = asub.add_parser("reply", help="send a message into the shopper's conversation")
    r.add_argument("ticket_id", type=int)
    r.add_argument("text")
    r.add_argument("--agent", required=True)
    r.set_defaults(func=_reply)
    ch = asub.add_parser("changes", help="recorded order changes, newest first")
    ch.add_argument("--order", metavar="ORDER_ID")
    ch.add_argument("--json", action="store_true")
    ch.set_defaults(func=_changes)
    rv = asub.add_parser("revert", help="undo an order change (cancel, address or email change)")
    rv.add_argument("change_id", type=int)
    rv.add_argument("--agent", required=True)
    rv.add_argument("--reason", default="", help="why (recorded in the audit log)")
    rv.set_defaults(func=_revert)
    u = asub.add_parser("unlock", help="lift the wrong-code lock of one conversation on one order")
    u.add_argument("order_id")
    u.add_argument("sender_id")
    u.add_argument("--agent", help="who checked the shopper (default: LIFT_OPERATOR or the OS user)")
    u.add_argument("--reason", default="", help="why (recorded in the audit log)")
    u.set_defaults(func=_unlock)


def _engine():
    from lift.store.schema import open_database

    return open_database(seed=False)


def _fail(message: str, code: int = 2) -> int:
    print(f"lift agent: {message}", file=sys.stderr)
    return code


def post_events(sender_id: str, events: List[Dict[str, Any]]) -> None:
    """Append events to a conversation through Rasa's HTTP API, executing side effects (a bot
    message is pushed to the shopper's channel when it can push, e.g. the web chat)."""
    from lift.config import get_settings

    settings = get_settings()
    if not settings.rasa_auth_token:
        raise RasaUnreachable("RASA_AUTH_TOKEN is not set, so Rasa's HTTP API can't be used")
    query = urllib.parse.urlencode({"token": settings.rasa_auth_token, "output_channel": "latest",
                                    "execute_side_effects": "true"})
    url = f"{settings.rasa_url}/conversations/{urllib.parse.quote(sender_id, safe='')}/tracker/events?{query}"
    req = urllib.request.Request(url, data=json.dumps(events).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            resp.read()
    except urllib.error.HTTPError as err:
        raise RasaUnreachable(f"Rasa answered {err.code} at {settings.rasa_url}") from None
    except (urllib.error.URLError, OSError) as err:
        raise RasaUnreachable(f"cannot reach Rasa at {settings.rasa_url}: {err}") from None


def _bot(text: str, agent: str, ticket_id: int) -> Dict[str, Any]:
    return {"event": "bot", "text": text, "metadata": {"agent": agent, "ticket_id": ticket_id}}


def _queue(args) -> int:
    from lift.commerce.handoff import queue

    rows = queue(_engine())
    if args.json:
        print(json.dumps([{"id": t.id, "position": t.position, "sender_id": t.sender_id, "channel": t.channel,
                           "reason": t.reason, "created_at": t.created_at.isoformat(), "summary": t.summary}
                          for t in rows], indent=2))
    elif not rows:
        print("no tickets waiting")
    for t in rows if not args.json else []:
        print(f"#{t.id}  position {t.position}  {t.created_at:%Y-%m-%d %H:%M} UTC  {t.reason}  {t.channel or '-'}  "
              f"{t.sender_id}\n    " + t.summary.replace("\n", "\n    "))
    return 0


def _claim(args) -> int:
    from lift.commerce.handoff import TicketError, claim

    try:
        ticket = claim(_engine(), args.ticket_id, args.agent)
    except TicketError as err:
        return _fail(str(err))
    print(f"ticket {ticket.id} claimed by {args.agent} (conversation {ticket.sender_id})")
    try:
        post_events(ticket.sender_id, [_bot(f"{args.agent} from our support team has picked up your request "
                                            "and will reply here shortly.", args.agent, ticket.id)])
    except RasaUnreachable as err:
        print(f"lift agent: claimed, but the shopper wasn't told: {err}", file=sys.stderr)
    return 0


def _reply(args) -> int:
    from lift.commerce.handoff import TicketError, check_reply

    text = " ".join(args.text.split())
    if not text:
        return _fail("the reply is empty")
    try:
        ticket = check_reply(_engine(), args.ticket_id, args.agent)
        post_events(ticket.sender_id, [_bot(f"{args.agent}: {text}", args.agent, ticket.id)])
    except TicketError as err:
        return _fail(str(err))
    except RasaUnreachable as err:
        return _fail(str(err), 3)
    print(f"reply sent to conversation {ticket.sender_id}")
    return 0


def _close(args) -> int:
    from lift.commerce.handoff import TicketError, close

    try:
        ticket = close(_engine(), args.ticket_id, args.agent)
    except TicketError as err:
        return _fail(str(err))
    print(f"ticket {ticket.id} closed")
    try:  # the bot takes the conversation back
        post_events(ticket.sender_id, [_bot(f"{args.agent} has closed your request. I'm here again if you need "
                                            "anything else.", args.agent, ticket.id),
                                        # resumed and listening, as after any finished turn, so the
                                        # next message is predicted from a normal state
                                        {"event": "resume"}, {"event": "action", "name": "action_listen"}])
    except RasaUnreachable as err:
        print(f"lift agent: closed, but the conversation could not be resumed: {err}", file=sys.stderr)
        return 3
    return 0


def _changes(args) -> int:
    from lift.commerce.servicing import changes_of

    rows = changes_of(_engine(), args.order)
    data = [{"id": c.id, "order_id": c.order_id, "kind": c.kind, "actor": c.actor, "at": c.created_at.isoformat(),
             "old": c.old_value, "new": c.new_value, "reverts": c.reverts_id, "reverted_by": c.reverted_by_id}
            for c in rows]
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    for c in data:
        note = f"  (reverted by {c['reverted_by']})" if c["reverted_by"] else (f"  (reverts {c['reverts']})" if c["reverts"] else "")
        print(f"{c['id']}  {c['at']}  {c['order_id']}  {c['kind']}  by {c['actor']}: {c['old']} -> {c['new']}{note}")
    if not data:
        print("no order changes")
    return 0


def _revert(args) -> int:
    from lift.commerce.orders import OrderError
    from lift.commerce.servicing import agent_actor, revert_change
    from lift.governance.audit import append_audit

    actor = agent_actor(args.agent)

    def record(session, change, revert) -> None:
        # Who/what/why; never the addresses themselves (the change rows hold them, erasable).
        append_audit(session, actor, "order.revert", f"order:{change.order_id}", args.reason,
                     {"change_id": change.id, "change_kind": change.kind, "revert_change_id": revert.id})

    try:
        change = revert_change(_engine(), args.change_id, actor=actor, record=record)
    except OrderError as err:
        return _fail(str(err))
    print(f"change {args.change_id} reverted (recorded as change {change.id}): order {change.order_id} "
          f"{change.old_value} -> {change.new_value}")
    return 0


def _unlock(args) -> int:
    from lift.commerce.ownership import unlock
    from lift.commerce.servicing import agent_actor
    from lift.governance.audit import append_audit, subject_ref

    actor = agent_actor(args.agent) if args.agent else None  # None: LIFT_OPERATOR or the OS user

    def record(session) -> None:
        append_audit(session, actor, "order.unlock", f"order:{args.order_id}", args.reason,
                     {"conversation": subject_ref("sender", args.sender_id)})

    if not unlock(_engine(), args.order_id, args.sender_id, record=record):
        return _fail(f"conversation {args.sender_id} has no lock on order {args.order_id}")
    print(f"order {args.order_id} unlocked for conversation {args.sender_id}")
    return 0
