"""Bayanat catalog: Datasets and their resources, multilingual (Arabic/French), searchable,
exported as DCAT-AP and through a CKAN-compatible API, downloadable in bulk.
"""
