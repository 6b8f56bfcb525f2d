"""HTTP conventions every service shares: problems, pagination, health, metrics, request ids."""
