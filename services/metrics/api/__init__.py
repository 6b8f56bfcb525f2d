"""HTTP routers of the metrics service (thin: parse, authorise, call the domain)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
