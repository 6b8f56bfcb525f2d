"""Handlers of the events the governance service consumes, by event type.

Each runs inside the consumer's transaction: its effect and the event id commit together.
"""

from libs.messaging.consumer import Handler

HANDLERS: dict[str, Handler] = {}
