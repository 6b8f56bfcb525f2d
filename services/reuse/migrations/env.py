"""Alembic environment of the reuse service."""

from libs.db import run_alembic_env
from services.reuse.models import metadata

run_alembic_env(metadata)
