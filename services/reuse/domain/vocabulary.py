"""What a reuse is (its type) and what it is about (its topic), with their names.

The types are the event contract's (``libs.events.schemas.ReuseType``, data.gouv.fr's list plus
"other"); the topics are the portal's own list, close to the catalog's themes. Each has its name
in Arabic, French and English (tests/unit/reuse checks that none is missing).
"""

from __future__ import annotations

from typing import Literal

REUSE_TYPES: dict[str, dict[str, str]] = {
    "application": {"fr": "Application", "ar": "تطبيق", "en": "Application"},
    "visualization": {"fr": "Visualisation", "ar": "تمثيل مرئي", "en": "Visualisation"},
    "api": {"fr": "API", "ar": "واجهة برمجية", "en": "API"},
    "article": {"fr": "Article", "ar": "مقال", "en": "Article"},
    "paper": {"fr": "Article de recherche", "ar": "ورقة بحثية", "en": "Research paper"},
    "news": {"fr": "Actualité", "ar": "خبر", "en": "News"},
    "idea": {"fr": "Idée", "ar": "فكرة", "en": "Idea"},
    "connected_device": {"fr": "Objet connecté", "ar": "جهاز متصل", "en": "Connected device"},
    "other": {"fr": "Autre", "ar": "أخرى", "en": "Other"},
}

ReuseTopic = Literal[
    "health",
    "education",
    "economy",
    "environment",
    "agriculture",
    "transport",
    "energy",
    "housing",
    "employment",
    "justice",
    "culture",
    "tourism",
    "territories",
    "society",
    "digital",
    "open_data_tools",
    "other",
]

REUSE_TOPICS: dict[str, dict[str, str]] = {
    "health": {"fr": "Santé", "ar": "الصحة", "en": "Health"},
    "education": {"fr": "Éducation et recherche", "ar": "التعليم والبحث", "en": "Education"},
    "economy": {"fr": "Économie et finances", "ar": "الاقتصاد والمالية", "en": "Economy"},
    "environment": {"fr": "Environnement", "ar": "البيئة", "en": "Environment"},
    "agriculture": {"fr": "Agriculture et pêche", "ar": "الفلاحة والصيد", "en": "Agriculture"},
    "transport": {"fr": "Transport et mobilité", "ar": "النقل والتنقل", "en": "Transport"},
    "energy": {"fr": "Énergie", "ar": "الطاقة", "en": "Energy"},
    "housing": {"fr": "Habitat et urbanisme", "ar": "السكنى والتعمير", "en": "Housing"},
    "employment": {"fr": "Emploi et formation", "ar": "التشغيل والتكوين", "en": "Employment"},
    "justice": {"fr": "Justice et droit", "ar": "العدل والقانون", "en": "Justice"},
    "culture": {"fr": "Culture et loisirs", "ar": "الثقافة والترفيه", "en": "Culture"},
    "tourism": {"fr": "Tourisme", "ar": "السياحة", "en": "Tourism"},
    "territories": {"fr": "Territoires", "ar": "المجالات الترابية", "en": "Territories"},
    "society": {"fr": "Société et démographie", "ar": "المجتمع والديموغرافيا", "en": "Society"},
    "digital": {"fr": "Numérique", "ar": "الرقمنة", "en": "Digital"},
    "open_data_tools": {
        "fr": "Outils pour les données ouvertes",
        "ar": "أدوات البيانات المفتوحة",
        "en": "Open data tools",
    },
    "other": {"fr": "Autre", "ar": "أخرى", "en": "Other"},
}
