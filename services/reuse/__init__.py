"""Bayanat reuse: developers' accounts and API keys, reuse projects citing published datasets,
their moderation by national admins, and CKAN's showcase readers.
"""
