"""Delivery of events: transactional outbox and relay, idempotent consumers, topic set-up."""
