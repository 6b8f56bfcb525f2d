"""Bayanat metrics: the commitment's indicators and the audit's findings, live from the
events — each at any date against its baselines and targets, with its history, breakdowns,
exports, and the commitment's progress from its activities. Computed only from the events,
exact under redelivery and replay, rebuildable from the log.
"""
