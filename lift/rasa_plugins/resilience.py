"""Rasa 3.6 patches so a failing database or action server gets the shopper an apology, never
silence, and never loses what the conversation already holds. :func:`install` (idempotent)
is called by the conversion tracker store, which every Lift Rasa server loads at start-up.

* **No in-memory fall-back.** ``Agent`` wraps every tracker store in
  ``FailSafeTrackerStore``: a failed save is kept in memory only, a failed load becomes a
  new, empty conversation. A store with ``lift_handles_failures = True`` (Lift's, which
  spools saves to disk instead, :mod:`.tracker_spool`) is used unwrapped.
* **Database down at the start of a turn.** Loading the conversation raises
  :class:`~lift.store.engine.DatabaseUnavailable`; ``MessageProcessor.handle_message``
  answers ``utter_service_unavailable`` before anything else was said and stores nothing
  (there is nothing to lose: the shopper was told to send it again).
* **Action server down (or an action failing) mid-turn.** Rasa logs the exception, drops
  the action's events, records the action as executed and goes on predicting: the shopper
  hears nothing. Here the failed action is not recorded, the shopper's message is undone
  (``UserUtteranceReverted``: the slots it would have set are not kept, every earlier answer
  is), ``utter_action_unavailable`` is said, and the turn ends listening. When the action server is
  back, the shopper re-sends the message and the form carries on from the same question.

* **Paused for a person.** Rasa predicts nothing in a paused conversation, so a shopper waiting
  for support heard nothing at all. Each message typed while paused (other than "Back to the
  assistant") now gets ``utter_handoff_waiting``: the message is with the team, who will reply
  here, and the button that resumes the assistant.

Health (``GET /health`` on the Rasa port): component ``action_server`` with the last call's
outcome.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Dict, Optional

logger = logging.getLogger(__name__)

SERVICE_APOLOGY = "utter_service_unavailable"
ACTION_APOLOGY = "utter_action_unavailable"
HANDOFF_WAITING = "utter_handoff_waiting"
_FALLBACK_TEXT = {
    HANDOFF_WAITING: "Your message is with our support team: a person will read it and reply here.",
    SERVICE_APOLOGY: "Sorry, I'm having a technical problem and couldn't take that in. Please send it again in a minute.",
    ACTION_APOLOGY: "Sorry, something on my side isn't working right now, so I couldn't finish that. "
                    "What you told me before is saved: please send your last message again in a moment.",
}

_installed = False


def _rasa_exception() -> type:
    from rasa.shared.exceptions import RasaException

    return RasaException


class RemoteActionFailed(_rasa_exception()):  # a RasaException: where Rasa copes with those, it still does
    """A custom action could not be run by the action server (unreachable, timed out, 5xx)."""

    def __init__(self, action: str, reason: str) -> None:
        super().__init__(f"custom action {action!r} failed: {reason}")
        self.action = action
        self.reason = reason


class _TurnAbandoned(BaseException):
    # A BaseException so that it passes Rasa's `except Exception` in MessageProcessor._run_action,
    # before that method records the failed action; caught by the wrapper right above it.
    def __init__(self, failure: RemoteActionFailed) -> None:
        super().__init__(str(failure))
        self.failure = failure


class ActionServerStatus:
    """Outcome of the latest call to the action server, for the health report."""

    def __init__(self) -> None:
        self.failure: Optional[str] = None
        self.since: Optional[float] = None

    def up(self) -> None:
        if self.failure is not None:
            logger.warning("action server answering again")
        self.failure, self.since = None, None

    def down(self, reason: str) -> None:
        if self.failure is None:
            self.since = time.time()
        self.failure = reason

    def health(self) -> Dict[str, Any]:
        if self.failure is None:
            return {"ok": True, "state": "up"}
        return {"ok": False, "state": "failing", "last_error": self.failure, "since": self.since}


STATUS = ActionServerStatus()


def _failure_reason(exc: BaseException) -> Optional[str]:
    """Why a RemoteAction call failed, when the action server is to blame; None otherwise."""
    import aiohttp

    cause = exc.__cause__ or exc.__context__ or exc
    if isinstance(cause, asyncio.TimeoutError) or isinstance(exc, asyncio.TimeoutError):
        return "timeout"
    if isinstance(cause, aiohttp.ClientResponseError):
        return None if cause.status < 500 else f"HTTP {cause.status}"
    if isinstance(cause, aiohttp.ClientConnectionError):
        return "unreachable"
    if isinstance(cause, aiohttp.ClientError):
        return cause.__class__.__name__
    return None


async def _send_apology(processor: Any, name: str, tracker: Any, output_channel: Any) -> Any:
    from rasa.core.actions.action import create_bot_utterance

    response = None
    try:
        response = await processor.nlg.generate(name, tracker, output_channel.name())
    except Exception:  # noqa: BLE001 - an apology must still go out
        logger.exception("could not render %s", name)
    event = create_bot_utterance(response or {"text": _FALLBACK_TEXT[name]})
    await output_channel.send_response(tracker.sender_id, event.message())
    return event


def _user_message_this_turn(tracker: Any) -> bool:
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import ActionExecuted, UserUttered

    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return True
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME:
            return False
    return False


class _Guarded:
    """The action as Rasa sees it, whose ``run`` turns a RemoteActionFailed into _TurnAbandoned."""

    def __init__(self, action: Any) -> None:
        self._action = action

    def __getattr__(self, name: str) -> Any:
        return getattr(self._action, name)

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await self._action.run(*args, **kwargs)
        except RemoteActionFailed as failure:
            raise _TurnAbandoned(failure) from failure


def install() -> None:
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
    from rasa.shared.core.events import ActionExecuted, UserUtteranceReverted
    from rasa.shared.core.trackers import DialogueStateTracker

    from lift.observability import health
    from lift.store.engine import DatabaseUnavailable

    original_create_store = Agent._create_tracker_store
    original_remote_run = RemoteAction.run
    original_handle_message = MessageProcessor.handle_message
    original_run_action = MessageProcessor._run_action
    original_prediction_loop = MessageProcessor._run_prediction_loop

    def create_tracker_store(store: Any, domain: Any) -> Any:
        if store is not None and getattr(store, "lift_handles_failures", False):
            store.domain = domain
            return store
        return original_create_store(store, domain)

    async def remote_run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        try:
            events = await original_remote_run(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            STATUS.up()
            raise
        except Exception as exc:
            reason = _failure_reason(exc)
            if reason is None:
                raise
            STATUS.down(f"{self.name()}: {reason}")
            raise RemoteActionFailed(self.name(), reason) from exc
        STATUS.up()
        return events

    async def handle_message(self: Any, message: Any) -> Any:
        try:
            return await original_handle_message(self, message)
        except DatabaseUnavailable as exc:
            logger.error("turn refused, conversation could not be loaded: %s", exc)
            bare = DialogueStateTracker(message.sender_id or "default", self.domain.slots)
            await _send_apology(self, SERVICE_APOLOGY, bare, message.output_channel)
            if isinstance(message.output_channel, CollectingOutputChannel):
                return message.output_channel.messages
            return None

    async def run_action(self: Any, action: Any, tracker: Any, output_channel: Any, nlg: Any, prediction: Any) -> bool:
        if action.name() in (ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME):
            return await original_run_action(self, action, tracker, output_channel, nlg, prediction)
        try:
            return await original_run_action(self, _Guarded(action), tracker, output_channel, nlg, prediction)
        except _TurnAbandoned as stop:
            logger.error("%s; the shopper's message is undone and an apology sent", stop.failure)
            if _user_message_this_turn(tracker):
                tracker.update(UserUtteranceReverted(), self.domain)
            tracker.update(await _send_apology(self, ACTION_APOLOGY, tracker, output_channel), self.domain)
            # The revert also undid the action_listen before the message; listening again
            # ends the turn where the previous one ended (nothing predicted on a half-done state).
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME), self.domain)
            return False

    async def run_prediction_loop(self: Any, output_channel: Any, tracker: Any) -> None:
        if tracker.is_paused() and not self._should_handle_message(tracker) and _user_message_this_turn(tracker):
            # waiting for a person: the shopper hears that the message reached them
            tracker.update(await _send_apology(self, HANDOFF_WAITING, tracker, output_channel), self.domain)
            return
        await original_prediction_loop(self, output_channel, tracker)

    Agent._create_tracker_store = staticmethod(create_tracker_store)
    RemoteAction.run = remote_run
    MessageProcessor.handle_message = handle_message
    MessageProcessor._run_action = run_action
    MessageProcessor._run_prediction_loop = run_prediction_loop
    health.register("action_server", STATUS.health)
    _installed = True
