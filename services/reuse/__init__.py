"""Bayanat reuse: Developer accounts and API keys, reuse projects citing published datasets,
moderation.
"""
