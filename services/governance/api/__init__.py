"""HTTP routers of the governance service (thin: parse, authorise, call the domain)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
