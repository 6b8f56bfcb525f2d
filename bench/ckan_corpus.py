"""The comparison corpus: 10,000 deterministic open-data datasets, French with some Arabic.

The same datasets are loaded into a stock CKAN and into the catalog so that the counts
``package_search`` answers on both can be compared (tests/data/ckan_counts_10000.json records
CKAN's). Standard library only. Dataset ``i`` depends only on ``(SEED, i)``: it is the same
whether 10 or 10,000 are generated, in any order, in any process.

Each dataset is a plain dict::

    {"name": "bench-ds-00001", "title": str, "notes": str, "tags": [str, ...],
     "resources": [{"name": str, "url": str, "format": "CSV"},
                   {"name": str, "url": str, "format": "JSON"}]}

all published by one organisation, ``ORGANIZATION`` (``bench-org``), with no licence and no
group. 14 themes (transport, santé, éducation, …, each with an Arabic label) and 18 places
(Tunis, Sfax, Rabat, Paris, …, with their Arabic names); ~30 % of the titles end with an
Arabic part, ~40 % of the descriptions with Arabic sentences; 4 to 6 tags per dataset.

Check that a copy generates exactly the compared corpus::

    python -m bench.ckan_corpus 10000 | md5sum     # e8ee083d42c82038fc5941c195170ae6

``python -m bench.ckan_corpus --terms`` prints how many datasets carry each tag.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import unicodedata
from collections.abc import Iterator
from typing import Any

SEED = 20260501
DEFAULT_COUNT = 10_000
NAME_FORMAT = "bench-ds-{:05d}"
CORPUS_MD5 = "e8ee083d42c82038fc5941c195170ae6"  # of ``python -m bench.ckan_corpus 10000``

ORGANIZATION = {
    "name": "bench-org",
    "title": "Organisation de référence (banc d'essai) — منظمة مرجعية",
    "description": "Organisation fictive qui publie le corpus du banc d'essai.",
}

# (French label, Arabic label, French tag, Arabic tag, measures)
THEMES: list[tuple[str, str, str, str, list[str]]] = [
    ("Transport", "النقل", "transport", "النقل",
     ["fréquentation des lignes de bus", "trafic routier journalier", "accidents de la circulation",
      "stationnement public", "pistes cyclables", "horaires du tramway"]),
    ("Santé", "الصحة", "santé", "الصحة",
     ["capacité des hôpitaux", "vaccination des enfants", "pharmacies de garde",
      "consultations aux urgences", "centres de santé de base"]),
    ("Éducation", "التعليم", "éducation", "التعليم",
     ["effectifs des écoles primaires", "résultats du baccalauréat", "cantines scolaires",
      "bourses universitaires", "taux de scolarisation"]),
    ("Environnement", "البيئة", "environnement", "البيئة",
     ["qualité de l'air", "collecte des déchets", "espaces verts", "niveau sonore",
      "émissions de carbone"]),
    ("Agriculture", "الفلاحة", "agriculture", "الفلاحة",
     ["production céréalière", "récolte des olives", "surfaces irriguées", "cheptel ovin",
      "prix des fruits et légumes"]),
    ("Énergie", "الطاقة", "énergie", "الطاقة",
     ["consommation d'électricité", "production solaire", "prix du carburant",
      "raccordements au gaz naturel"]),
    ("Eau", "المياه", "eau", "المياه",
     ["réserves des barrages", "qualité de l'eau potable", "consommation d'eau par commune",
      "pluviométrie mensuelle"]),
    ("Population", "السكان", "population", "السكان",
     ["recensement de la population", "naissances et décès", "migrations internes",
      "ménages par délégation"]),
    ("Économie", "الاقتصاد", "économie", "الاقتصاد",
     ["création d'entreprises", "indice des prix à la consommation", "exportations",
      "investissements étrangers"]),
    ("Tourisme", "السياحة", "tourisme", "السياحة",
     ["nuitées hôtelières", "arrivées de touristes", "capacité d'hébergement",
      "fréquentation des musées"]),
    ("Culture", "الثقافة", "culture", "الثقافة",
     ["bibliothèques publiques", "festivals", "monuments historiques", "salles de cinéma"]),
    ("Logement", "السكن", "logement", "السكن",
     ["permis de construire", "loyers moyens", "logements sociaux", "prix de l'immobilier"]),
    ("Emploi", "التشغيل", "emploi", "التشغيل",
     ["taux de chômage", "offres d'emploi", "formation professionnelle", "salaires moyens"]),
    ("Budget", "الميزانية", "budget", "الميزانية",
     ["budget communal", "marchés publics", "subventions aux associations", "dette publique"]),
]  # fmt: skip

PLACES: list[tuple[str, str]] = [
    ("Tunis", "تونس"), ("Sfax", "صفاقس"), ("Sousse", "سوسة"), ("Kairouan", "القيروان"),
    ("Bizerte", "بنزرت"), ("Gabès", "قابس"), ("Rabat", "الرباط"), ("Casablanca", "الدار البيضاء"),
    ("Marrakech", "مراكش"), ("Alger", "الجزائر"), ("Oran", "وهران"), ("Paris", "باريس"),
    ("Lyon", "ليون"), ("Marseille", "مرسيليا"), ("Bordeaux", "بوردو"), ("Dakar", "داكار"),
    ("Beyrouth", "بيروت"), ("Montréal", "مونتريال"),
]  # fmt: skip

GRANULARITIES = ["par commune", "par quartier", "par gouvernorat", "par région", "par mois",
                 "par trimestre", "par établissement", "par tranche d'âge"]  # fmt: skip

GENERIC_TAGS = ["données ouvertes", "statistiques", "open data", "collectivité", "annuel",
                "mensuel", "géolocalisé", "série temporelle", "indicateurs", "référentiel",
                "بيانات مفتوحة", "إحصائيات", "مؤشرات"]  # fmt: skip

SENTENCES = [
    "Ce jeu de données présente {measure} {gran} pour {place} sur la période {y0}–{y1}.",
    "Les chiffres proviennent des services de la ville de {place} et sont mis à jour {freq}.",
    "Chaque ligne correspond à une observation {gran}; les valeurs manquantes sont laissées vides.",
    "La méthodologie suit les recommandations nationales en matière de statistique publique.",
    "Les données sont publiées sous licence ouverte et peuvent être réutilisées librement.",
    "Une version géolocalisée est disponible pour faciliter la cartographie des résultats.",
    "Le fichier JSON reprend les mêmes champs que le fichier CSV, avec un encodage UTF-8.",
    "Ces indicateurs servent au suivi des politiques publiques en matière de {theme_l}.",
    "Les séries antérieures à {y0} ont été harmonisées afin de permettre les comparaisons.",
    "Pour toute question, contactez le service producteur de la donnée.",
]

ARABIC_SENTENCES = [
    "تقدم هذه البيانات {theme_ar} في {place_ar} للفترة {y0}–{y1}.",
    "يتم تحديث هذه المعطيات بصفة دورية من قبل المصالح البلدية في {place_ar}.",
    "هذه البيانات مفتوحة ويمكن إعادة استعمالها بحرية.",
]

FREQUENCIES = ["chaque mois", "chaque trimestre", "chaque année", "chaque semaine"]

ARABIC_TITLE_SHARE = 0.3
ARABIC_NOTES_SHARE = 0.4
ARABIC_TAG_SHARE = 0.5


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def dataset(index: int, seed: int = SEED) -> dict[str, Any]:
    """Dataset number ``index`` (from 1); depends only on ``(seed, index)``.

    The order of the random draws is part of the corpus: changing it changes every dataset.
    """
    rng = random.Random(f"{seed}:{index}")
    theme_label, theme_ar, tag_fr, tag_ar, measures = rng.choice(THEMES)
    measure = rng.choice(measures)
    place, place_ar = rng.choice(PLACES)
    granularity = rng.choice(GRANULARITIES)
    last_year = rng.randint(2012, 2025)
    first_year = last_year - rng.randint(1, 10)
    name = NAME_FORMAT.format(index)

    title = (
        f"{theme_label} — {measure[0].upper()}{measure[1:]} {granularity}, {place} "
        f"({first_year}–{last_year})"
    )
    if rng.random() < ARABIC_TITLE_SHARE:
        title += f" | {theme_ar} {place_ar}"

    values = {
        "measure": measure,
        "gran": granularity,
        "place": place,
        "y0": first_year,
        "y1": last_year,
        "freq": rng.choice(FREQUENCIES),
        "theme_l": theme_label.lower(),
        "theme_ar": theme_ar,
        "place_ar": place_ar,
    }
    sentences = [SENTENCES[0], *rng.sample(SENTENCES[1:], rng.randint(2, 4))]
    notes = " ".join(sentence.format(**values) for sentence in sentences)
    if rng.random() < ARABIC_NOTES_SHARE:
        arabic = rng.sample(ARABIC_SENTENCES, rng.randint(1, 2))
        notes += "\n\n" + " ".join(sentence.format(**values) for sentence in arabic)

    tags = [tag_fr, place.lower()]
    if rng.random() < ARABIC_TAG_SHARE:
        tags.append(tag_ar)
    for tag in rng.sample(GENERIC_TAGS, rng.randint(1, 3)):
        if tag not in tags:
            tags.append(tag)

    base = f"https://data.bench.example/{name}"
    stem = _ascii(f"{tag_fr}-{place.lower()}-{first_year}-{last_year}")
    period = f"({first_year}–{last_year})"
    resources = [
        {"name": f"Données {measure} {period} — CSV", "url": f"{base}/{stem}.csv", "format": "CSV"},
        {
            "name": f"Données {measure} {period} — JSON",
            "url": f"{base}/{stem}.json",
            "format": "JSON",
        },
    ]
    return {"name": name, "title": title, "notes": notes, "tags": tags, "resources": resources}


def generate(
    count: int = DEFAULT_COUNT, seed: int = SEED, start: int = 1
) -> Iterator[dict[str, Any]]:
    """Datasets ``start`` … ``start + count - 1``, in order."""
    for index in range(start, start + count):
        yield dataset(index, seed)


def tag_counts(count: int = DEFAULT_COUNT, seed: int = SEED) -> dict[str, int]:
    """How many datasets carry each tag, most frequent first."""
    counts: dict[str, int] = {}
    for item in generate(count, seed):
        for tag in item["tags"]:
            counts[tag] = counts.get(tag, 0) + 1
    return dict(sorted(counts.items(), key=lambda entry: -entry[1]))


def jsonl_line(item: dict[str, Any]) -> str:
    """One dataset as a line of the JSON Lines output (the form the md5 is taken of)."""
    return json.dumps(item, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ckan_corpus",
        description="Write the comparison corpus as JSON Lines (or its tag counts).",
    )
    parser.add_argument("count", nargs="?", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--start", type=int, default=1)
    parser.add_argument("--terms", action="store_true", help="print tag counts instead")
    args = parser.parse_args(argv)
    if args.terms:
        json.dump(tag_counts(args.count, args.seed), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    for item in generate(args.count, args.seed, args.start):
        sys.stdout.write(jsonl_line(item))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
