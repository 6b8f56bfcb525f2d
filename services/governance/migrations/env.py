"""Alembic environment of the governance service."""

from libs.db import run_alembic_env
from services.governance.models import metadata

run_alembic_env(metadata)
