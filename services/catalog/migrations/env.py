"""Alembic environment of the catalog service."""

from libs.db import run_alembic_env
from services.catalog.models import metadata

run_alembic_env(metadata)
