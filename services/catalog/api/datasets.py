"""datasets routes of the catalog."""

from fastapi import APIRouter

router = APIRouter()
