"""Bayanat governance: Institutions and their enrolment in the open-data strategy, staff accounts
and roles, the pre-publication review workflow, automatic quality checks, update continuity,
audit trail.
"""
