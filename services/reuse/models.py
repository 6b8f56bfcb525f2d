"""Tables of the reuse service, on its own metadata so that its migrations own them."""

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from libs.messaging.outbox import Outbox
from libs.messaging.tables import messaging_tables


class ReuseTable(SQLModel, registry=registry()):
    """Base of every reuse table."""


metadata = ReuseTable.metadata
messaging = messaging_tables(metadata)
outbox = Outbox(messaging.outbox, service_name="reuse")
