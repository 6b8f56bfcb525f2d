"""Bayanat metrics: The commitment's indicators, live from the events, with their history and
breakdowns.
"""
