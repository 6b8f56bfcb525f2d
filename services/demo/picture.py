"""Who publishes what in the demo: the institutions (the national open-data steering
committee's members, other ministries, public bodies, regions and communes), the series of
datasets each publishes, the developers and the reuses they declare.

Everything here is declared once, in French and Arabic. The figures are generated
(``services.demo.tables``), plausible in size and trend, and said to be invented in every
dataset's description. Themes, regions, licences and frequencies are the catalog's own codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal

InstitutionKind = Literal["ministry", "public_body", "local_authority", "other"]

# Said in every dataset's description: the figures are the demo's, not the institution's.
DEMO_NOTE = {
    "fr": "Données de démonstration générées : les chiffres ne sont pas officiels.",
    "ar": "بيانات توضيحية مولَّدة: الأرقام ليست رسمية.",
}


@dataclass(frozen=True)
class Region:
    code: str  # the catalog's region code
    fr: str
    ar: str
    population: int  # the 2024 census, rounded: the weight of the region's figures


REGIONS: tuple[Region, ...] = (
    Region(
        "tanger-tetouan-al-hoceima", "Tanger-Tétouan-Al Hoceïma", "طنجة تطوان الحسيمة", 4_030_222
    ),
    Region("oriental", "L'Oriental", "الشرق", 2_294_665),
    Region("fes-meknes", "Fès-Meknès", "فاس مكناس", 4_467_911),
    Region("rabat-sale-kenitra", "Rabat-Salé-Kénitra", "الرباط سلا القنيطرة", 5_132_639),
    Region("beni-mellal-khenifra", "Béni Mellal-Khénifra", "بني ملال خنيفرة", 2_525_801),
    Region("casablanca-settat", "Casablanca-Settat", "الدار البيضاء سطات", 7_688_967),
    Region("marrakech-safi", "Marrakech-Safi", "مراكش آسفي", 4_892_393),
    Region("draa-tafilalet", "Drâa-Tafilalet", "درعة تافيلالت", 1_655_623),
    Region("souss-massa", "Souss-Massa", "سوس ماسة", 3_020_431),
    Region("guelmim-oued-noun", "Guelmim-Oued Noun", "كلميم واد نون", 448_685),
    Region("laayoune-sakia-el-hamra", "Laâyoune-Sakia El Hamra", "العيون الساقية الحمراء", 451_028),
    Region("dakhla-oued-ed-dahab", "Dakhla-Oued Ed-Dahab", "الداخلة وادي الذهب", 219_965),
)
REGION_CODES = tuple(region.code for region in REGIONS)


# --- what a dataset's table is made of ----------------------------------------------------------


class Time(StrEnum):
    """The periods of a table's rows."""

    YEARS = "years"  # 2015 to 2024
    RECENT_YEARS = "recent_years"  # 2022 to 2024, beside another dimension
    CENSUS = "census"  # 2004, 2014, 2024
    QUARTERS = "quarters"  # 2021-T1 to 2024-T4
    MONTHS = "months"  # 2023-01 to 2024-12
    MINUTES = "minutes"  # the last hour, minute by minute (a live feed)
    EDITION = "edition"  # the edition's year only


@dataclass(frozen=True)
class Measure:
    """A column of figures: a count (scaled by each row's weight) or a rate (the same order
    everywhere, varying around ``base``)."""

    column: str
    base: float  # a count: the national figure for one period; a rate: its national value
    unit: str
    rate: bool = False
    decimals: int = 0
    growth: float = 0.03  # a year


def count(column: str, base: float, unit: str = "nombre", growth: float = 0.03) -> Measure:
    return Measure(column, base, unit, growth=growth)


def rate(column: str, base: float, unit: str = "%", decimals: int = 1) -> Measure:
    return Measure(column, base, unit, rate=True, decimals=decimals, growth=0.01)


@dataclass(frozen=True)
class Item:
    """One value of a table's other dimension (a ministry, a province, an arrondissement)."""

    fr: str
    ar: str
    weight: float = 1.0


@dataclass(frozen=True)
class Across:
    """A table's dimension besides time: its column and its values."""

    column: str
    items: tuple[Item, ...]


BY_REGION = Across(
    "region", tuple(Item(region.fr, region.ar, region.population) for region in REGIONS)
)


@dataclass(frozen=True)
class Series:
    """Datasets alike: one, one per region (``per_region``), or one per year (``editions``)."""

    key: str  # the datasets' slugs start with it
    fr: str
    ar: str
    about_fr: str
    about_ar: str
    themes: tuple[str, ...]
    tags: tuple[str, ...]
    frequency: str
    time: Time
    measures: tuple[Measure, ...]
    across: Across | None = None
    per_region: bool = False
    editions: tuple[int, ...] = ()


@dataclass(frozen=True)
class Institution:
    slug: str
    acronym: str
    fr: str
    ar: str
    kind: InstitutionKind
    enrolled_on: date
    licence: str
    series: tuple[Series, ...]
    # A local authority's territory: its region, and its commune's name.
    region: str | None = None
    commune: str | None = None
    steering_committee: bool = False


def items(*names: tuple[str, str, float]) -> tuple[Item, ...]:
    return tuple(Item(fr, ar, weight) for fr, ar, weight in names)


MINISTRIES = Across(
    "ministere",
    items(
        ("Éducation nationale", "التربية الوطنية", 73),
        ("Santé et protection sociale", "الصحة والحماية الاجتماعية", 30),
        ("Intérieur", "الداخلية", 34),
        ("Équipement et eau", "التجهيز والماء", 21),
        ("Agriculture et pêche maritime", "الفلاحة والصيد البحري", 18),
        ("Justice", "العدل", 7),
        ("Enseignement supérieur", "التعليم العالي", 15),
        ("Habitat et urbanisme", "السكنى والتعمير", 5),
    ),
)
TAX_KINDS = Across(
    "impot",
    items(
        ("Taxe sur la valeur ajoutée", "الضريبة على القيمة المضافة", 38),
        ("Impôt sur les sociétés", "الضريبة على الشركات", 27),
        ("Impôt sur le revenu", "الضريبة على الدخل", 24),
        ("Droits de douane", "الرسوم الجمركية", 6),
        ("Droits d'enregistrement et de timbre", "واجبات التسجيل والتنبر", 5),
    ),
)
SPENDING = Across(
    "poste",
    items(
        ("Alimentation et boissons", "التغذية والمشروبات", 38),
        ("Logement et énergie", "السكن والطاقة", 22),
        ("Transport et communications", "النقل والاتصالات", 11),
        ("Santé", "الصحة", 8),
        ("Enseignement, culture et loisirs", "التعليم والثقافة والترفيه", 7),
        ("Habillement", "الملابس", 6),
        ("Autres biens et services", "سلع وخدمات أخرى", 8),
    ),
)
COURTS = Across(
    "juridiction",
    items(
        ("Tribunaux de première instance", "المحاكم الابتدائية", 70),
        ("Cours d'appel", "محاكم الاستئناف", 14),
        ("Tribunaux de commerce", "المحاكم التجارية", 9),
        ("Tribunaux administratifs", "المحاكم الإدارية", 4),
        ("Cour de cassation", "محكمة النقض", 3),
    ),
)
SECTORS = Across(
    "secteur",
    items(
        ("Santé", "الصحة", 22),
        ("Collectivités territoriales", "الجماعات الترابية", 19),
        ("Justice", "العدل", 14),
        ("Urbanisme et foncier", "التعمير والعقار", 17),
        ("Marchés publics", "الصفقات العمومية", 16),
        ("Éducation", "التعليم", 12),
    ),
)
ENERGY_SOURCES = Across(
    "source",
    items(
        ("Charbon", "الفحم", 60),
        ("Éolien", "الطاقة الريحية", 15),
        ("Solaire", "الطاقة الشمسية", 6),
        ("Hydraulique", "الطاقة الكهرومائية", 4),
        ("Gaz naturel", "الغاز الطبيعي", 11),
        ("Fioul", "الفيول", 4),
    ),
)
CASABLANCA_SETTAT_PROVINCES = Across(
    "province",
    items(
        ("Préfecture de Casablanca", "عمالة الدار البيضاء", 33),
        ("Mohammedia", "المحمدية", 4),
        ("El Jadida", "الجديدة", 8),
        ("Nouaceur", "النواصر", 5),
        ("Médiouna", "مديونة", 2),
        ("Benslimane", "بنسليمان", 2),
        ("Berrechid", "برشيد", 6),
        ("Settat", "سطات", 6),
        ("Sidi Bennour", "سيدي بنور", 4),
    ),
)
SOUSS_MASSA_PROVINCES = Across(
    "province",
    items(
        ("Agadir Ida-Outanane", "أكادير إداوتنان", 6),
        ("Inezgane-Aït Melloul", "إنزكان آيت ملول", 6),
        ("Chtouka-Aït Baha", "اشتوكة آيت باها", 4),
        ("Taroudant", "تارودانت", 8),
        ("Tiznit", "تيزنيت", 2),
        ("Tata", "طاطا", 1),
    ),
)
RABAT_ARRONDISSEMENTS = Across(
    "arrondissement",
    items(
        ("Agdal-Riyad", "أكدال الرياض", 3),
        ("Hassan", "حسان", 3),
        ("Yacoub El Mansour", "يعقوب المنصور", 5),
        ("Youssoufia", "اليوسفية", 4),
        ("Souissi", "السويسي", 1),
    ),
)
MARRAKECH_ARRONDISSEMENTS = Across(
    "arrondissement",
    items(
        ("Médina", "المدينة", 3),
        ("Guéliz", "جيليز", 3),
        ("Ménara", "المنارة", 5),
        ("Sidi Youssef Ben Ali", "سيدي يوسف بن علي", 3),
        ("Annakhil", "النخيل", 3),
    ),
)
BUDGET_CHAPTERS = Across(
    "chapitre",
    items(
        ("Fonctionnement : personnel", "التسيير: الموظفون", 30),
        ("Fonctionnement : biens et services", "التسيير: السلع والخدمات", 20),
        ("Investissement : voirie et équipements", "الاستثمار: الطرق والتجهيزات", 30),
        ("Investissement : programmes sociaux", "الاستثمار: البرامج الاجتماعية", 12),
        ("Remboursement de la dette", "سداد الدين", 8),
    ),
)
SERVICES_ONLINE = Across(
    "departement",
    items(
        ("Intérieur", "الداخلية", 18),
        ("Économie et finances", "الاقتصاد والمالية", 22),
        ("Justice", "العدل", 10),
        ("Transport et logistique", "النقل واللوجستيك", 9),
        ("Santé et protection sociale", "الصحة والحماية الاجتماعية", 8),
        ("Éducation nationale", "التربية الوطنية", 12),
    ),
)
DIGITAL_PROJECTS = Across(
    "domaine",
    items(
        ("Administration électronique", "الإدارة الإلكترونية", 9),
        ("Économie numérique", "الاقتصاد الرقمي", 6),
        ("Inclusion numérique", "الإدماج الرقمي", 4),
        ("Infrastructures et cloud", "البنيات التحتية والحوسبة السحابية", 3),
    ),
)
AIR_STATIONS = Across(
    "station",
    items(
        ("Casablanca — Aïn Sebaâ", "الدار البيضاء — عين السبع", 1.2),
        ("Casablanca — Sidi Othmane", "الدار البيضاء — سيدي عثمان", 1.0),
        ("Casablanca — Jahid", "الدار البيضاء — جاحظ", 0.9),
    ),
)


# --- the series -----------------------------------------------------------------------------------


def series(
    key: str,
    title: tuple[str, str],
    about: tuple[str, str],
    themes: tuple[str, ...],
    tags: tuple[str, ...],
    frequency: str,
    time: Time,
    *measures: Measure,
    across: Across | None = None,
    per_region: bool = False,
    editions: tuple[int, ...] = (),
) -> Series:
    return Series(
        key=key,
        fr=title[0],
        ar=title[1],
        about_fr=about[0],
        about_ar=about[1],
        themes=themes,
        tags=tags,
        frequency=frequency,
        time=time,
        measures=measures,
        across=across,
        per_region=per_region,
        editions=editions,
    )


MEF = Institution(
    slug="mef",
    acronym="MEF",
    fr="Ministère de l'Économie et des Finances",
    ar="وزارة الاقتصاد والمالية",
    kind="ministry",
    enrolled_on=date(2018, 9, 17),
    licence="other-open",
    steering_committee=True,
    series=(
        series(
            "loi-de-finances-credits",
            (
                "Loi de finances : crédits ouverts par ministère",
                "قانون المالية: الاعتمادات المفتوحة حسب الوزارة",
            ),
            (
                "Crédits de paiement ouverts par la loi de finances de l'année, par ministère, en "
                "millions de dirhams.",
                "اعتمادات الأداء المفتوحة بموجب قانون المالية للسنة، حسب الوزارة، بملايين الدراهم.",
            ),
            ("economie-finances",),
            ("budget", "loi de finances", "الميزانية"),
            "ANNUAL",
            Time.EDITION,
            count("credits_mdh", 210_000, "millions de dirhams", growth=0.05),
            across=MINISTRIES,
            editions=(2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024),
        ),
        series(
            "recettes-fiscales",
            ("Recettes fiscales mensuelles", "المداخيل الضريبية الشهرية"),
            (
                "Recettes fiscales encaissées chaque mois par nature d'impôt, en millions de "
                "dirhams, d'après la situation des charges et ressources du Trésor.",
                "المداخيل الضريبية المحصلة كل شهر حسب نوع الضريبة، بملايين الدراهم، وفق وضعية "
                "تحملات وموارد الخزينة.",
            ),
            ("economie-finances",),
            ("fiscalité", "recettes", "الضرائب"),
            "MONTHLY",
            Time.MONTHS,
            count("recettes_mdh", 22_000, "millions de dirhams", growth=0.06),
            across=TAX_KINDS,
        ),
        series(
            "dette-tresor",
            ("Encours de la dette du Trésor", "جاري دين الخزينة"),
            (
                "Encours de la dette intérieure et extérieure du Trésor à la fin de chaque "
                "trimestre, en millions de dirhams.",
                "جاري الدين الداخلي والخارجي للخزينة في نهاية كل فصل، بملايين الدراهم.",
            ),
            ("economie-finances",),
            ("dette", "trésor"),
            "QUARTERLY",
            Time.QUARTERS,
            count("dette_interieure_mdh", 760_000, "millions de dirhams", growth=0.05),
            count("dette_exterieure_mdh", 250_000, "millions de dirhams", growth=0.04),
        ),
        series(
            "echanges-exterieurs",
            ("Importations et exportations de biens", "واردات وصادرات السلع"),
            (
                "Valeur mensuelle des importations et des exportations de biens, en millions de "
                "dirhams, et taux de couverture.",
                "القيمة الشهرية لواردات وصادرات السلع بملايين الدراهم ونسبة التغطية.",
            ),
            ("economie-finances",),
            ("commerce extérieur", "exportations", "importations"),
            "MONTHLY",
            Time.MONTHS,
            count("importations_mdh", 64_000, "millions de dirhams", growth=0.04),
            count("exportations_mdh", 37_000, "millions de dirhams", growth=0.06),
            rate("taux_de_couverture", 58.0),
        ),
        series(
            "marches-publics-etat",
            ("Marchés publics attribués par l'État", "الصفقات العمومية المبرمة من طرف الدولة"),
            (
                "Nombre et montant des marchés publics attribués chaque trimestre par les "
                "services de l'État, d'après le portail des marchés publics.",
                "عدد ومبلغ الصفقات العمومية المبرمة كل فصل من طرف مصالح الدولة، وفق بوابة الصفقات "
                "العمومية.",
            ),
            ("economie-finances",),
            ("marchés publics", "commande publique", "الصفقات العمومية"),
            "QUARTERLY",
            Time.QUARTERS,
            count("marches", 4_200, growth=0.03),
            count("montant_mdh", 17_500, "millions de dirhams", growth=0.05),
        ),
        series(
            "budget-collectivites",
            (
                "Exécution du budget des collectivités territoriales",
                "تنفيذ ميزانية الجماعات الترابية",
            ),
            (
                "Recettes et dépenses exécutées chaque année par les collectivités territoriales "
                "de la région, en millions de dirhams.",
                "المداخيل والنفقات المنفذة كل سنة من طرف الجماعات الترابية بالجهة، بملايين "
                "الدراهم.",
            ),
            ("economie-finances", "collectivites"),
            ("budget", "collectivités", "الجماعات الترابية"),
            "ANNUAL",
            Time.YEARS,
            count("recettes_mdh", 41_000, "millions de dirhams", growth=0.04),
            count("depenses_mdh", 37_000, "millions de dirhams", growth=0.04),
            per_region=True,
        ),
    ),
)

MJCC = Institution(
    slug="mjcc-communication",
    acronym="MJCC",
    fr=(
        "Ministère de la Jeunesse, de la Culture et de la Communication "
        "(Département de la Communication)"
    ),
    ar="وزارة الشباب والثقافة والتواصل (قطاع التواصل)",
    kind="ministry",
    enrolled_on=date(2018, 9, 17),
    licence="cc-by",
    steering_committee=True,
    series=(
        series(
            "presse-agreee",
            ("Publications de presse agréées", "منشورات الصحافة المعتمدة"),
            (
                "Nombre de publications de presse écrite et de sites d'information électroniques "
                "ayant déclaré leur parution, par année.",
                "عدد منشورات الصحافة المكتوبة والمواقع الإخبارية الإلكترونية المصرح بصدورها، حسب "
                "السنة.",
            ),
            ("culture",),
            ("presse", "médias", "الصحافة"),
            "ANNUAL",
            Time.YEARS,
            count("journaux_papier", 240, growth=-0.04),
            count("sites_electroniques", 520, growth=0.08),
        ),
        series(
            "cartes-de-presse",
            ("Cartes de presse professionnelle délivrées", "بطاقات الصحافة المهنية المسلمة"),
            (
                "Cartes de presse professionnelle délivrées chaque année aux journalistes, par "
                "région d'exercice.",
                "بطاقات الصحافة المهنية المسلمة كل سنة للصحافيين، حسب جهة المزاولة.",
            ),
            ("culture",),
            ("journalistes", "presse"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("cartes_delivrees", 3_400, growth=0.02),
            across=BY_REGION,
        ),
        series(
            "aide-publique-presse",
            ("Aide publique à la presse", "الدعم العمومي للصحافة"),
            (
                "Montants de l'aide publique accordée aux entreprises de presse écrite et "
                "électronique, par année, en milliers de dirhams.",
                "مبالغ الدعم العمومي الممنوح لمقاولات الصحافة المكتوبة والإلكترونية حسب السنة، "
                "بآلاف الدراهم.",
            ),
            ("culture", "economie-finances"),
            ("presse", "subventions"),
            "ANNUAL",
            Time.YEARS,
            count("aide_presse_ecrite_kdh", 60_000, "milliers de dirhams", growth=0.01),
            count("aide_presse_electronique_kdh", 18_000, "milliers de dirhams", growth=0.09),
        ),
        series(
            "bibliotheques-publiques",
            (
                "Fréquentation des bibliothèques et centres culturels",
                "ارتياد المكتبات والمراكز الثقافية",
            ),
            (
                "Entrées enregistrées chaque année dans les bibliothèques publiques et les "
                "centres culturels de la région, et ouvrages prêtés.",
                "الدخول المسجلة كل سنة في المكتبات العمومية والمراكز الثقافية بالجهة، والكتب "
                "المعارة.",
            ),
            ("culture",),
            ("bibliothèques", "lecture", "المكتبات"),
            "ANNUAL",
            Time.YEARS,
            count("entrees", 2_600_000, growth=0.04),
            count("prets", 410_000, growth=0.02),
            per_region=True,
        ),
    ),
)

MTNRA = Institution(
    slug="mtnra",
    acronym="MTNRA",
    fr="Ministère de la Transition Numérique et de la Réforme de l'Administration",
    ar="وزارة الانتقال الرقمي وإصلاح الإدارة",
    kind="ministry",
    enrolled_on=date(2018, 9, 17),
    licence="other-open",
    steering_committee=True,
    series=(
        series(
            "services-en-ligne",
            ("Services publics en ligne par département", "الخدمات العمومية الرقمية حسب القطاع"),
            (
                "Démarches administratives entièrement dématérialisées et services en ligne, par "
                "département ministériel et par année.",
                "المساطر الإدارية المرقمنة كليا والخدمات الإلكترونية، حسب القطاع الوزاري والسنة.",
            ),
            ("numerique",),
            ("administration électronique", "e-gov", "الإدارة الرقمية"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("services_en_ligne", 620, growth=0.15),
            count("demarches_dematerialisees", 1_900, growth=0.18),
            across=SERVICES_ONLINE,
        ),
        series(
            "effectifs-fonction-publique",
            ("Effectifs de la fonction publique", "أعداد موظفي الوظيفة العمومية"),
            (
                "Fonctionnaires civils de l'État par département ministériel, au 31 décembre de "
                "chaque année.",
                "الموظفون المدنيون للدولة حسب القطاع الوزاري في 31 دجنبر من كل سنة.",
            ),
            ("emploi", "numerique"),
            ("fonction publique", "ressources humaines"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("fonctionnaires", 570_000, growth=0.01),
            across=MINISTRIES,
        ),
        series(
            "reclamations-usagers",
            ("Réclamations des usagers reçues en ligne", "شكايات المرتفقين الواردة إلكترونيا"),
            (
                "Réclamations déposées chaque mois par les usagers sur le portail national des "
                "réclamations, traitées et en cours.",
                "الشكايات المودعة كل شهر من طرف المرتفقين على البوابة الوطنية للشكايات، المعالجة "
                "والجارية.",
            ),
            ("numerique", "justice"),
            ("réclamations", "usagers", "الشكايات"),
            "MONTHLY",
            Time.MONTHS,
            count("reclamations_recues", 14_000, growth=0.07),
            count("reclamations_traitees", 12_100, growth=0.09),
        ),
        series(
            "acces-information",
            ("Demandes d'accès à l'information", "طلبات الحصول على المعلومات"),
            (
                "Demandes d'accès à l'information reçues par les administrations chaque "
                "trimestre, et part de réponses dans le délai légal.",
                "طلبات الحصول على المعلومات التي توصلت بها الإدارات كل فصل، ونسبة الأجوبة داخل "
                "الأجل القانوني.",
            ),
            ("numerique", "justice"),
            ("accès information", "transparence", "الحق في المعلومة"),
            "QUARTERLY",
            Time.QUARTERS,
            count("demandes", 3_100, growth=0.12),
            rate("reponses_dans_les_delais", 71.0),
        ),
        series(
            "fonctionnaires-region",
            ("Fonctionnaires en poste dans la région", "الموظفون العاملون بالجهة"),
            (
                "Fonctionnaires civils de l'État en poste dans les services déconcentrés de la "
                "région, par année, et part des femmes.",
                "الموظفون المدنيون للدولة العاملون بالمصالح اللاممركزة بالجهة، حسب السنة، ونسبة "
                "النساء.",
            ),
            ("emploi", "collectivites"),
            ("fonction publique", "déconcentration", "الوظيفة العمومية"),
            "ANNUAL",
            Time.YEARS,
            count("fonctionnaires", 330_000, growth=0.01),
            rate("part_des_femmes", 40.0),
            per_region=True,
        ),
        series(
            "concours-recrutement",
            (
                "Concours de recrutement de la fonction publique",
                "مباريات التوظيف في الوظيفة العمومية",
            ),
            (
                "Concours organisés, postes ouverts et candidats inscrits chaque année sur le "
                "portail de l'emploi public.",
                "المباريات المنظمة والمناصب المفتوحة والمترشحون المسجلون كل سنة على بوابة التشغيل "
                "العمومي.",
            ),
            ("emploi",),
            ("recrutement", "concours"),
            "ANNUAL",
            Time.YEARS,
            count("concours", 1_150, growth=0.02),
            count("postes", 26_000, growth=0.03),
            count("candidats", 610_000, growth=0.05),
        ),
    ),
)

HCP = Institution(
    slug="hcp",
    acronym="HCP",
    fr="Haut-Commissariat au Plan",
    ar="المندوبية السامية للتخطيط",
    kind="public_body",
    enrolled_on=date(2018, 9, 17),
    licence="odc-odbl",
    steering_committee=True,
    series=(
        series(
            "population-legale",
            ("Population légale des régions", "السكان القانونيون للجهات"),
            (
                "Population légale de chacune des douze régions aux trois derniers recensements "
                "généraux de la population et de l'habitat.",
                "السكان القانونيون لكل جهة من الجهات الاثنتي عشرة حسب الإحصاءات العامة الثلاثة "
                "الأخيرة للسكان والسكنى.",
            ),
            ("population",),
            ("population", "recensement", "السكان"),
            "IRREG",
            Time.CENSUS,
            count("population", 36_800_000, growth=0.012),
            across=BY_REGION,
        ),
        series(
            "indice-des-prix",
            ("Indice des prix à la consommation", "الرقم الاستدلالي للأثمان عند الاستهلاك"),
            (
                "Indice mensuel des prix à la consommation (base 100 en 2017), par grand poste de "
                "dépenses des ménages.",
                "الرقم الاستدلالي الشهري للأثمان عند الاستهلاك (أساس 100 سنة 2017)، حسب أهم أبواب "
                "نفقات الأسر.",
            ),
            ("economie-finances", "population"),
            ("inflation", "prix", "الأسعار"),
            "MONTHLY",
            Time.MONTHS,
            rate("indice_base_2017", 118.0, "indice"),
            across=SPENDING,
        ),
        series(
            "chomage-trimestriel",
            ("Activité, emploi et chômage", "النشاط والتشغيل والبطالة"),
            (
                "Taux d'activité, taux d'emploi et taux de chômage trimestriels de la population "
                "de 15 ans et plus, d'après l'enquête nationale sur l'emploi.",
                "معدلات النشاط والتشغيل والبطالة الفصلية للسكان البالغين 15 سنة فما فوق، حسب "
                "البحث الوطني حول التشغيل.",
            ),
            ("emploi", "population"),
            ("chômage", "emploi", "البطالة"),
            "QUARTERLY",
            Time.QUARTERS,
            rate("taux_activite", 43.5),
            rate("taux_emploi", 37.9),
            rate("taux_chomage", 13.1),
        ),
        series(
            "pib-regional",
            ("Produit intérieur brut régional", "الناتج الداخلي الإجمالي الجهوي"),
            (
                "Produit intérieur brut de chaque région aux prix courants, en millions de "
                "dirhams, d'après les comptes régionaux.",
                "الناتج الداخلي الإجمالي لكل جهة بالأسعار الجارية، بملايين الدراهم، حسب الحسابات "
                "الجهوية.",
            ),
            ("economie-finances", "collectivites"),
            ("pib", "comptes régionaux", "الناتج الداخلي"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("pib_mdh", 1_330_000, "millions de dirhams", growth=0.06),
            across=BY_REGION,
        ),
        series(
            "projections-population",
            ("Projections de la population", "إسقاطات السكان"),
            (
                "Population projetée du pays, urbaine et rurale, par année, selon le scénario "
                "central des projections démographiques.",
                "السكان المتوقعون للبلاد، حضريا وقرويا، حسب السنة، وفق السيناريو المركزي "
                "للإسقاطات الديموغرافية.",
            ),
            ("population",),
            ("projections", "démographie", "الديموغرافيا"),
            "IRREG",
            Time.YEARS,
            count("population_urbaine", 23_900_000, growth=0.018),
            count("population_rurale", 12_900_000, growth=-0.004),
        ),
        series(
            "consommation-menages",
            ("Dépenses de consommation des ménages", "نفقات الاستهلاك لدى الأسر"),
            (
                "Dépense annuelle moyenne par ménage et par grand poste, en dirhams, d'après "
                "l'enquête nationale sur la consommation et les dépenses des ménages.",
                "متوسط النفقة السنوية للأسرة حسب أهم الأبواب، بالدرهم، وفق البحث الوطني حول "
                "استهلاك ونفقات الأسر.",
            ),
            ("population", "economie-finances"),
            ("ménages", "consommation"),
            "IRREG",
            Time.RECENT_YEARS,
            count("depense_moyenne_dh", 86_000, "dirhams", growth=0.04),
            across=SPENDING,
        ),
        series(
            "pauvrete-multidimensionnelle",
            ("Pauvreté multidimensionnelle par région", "الفقر متعدد الأبعاد حسب الجهة"),
            (
                "Taux de pauvreté multidimensionnelle et de vulnérabilité de chaque région aux "
                "deux derniers recensements.",
                "معدلات الفقر متعدد الأبعاد والهشاشة لكل جهة حسب الإحصاءين الأخيرين.",
            ),
            ("population",),
            ("pauvreté", "inégalités", "الفقر"),
            "IRREG",
            Time.CENSUS,
            rate("taux_pauvrete", 6.8),
            rate("taux_vulnerabilite", 11.4),
            across=BY_REGION,
        ),
        series(
            "indicateurs-regionaux",
            ("Indicateurs socio-démographiques", "المؤشرات السوسيو-ديموغرافية"),
            (
                "Population, taux d'urbanisation, taux de chômage et taux d'analphabétisme de la "
                "région, par année.",
                "السكان ونسبة التمدن ومعدل البطالة ومعدل الأمية بالجهة، حسب السنة.",
            ),
            ("population", "collectivites"),
            ("indicateurs", "région", "الجهة"),
            "ANNUAL",
            Time.YEARS,
            count("population", 36_800_000, growth=0.011),
            rate("taux_urbanisation", 64.0),
            rate("taux_chomage", 13.0),
            rate("taux_analphabetisme", 24.8),
            per_region=True,
        ),
    ),
)

INPPLC = Institution(
    slug="inpplc",
    acronym="INPPLC",
    fr="Instance Nationale de la Probité, de la Prévention et de la Lutte contre la Corruption",
    ar="الهيئة الوطنية للنزاهة والوقاية من الرشوة ومحاربتها",
    kind="public_body",
    enrolled_on=date(2019, 3, 11),
    licence="cc-by",
    steering_committee=True,
    series=(
        series(
            "plaintes-corruption",
            ("Plaintes et signalements reçus", "الشكايات والتبليغات الواردة"),
            (
                "Plaintes et signalements de faits de corruption reçus chaque trimestre par "
                "l'Instance, et suites données.",
                "الشكايات والتبليغات المتعلقة بأفعال الرشوة التي توصلت بها الهيئة كل فصل، "
                "والتدابير المتخذة بشأنها.",
            ),
            ("justice",),
            ("corruption", "signalements", "النزاهة"),
            "QUARTERLY",
            Time.QUARTERS,
            count("plaintes_recues", 1_450, growth=0.06),
            count("transmises_au_parquet", 180, growth=0.05),
        ),
        series(
            "plaintes-par-secteur",
            ("Plaintes par secteur concerné", "الشكايات حسب القطاع المعني"),
            (
                "Répartition annuelle des plaintes reçues selon le secteur public concerné.",
                "التوزيع السنوي للشكايات الواردة حسب القطاع العمومي المعني.",
            ),
            ("justice",),
            ("corruption", "secteurs"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("plaintes", 5_800, growth=0.05),
            across=SECTORS,
        ),
        series(
            "sensibilisation-probite",
            ("Actions de sensibilisation à la probité", "أنشطة التحسيس بالنزاهة"),
            (
                "Ateliers, sessions de formation et participants aux actions de sensibilisation à "
                "la probité, par région et par année.",
                "الورشات والدورات التكوينية والمشاركون في أنشطة التحسيس بالنزاهة، حسب الجهة "
                "والسنة.",
            ),
            ("justice", "education"),
            ("sensibilisation", "probité"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("ateliers", 420, growth=0.1),
            count("participants", 16_000, growth=0.12),
            across=BY_REGION,
        ),
        series(
            "delais-traitement-plaintes",
            ("Délais de traitement des plaintes", "آجال معالجة الشكايات"),
            (
                "Délai moyen de traitement des plaintes et signalements clôturés chaque trimestre, "
                "en jours, et part des plaintes traitées en moins de soixante jours.",
                "متوسط آجال معالجة الشكايات والتبليغات المغلقة كل فصل بالأيام، ونسبة الشكايات "
                "المعالجة في أقل من ستين يوما.",
            ),
            ("justice",),
            ("délais", "plaintes"),
            "QUARTERLY",
            Time.QUARTERS,
            rate("delai_moyen_jours", 74.0, "jours", decimals=0),
            rate("traitees_en_moins_de_60_jours", 46.0),
        ),
        series(
            "rapports-avis",
            ("Rapports, avis et recommandations publiés", "التقارير والآراء والتوصيات المنشورة"),
            (
                "Rapports annuels, avis sur des projets de textes et recommandations publiés par "
                "l'Instance chaque année.",
                "التقارير السنوية والآراء حول مشاريع النصوص والتوصيات التي نشرتها الهيئة كل سنة.",
            ),
            ("justice",),
            ("rapports", "avis"),
            "ANNUAL",
            Time.YEARS,
            count("rapports", 6, growth=0.05),
            count("avis", 14, growth=0.08),
            count("recommandations", 95, growth=0.06),
        ),
    ),
)

ANRT = Institution(
    slug="anrt",
    acronym="ANRT",
    fr="Agence Nationale de Réglementation des Télécommunications",
    ar="الوكالة الوطنية لتقنين المواصلات",
    kind="public_body",
    enrolled_on=date(2018, 10, 2),
    licence="other-open",
    steering_committee=True,
    series=(
        series(
            "abonnements-mobile",
            ("Parc d'abonnements à la téléphonie mobile", "حظيرة اشتراكات الهاتف المحمول"),
            (
                "Abonnements à la téléphonie mobile à la fin de chaque trimestre, prépayés et "
                "postpayés, et taux de pénétration.",
                "اشتراكات الهاتف المحمول في نهاية كل فصل، المسبقة الدفع والمؤداة لاحقا، ونسبة "
                "الولوج.",
            ),
            ("numerique",),
            ("télécommunications", "mobile", "الاتصالات"),
            "QUARTERLY",
            Time.QUARTERS,
            count("abonnements_prepayes", 48_000_000, growth=0.01),
            count("abonnements_postpayes", 5_600_000, growth=0.06),
            rate("taux_penetration", 147.0),
        ),
        series(
            "abonnements-internet",
            ("Parc d'abonnements à l'Internet", "حظيرة اشتراكات الإنترنت"),
            (
                "Abonnements à l'Internet fixe (ADSL et fibre) et mobile à la fin de chaque "
                "trimestre.",
                "اشتراكات الإنترنت الثابت (ADSL والألياف البصرية) والمحمول في نهاية كل فصل.",
            ),
            ("numerique",),
            ("internet", "fibre", "الإنترنت"),
            "QUARTERLY",
            Time.QUARTERS,
            count("adsl", 1_250_000, growth=-0.05),
            count("fibre", 560_000, growth=0.35),
            count("internet_mobile", 38_000_000, growth=0.07),
        ),
        series(
            "tarifs-mobile",
            ("Prix moyens des services mobiles", "متوسط أسعار الخدمات المتنقلة"),
            (
                "Revenu moyen par minute de communication et par gigaoctet de données mobiles, en "
                "dirhams hors taxes, par année.",
                "متوسط المداخيل عن كل دقيقة مكالمة وعن كل جيغابايت من البيانات المتنقلة، بالدرهم "
                "دون احتساب الرسوم، حسب السنة.",
            ),
            ("numerique", "economie-finances"),
            ("prix", "mobile"),
            "ANNUAL",
            Time.YEARS,
            Measure("prix_minute_dh", 0.19, "dirhams", rate=True, decimals=3, growth=-0.08),
            Measure("prix_go_dh", 4.1, "dirhams", rate=True, decimals=2, growth=-0.15),
        ),
        series(
            "noms-de-domaine",
            ("Noms de domaine .ma enregistrés", "أسماء النطاق .ma المسجلة"),
            (
                "Noms de domaine enregistrés sous l'extension nationale .ma et ses sous-domaines, "
                "à la fin de chaque année.",
                "أسماء النطاق المسجلة تحت الامتداد الوطني .ma ونطاقاته الفرعية في نهاية كل سنة.",
            ),
            ("numerique",),
            ("noms de domaine", "dns"),
            "ANNUAL",
            Time.YEARS,
            count("noms_de_domaine", 92_000, growth=0.06),
        ),
        series(
            "couverture-4g",
            ("Couverture des réseaux mobiles 4G", "تغطية شبكات الهاتف المحمول من الجيل الرابع"),
            (
                "Part de la population couverte par au moins un réseau 4G et nombre de sites "
                "radio de la région, par année.",
                "نسبة السكان المغطاة بشبكة واحدة على الأقل من الجيل الرابع وعدد المواقع الراديوية "
                "بالجهة، حسب السنة.",
            ),
            ("numerique", "collectivites"),
            ("4g", "couverture", "التغطية"),
            "ANNUAL",
            Time.YEARS,
            rate("population_couverte", 93.0),
            count("sites_radio", 21_000, growth=0.06),
            per_region=True,
        ),
    ),
)

ADD = Institution(
    slug="add",
    acronym="ADD",
    fr="Agence de Développement du Digital",
    ar="وكالة التنمية الرقمية",
    kind="public_body",
    enrolled_on=date(2018, 11, 5),
    licence="cc-by",
    steering_committee=True,
    series=(
        series(
            "startups-labellisees",
            ("Start-up labellisées", "المقاولات الناشئة الحاصلة على العلامة"),
            (
                "Start-up du numérique labellisées chaque année, emplois déclarés et fonds levés, "
                "en millions de dirhams.",
                "المقاولات الناشئة الرقمية الحاصلة على العلامة كل سنة، ومناصب الشغل المصرح بها "
                "والأموال المعبأة بملايين الدراهم.",
            ),
            ("numerique", "economie-finances"),
            ("start-up", "innovation", "المقاولات الناشئة"),
            "ANNUAL",
            Time.YEARS,
            count("startups", 120, growth=0.2),
            count("emplois", 900, growth=0.18),
            count("fonds_leves_mdh", 240, "millions de dirhams", growth=0.22),
        ),
        series(
            "projets-transformation-digitale",
            ("Projets de transformation digitale accompagnés", "مشاريع التحول الرقمي المواكبة"),
            (
                "Projets de transformation digitale des administrations accompagnés par l'Agence, "
                "par domaine et par année.",
                "مشاريع التحول الرقمي للإدارات التي واكبتها الوكالة، حسب المجال والسنة.",
            ),
            ("numerique",),
            ("transformation digitale", "projets"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("projets", 85, growth=0.15),
            across=DIGITAL_PROJECTS,
        ),
        series(
            "competences-numeriques",
            ("Formations aux compétences numériques", "التكوين في المهارات الرقمية"),
            (
                "Personnes formées aux compétences numériques de base et avancées dans la région, "
                "par année.",
                "الأشخاص المستفيدون من التكوين في المهارات الرقمية الأساسية والمتقدمة بالجهة، حسب "
                "السنة.",
            ),
            ("numerique", "education"),
            ("formation", "compétences", "المهارات الرقمية"),
            "ANNUAL",
            Time.YEARS,
            count("formes_base", 42_000, growth=0.2),
            count("formes_avances", 7_500, growth=0.25),
            per_region=True,
        ),
        series(
            "maturite-numerique",
            ("Indice de maturité numérique des administrations", "مؤشر النضج الرقمي للإدارات"),
            (
                "Score moyen de maturité numérique des administrations sur 100, par domaine "
                "évalué et par année.",
                "متوسط نقطة النضج الرقمي للإدارات على 100، حسب المجال المقيَّم والسنة.",
            ),
            ("numerique",),
            ("maturité", "évaluation"),
            "ANNUAL",
            Time.RECENT_YEARS,
            rate("score_sur_100", 54.0, "points"),
            across=DIGITAL_PROJECTS,
        ),
    ),
)

MSPS = Institution(
    slug="msps",
    acronym="MSPS",
    fr="Ministère de la Santé et de la Protection Sociale",
    ar="وزارة الصحة والحماية الاجتماعية",
    kind="ministry",
    enrolled_on=date(2019, 1, 21),
    licence="other-open",
    series=(
        series(
            "lits-hospitaliers",
            ("Lits hospitaliers publics", "الأسرّة الاستشفائية العمومية"),
            (
                "Lits des hôpitaux publics par région, et densité pour 10 000 habitants, au 31 "
                "décembre de chaque année.",
                "أسرّة المستشفيات العمومية حسب الجهة، والكثافة لكل 10 000 نسمة، في 31 دجنبر من كل "
                "سنة.",
            ),
            ("sante",),
            ("hôpitaux", "lits", "المستشفيات"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("lits", 26_000, growth=0.03),
            rate("lits_pour_10000", 7.1, "lits"),
            across=BY_REGION,
        ),
        series(
            "couverture-vaccinale",
            ("Couverture vaccinale des enfants", "التغطية بالتلقيح لدى الأطفال"),
            (
                "Taux de couverture vaccinale des enfants de moins d'un an pour les vaccins du "
                "programme national d'immunisation, par année.",
                "نسب التغطية بالتلقيح لدى الأطفال دون السنة بالنسبة للقاحات البرنامج الوطني "
                "للتمنيع، حسب السنة.",
            ),
            ("sante",),
            ("vaccination", "enfants", "التلقيح"),
            "ANNUAL",
            Time.YEARS,
            rate("penta3", 95.0),
            rate("rougeole_rubeole", 93.0),
            rate("polio", 96.0),
        ),
        series(
            "assurance-maladie",
            (
                "Bénéficiaires de l'assurance maladie obligatoire",
                "المستفيدون من التأمين الإجباري عن المرض",
            ),
            (
                "Assurés et ayants droit de l'assurance maladie obligatoire de base à la fin de "
                "chaque mois, par régime.",
                "المؤمنون وذوو الحقوق في التأمين الإجباري الأساسي عن المرض في نهاية كل شهر، حسب "
                "النظام.",
            ),
            ("sante", "population"),
            ("amo", "protection sociale", "الحماية الاجتماعية"),
            "MONTHLY",
            Time.MONTHS,
            count("salaries_et_pensionnes", 9_800_000, growth=0.03),
            count("travailleurs_non_salaries", 4_100_000, growth=0.12),
            count("amo_tadamon", 11_000_000, growth=0.05),
        ),
        series(
            "naissances-etablissements",
            ("Accouchements en milieu surveillé", "الولادات تحت المراقبة الطبية"),
            (
                "Accouchements dans les établissements de santé publics et part des naissances "
                "assistées par un personnel qualifié, par région.",
                "الولادات في المؤسسات الصحية العمومية ونسبة الولادات بمساعدة مهنيين مؤهلين، حسب "
                "الجهة.",
            ),
            ("sante", "population"),
            ("naissances", "maternité"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("accouchements", 540_000, growth=-0.01),
            rate("naissances_assistees", 88.0),
            across=BY_REGION,
        ),
        series(
            "soins-primaires",
            ("Établissements de soins de santé primaires", "مؤسسات الرعاية الصحية الأولية"),
            (
                "Centres de santé urbains et ruraux, dispensaires, médecins et infirmiers des "
                "établissements de soins primaires de la région, par année.",
                "المراكز الصحية الحضرية والقروية والمستوصفات والأطباء والممرضون بمؤسسات الرعاية "
                "الصحية الأولية بالجهة، حسب السنة.",
            ),
            ("sante",),
            ("centres de santé", "soins primaires", "الصحة"),
            "ANNUAL",
            Time.YEARS,
            count("centres_de_sante", 2_150, growth=0.015),
            count("medecins", 3_300, growth=0.03),
            count("infirmiers", 12_500, growth=0.04),
            per_region=True,
        ),
    ),
)

MENPS = Institution(
    slug="menps",
    acronym="MENPS",
    fr="Ministère de l'Éducation Nationale, du Préscolaire et des Sports",
    ar="وزارة التربية الوطنية والتعليم الأولي والرياضة",
    kind="ministry",
    enrolled_on=date(2019, 1, 21),
    licence="other-open",
    series=(
        series(
            "etablissements-scolaires",
            ("Établissements scolaires", "المؤسسات التعليمية"),
            (
                "Écoles primaires, collèges et lycées publics et privés de chaque région, à la "
                "rentrée scolaire.",
                "المدارس الابتدائية والإعداديات والثانويات العمومية والخصوصية بكل جهة، عند الدخول "
                "المدرسي.",
            ),
            ("education",),
            ("écoles", "établissements", "المدارس"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("ecoles_primaires", 8_100, growth=0.01),
            count("colleges", 2_050, growth=0.02),
            count("lycees", 1_350, growth=0.02),
            across=BY_REGION,
        ),
        series(
            "taux-scolarisation",
            ("Taux de scolarisation par cycle", "نسب التمدرس حسب السلك"),
            (
                "Taux spécifiques de scolarisation au préscolaire, au primaire, au collège et au "
                "lycée, par année scolaire.",
                "النسب الخاصة للتمدرس في التعليم الأولي والابتدائي والإعدادي والتأهيلي، حسب السنة "
                "الدراسية.",
            ),
            ("education",),
            ("scolarisation", "التمدرس"),
            "ANNUAL",
            Time.YEARS,
            rate("prescolaire", 72.0),
            rate("primaire", 99.5),
            rate("college", 91.0),
            rate("lycee", 69.0),
        ),
        series(
            "resultats-baccalaureat",
            ("Résultats du baccalauréat", "نتائج امتحانات البكالوريا"),
            (
                "Candidats, admis et taux de réussite à l'examen national du baccalauréat, "
                "session normale et de rattrapage, par année.",
                "المترشحون والناجحون ونسبة النجاح في الامتحان الوطني للبكالوريا، الدورتان العادية "
                "والاستدراكية، حسب السنة.",
            ),
            ("education",),
            ("baccalauréat", "examens", "البكالوريا"),
            "ANNUAL",
            Time.YEARS,
            count("candidats", 470_000, growth=0.02),
            count("admis", 330_000, growth=0.03),
            rate("taux_de_reussite", 70.0),
        ),
        series(
            "enseignants",
            ("Enseignants du secteur public", "أطر التدريس بالقطاع العمومي"),
            (
                "Enseignants du primaire, du collège et du lycée du secteur public, par année "
                "scolaire, et nombre moyen d'élèves par enseignant.",
                "أطر التدريس بالابتدائي والإعدادي والتأهيلي بالقطاع العمومي حسب السنة الدراسية، "
                "ومتوسط عدد التلاميذ لكل مدرس.",
            ),
            ("education", "emploi"),
            ("enseignants", "الأساتذة"),
            "ANNUAL",
            Time.YEARS,
            count("enseignants", 250_000, growth=0.02),
            rate("eleves_par_enseignant", 27.0, "élèves"),
        ),
        series(
            "effectifs-eleves",
            ("Effectifs des élèves par cycle", "أعداد التلاميذ حسب السلك"),
            (
                "Élèves inscrits au primaire, au collège et au lycée dans la région, public et "
                "privé, à chaque rentrée scolaire.",
                "التلاميذ المسجلون في الابتدائي والإعدادي والتأهيلي بالجهة، بالعمومي والخصوصي، "
                "عند كل دخول مدرسي.",
            ),
            ("education",),
            ("élèves", "effectifs", "التلاميذ"),
            "ANNUAL",
            Time.YEARS,
            count("primaire", 4_500_000, growth=0.005),
            count("college", 1_700_000, growth=0.01),
            count("lycee", 1_100_000, growth=0.02),
            per_region=True,
        ),
    ),
)

MAPMDREF = Institution(
    slug="mapmdref",
    acronym="MAPMDREF",
    fr=(
        "Ministère de l'Agriculture, de la Pêche Maritime, du Développement Rural "
        "et des Eaux et Forêts"
    ),
    ar="وزارة الفلاحة والصيد البحري والتنمية القروية والمياه والغابات",
    kind="ministry",
    enrolled_on=date(2019, 4, 8),
    licence="odc-by",
    series=(
        series(
            "debarquements-peche",
            ("Débarquements de la pêche côtière et artisanale", "مفرغات الصيد الساحلي والتقليدي"),
            (
                "Quantités débarquées chaque mois par la pêche côtière et artisanale, en tonnes, "
                "et leur valeur en milliers de dirhams.",
                "الكميات المفرغة كل شهر من طرف الصيد الساحلي والتقليدي بالأطنان، وقيمتها بآلاف "
                "الدراهم.",
            ),
            ("agriculture",),
            ("pêche", "ports", "الصيد البحري"),
            "MONTHLY",
            Time.MONTHS,
            count("quantite_tonnes", 110_000, "tonnes", growth=-0.02),
            count("valeur_kdh", 870_000, "milliers de dirhams", growth=0.04),
        ),
        series(
            "pluviometrie",
            ("Pluviométrie de la campagne agricole", "التساقطات المطرية للموسم الفلاحي"),
            (
                "Cumul mensuel des précipitations de la campagne agricole, en millimètres, "
                "comparé à une année normale.",
                "المجموع الشهري للتساقطات خلال الموسم الفلاحي بالملمتر، مقارنة بسنة عادية.",
            ),
            ("agriculture", "environnement"),
            ("pluie", "climat", "التساقطات"),
            "MONTHLY",
            Time.MONTHS,
            rate("cumul_mm", 32.0, "mm"),
            rate("normale_mm", 38.0, "mm"),
        ),
        series(
            "reboisement",
            ("Superficies reboisées", "المساحات المعاد تشجيرها"),
            (
                "Superficies reboisées et régénérées chaque année, en hectares, par les "
                "programmes forestiers.",
                "المساحات المعاد تشجيرها وتخليفها كل سنة بالهكتار في إطار البرامج الغابوية.",
            ),
            ("agriculture", "environnement"),
            ("forêts", "reboisement", "الغابات"),
            "ANNUAL",
            Time.YEARS,
            count("hectares_reboises", 43_000, "hectares", growth=0.05),
        ),
        series(
            "cheptel",
            ("Effectif du cheptel national", "أعداد القطيع الوطني"),
            (
                "Effectifs des bovins, ovins, caprins et camelins recensés chaque année, en "
                "milliers de têtes.",
                "أعداد الأبقار والأغنام والماعز والإبل المحصاة كل سنة بآلاف الرؤوس.",
            ),
            ("agriculture",),
            ("élevage", "cheptel", "الماشية"),
            "ANNUAL",
            Time.YEARS,
            count("bovins_milliers", 3_200, "milliers de têtes", growth=0.0),
            count("ovins_milliers", 19_500, "milliers de têtes", growth=-0.01),
            count("caprins_milliers", 5_700, "milliers de têtes", growth=-0.01),
        ),
        series(
            "production-cultures",
            ("Production des principales cultures", "إنتاج أهم المزروعات"),
            (
                "Production annuelle de céréales, d'agrumes et d'olives de la région, en tonnes, "
                "par campagne agricole.",
                "الإنتاج السنوي من الحبوب والحوامض والزيتون بالجهة، بالأطنان، حسب الموسم الفلاحي.",
            ),
            ("agriculture", "collectivites"),
            ("céréales", "agrumes", "olives", "الفلاحة"),
            "ANNUAL",
            Time.YEARS,
            count("cereales_tonnes", 5_500_000, "tonnes", growth=0.0),
            count("agrumes_tonnes", 2_600_000, "tonnes", growth=0.02),
            count("olives_tonnes", 1_900_000, "tonnes", growth=0.03),
            per_region=True,
        ),
    ),
)

MTL = Institution(
    slug="mtl",
    acronym="MTL",
    fr="Ministère du Transport et de la Logistique",
    ar="وزارة النقل واللوجستيك",
    kind="ministry",
    enrolled_on=date(2019, 6, 3),
    licence="other-open",
    series=(
        series(
            "trafic-aeroports",
            ("Trafic des passagers dans les aéroports", "حركة المسافرين بالمطارات"),
            (
                "Passagers arrivés et partis chaque mois dans les aéroports du Royaume, vols "
                "internationaux et intérieurs.",
                "المسافرون الوافدون والمغادرون كل شهر بمطارات المملكة، الرحلات الدولية والداخلية.",
            ),
            ("transport", "tourisme"),
            ("aéroports", "passagers", "المطارات"),
            "MONTHLY",
            Time.MONTHS,
            count("passagers_internationaux", 2_300_000, growth=0.12),
            count("passagers_interieurs", 190_000, growth=0.06),
        ),
        series(
            "trafic-portuaire",
            ("Trafic portuaire de marchandises", "الحركة المينائية للبضائع"),
            (
                "Marchandises embarquées et débarquées chaque mois dans les ports de commerce, en "
                "milliers de tonnes, et conteneurs manutentionnés.",
                "البضائع المشحونة والمفرغة كل شهر بالموانئ التجارية بآلاف الأطنان، والحاويات "
                "المناولة.",
            ),
            ("transport", "economie-finances"),
            ("ports", "marchandises", "الموانئ"),
            "MONTHLY",
            Time.MONTHS,
            count("marchandises_kt", 16_000, "milliers de tonnes", growth=0.05),
            count("conteneurs_evp", 850_000, "EVP", growth=0.08),
        ),
        series(
            "permis-de-conduire",
            ("Permis de conduire délivrés", "رخص السياقة المسلمة"),
            (
                "Permis de conduire délivrés chaque année par catégorie, et taux de réussite à "
                "l'examen.",
                "رخص السياقة المسلمة كل سنة حسب الصنف، ونسبة النجاح في الامتحان.",
            ),
            ("transport",),
            ("permis", "conduite", "رخص السياقة"),
            "ANNUAL",
            Time.YEARS,
            count("permis_b", 380_000, growth=0.03),
            count("permis_poids_lourds", 31_000, growth=0.02),
            rate("taux_de_reussite", 61.0),
        ),
        series(
            "immatriculations",
            ("Immatriculations de véhicules neufs", "تسجيل المركبات الجديدة"),
            (
                "Véhicules neufs immatriculés chaque mois, voitures particulières et véhicules "
                "utilitaires.",
                "المركبات الجديدة المسجلة كل شهر، السيارات الخاصة والمركبات النفعية.",
            ),
            ("transport",),
            ("véhicules", "immatriculations"),
            "MONTHLY",
            Time.MONTHS,
            count("voitures_particulieres", 14_500, growth=0.04),
            count("vehicules_utilitaires", 2_900, growth=0.03),
        ),
        series(
            "parc-automobile",
            ("Parc de véhicules immatriculés", "حظيرة المركبات المسجلة"),
            (
                "Voitures particulières, véhicules utilitaires et motocycles immatriculés dans la "
                "région, au 31 décembre de chaque année.",
                "السيارات الخاصة والمركبات النفعية والدراجات النارية المسجلة بالجهة في 31 دجنبر "
                "من كل سنة.",
            ),
            ("transport",),
            ("véhicules", "parc automobile", "المركبات"),
            "ANNUAL",
            Time.YEARS,
            count("voitures_particulieres", 3_100_000, growth=0.05),
            count("vehicules_utilitaires", 1_050_000, growth=0.04),
            count("motocycles", 820_000, growth=0.07),
            per_region=True,
        ),
        series(
            "accidents-circulation",
            ("Accidents de la circulation", "حوادث السير"),
            (
                "Accidents corporels de la circulation, personnes tuées et blessés graves dans la "
                "région, par année.",
                "حوادث السير الجسمانية والقتلى والجرحى إصابات بليغة بالجهة، حسب السنة.",
            ),
            ("transport",),
            ("sécurité routière", "accidents", "السلامة الطرقية"),
            "ANNUAL",
            Time.YEARS,
            count("accidents", 115_000, growth=0.02),
            count("tues", 3_700, growth=-0.02),
            count("blesses_graves", 9_800, growth=-0.01),
            per_region=True,
        ),
    ),
)

MTEDD = Institution(
    slug="mtedd",
    acronym="MTEDD",
    fr="Ministère de la Transition Énergétique et du Développement Durable",
    ar="وزارة الانتقال الطاقي والتنمية المستدامة",
    kind="ministry",
    enrolled_on=date(2019, 2, 18),
    licence="odc-odbl",
    series=(
        # A live feed: updated every minute, so that a feed left without its update is overdue.
        series(
            "qualite-air-casablanca-temps-reel",
            (
                "Qualité de l'air à Casablanca, minute par minute",
                "جودة الهواء بالدار البيضاء، دقيقة بدقيقة",
            ),
            (
                "Concentrations de particules fines PM10, de dioxyde d'azote et d'ozone mesurées "
                "chaque minute par les stations du réseau de surveillance de Casablanca, en "
                "microgrammes par mètre cube.",
                "تركيزات الجسيمات الدقيقة PM10 وثاني أكسيد الآزوت والأوزون المقيسة كل دقيقة "
                "بمحطات شبكة المراقبة بالدار البيضاء، بالميكروغرام في المتر المكعب.",
            ),
            ("environnement", "sante"),
            ("qualité air", "temps réel", "جودة الهواء"),
            "1MIN",
            Time.MINUTES,
            rate("pm10", 48.0, "µg/m³"),
            rate("no2", 31.0, "µg/m³"),
            rate("o3", 56.0, "µg/m³"),
            across=AIR_STATIONS,
        ),
        series(
            "production-electricite",
            ("Production d'électricité par source", "إنتاج الكهرباء حسب المصدر"),
            (
                "Électricité produite chaque année par source d'énergie, en gigawattheures.",
                "الكهرباء المنتجة كل سنة حسب مصدر الطاقة بالجيغاواط ساعة.",
            ),
            ("energie",),
            ("électricité", "énergies renouvelables", "الطاقة"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("production_gwh", 42_000, "GWh", growth=0.04),
            across=ENERGY_SOURCES,
        ),
        series(
            "capacite-renouvelable",
            ("Capacité installée des énergies renouvelables", "القدرة المنشأة للطاقات المتجددة"),
            (
                "Puissance installée des centrales éoliennes, solaires et hydrauliques à la fin "
                "de chaque année, en mégawatts.",
                "القدرة المنشأة للمحطات الريحية والشمسية والكهرومائية في نهاية كل سنة، بالميغاواط.",
            ),
            ("energie", "environnement"),
            ("éolien", "solaire", "الطاقات المتجددة"),
            "ANNUAL",
            Time.YEARS,
            count("eolien_mw", 1_900, "MW", growth=0.1),
            count("solaire_mw", 830, "MW", growth=0.12),
            count("hydraulique_mw", 1_770, "MW", growth=0.01),
        ),
        series(
            "produits-petroliers",
            ("Consommation de produits pétroliers", "استهلاك المنتجات البترولية"),
            (
                "Ventes mensuelles de gasoil, d'essence et de butane sur le marché national, en "
                "milliers de tonnes.",
                "المبيعات الشهرية من الغازوال والبنزين والبوتان في السوق الوطنية، بآلاف الأطنان.",
            ),
            ("energie",),
            ("carburants", "butane", "المحروقات"),
            "MONTHLY",
            Time.MONTHS,
            count("gasoil_kt", 580, "milliers de tonnes", growth=0.02),
            count("essence_kt", 75, "milliers de tonnes", growth=0.05),
            count("butane_kt", 230, "milliers de tonnes", growth=0.02),
        ),
        series(
            "qualite-air-mensuelle",
            ("Qualité de l'air, moyennes mensuelles", "جودة الهواء، المعدلات الشهرية"),
            (
                "Moyennes mensuelles des concentrations de PM10, de dioxyde d'azote et d'ozone "
                "mesurées par les stations de la région, en microgrammes par mètre cube.",
                "المعدلات الشهرية لتركيزات PM10 وثاني أكسيد الآزوت والأوزون المقيسة بمحطات الجهة، "
                "بالميكروغرام في المتر المكعب.",
            ),
            ("environnement",),
            ("qualité air", "pollution", "جودة الهواء"),
            "MONTHLY",
            Time.MONTHS,
            rate("pm10", 41.0, "µg/m³"),
            rate("no2", 24.0, "µg/m³"),
            rate("o3", 52.0, "µg/m³"),
            per_region=True,
        ),
    ),
)

MTAESS = Institution(
    slug="mtaess",
    acronym="MTAESS",
    fr="Ministère du Tourisme, de l'Artisanat et de l'Économie Sociale et Solidaire",
    ar="وزارة السياحة والصناعة التقليدية والاقتصاد الاجتماعي والتضامني",
    kind="ministry",
    enrolled_on=date(2019, 9, 23),
    licence="other-open",
    series=(
        series(
            "arrivees-touristes",
            ("Arrivées de touristes aux postes frontières", "وصول السياح إلى المراكز الحدودية"),
            (
                "Arrivées mensuelles de touristes étrangers et de Marocains résidant à l'étranger "
                "aux postes frontières.",
                "الوافدون شهريا من السياح الأجانب والمغاربة المقيمين بالخارج عبر المراكز الحدودية.",
            ),
            ("tourisme",),
            ("tourisme", "arrivées", "السياحة"),
            "MONTHLY",
            Time.MONTHS,
            count("touristes_etrangers", 680_000, growth=0.12),
            count("marocains_residant_a_l_etranger", 520_000, growth=0.05),
        ),
        series(
            "capacite-hebergement",
            ("Capacité d'hébergement classé", "الطاقة الإيوائية المصنفة"),
            (
                "Établissements d'hébergement touristique classés et lits, par région, au 31 "
                "décembre de chaque année.",
                "مؤسسات الإيواء السياحي المصنفة والأسرّة، حسب الجهة، في 31 دجنبر من كل سنة.",
            ),
            ("tourisme",),
            ("hôtels", "hébergement", "الفنادق"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("etablissements", 4_300, growth=0.03),
            count("lits", 280_000, growth=0.03),
            across=BY_REGION,
        ),
        series(
            "recettes-touristiques",
            ("Recettes touristiques", "المداخيل السياحية"),
            (
                "Recettes des voyages en devises encaissées chaque mois, en millions de dirhams.",
                "مداخيل الأسفار بالعملة الصعبة المحصلة كل شهر، بملايين الدراهم.",
            ),
            ("tourisme", "economie-finances"),
            ("recettes", "devises"),
            "MONTHLY",
            Time.MONTHS,
            count("recettes_mdh", 8_400, "millions de dirhams", growth=0.1),
        ),
        series(
            "artisans",
            (
                "Artisans inscrits au registre national",
                "الصناع التقليديون المسجلون في السجل الوطني",
            ),
            (
                "Artisans et coopératives d'artisanat inscrits au registre national de "
                "l'artisanat, par région.",
                "الصناع التقليديون وتعاونيات الصناعة التقليدية المسجلون في السجل الوطني للصناعة "
                "التقليدية، حسب الجهة.",
            ),
            ("tourisme", "emploi"),
            ("artisanat", "coopératives", "الصناعة التقليدية"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("artisans", 320_000, growth=0.06),
            count("cooperatives", 9_200, growth=0.05),
            across=BY_REGION,
        ),
        series(
            "nuitees",
            ("Nuitées dans les établissements classés", "ليالي المبيت بالمؤسسات المصنفة"),
            (
                "Nuitées des touristes non-résidents et résidents dans les établissements "
                "d'hébergement classés de la région, par mois.",
                "ليالي مبيت السياح غير المقيمين والمقيمين في مؤسسات الإيواء المصنفة بالجهة، حسب "
                "الشهر.",
            ),
            ("tourisme",),
            ("nuitées", "hôtellerie", "ليالي المبيت"),
            "MONTHLY",
            Time.MONTHS,
            count("non_residents", 1_700_000, growth=0.12),
            count("residents", 750_000, growth=0.06),
            per_region=True,
        ),
    ),
)

MJ = Institution(
    slug="mj",
    acronym="MJ",
    fr="Ministère de la Justice",
    ar="وزارة العدل",
    kind="ministry",
    enrolled_on=date(2020, 2, 10),
    licence="other-open",
    series=(
        series(
            "activite-juridictions",
            (
                "Affaires enregistrées et jugées par juridiction",
                "القضايا المسجلة والمحكومة حسب نوع المحكمة",
            ),
            (
                "Affaires enregistrées, jugées et restant à juger chaque année, par type de "
                "juridiction.",
                "القضايا المسجلة والمحكومة والمتبقية كل سنة، حسب نوع المحكمة.",
            ),
            ("justice",),
            ("tribunaux", "affaires", "المحاكم"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("affaires_enregistrees", 3_900_000, growth=0.03),
            count("affaires_jugees", 3_850_000, growth=0.03),
            across=COURTS,
        ),
        series(
            "aide-juridictionnelle",
            ("Demandes d'aide juridictionnelle", "طلبات المساعدة القضائية"),
            (
                "Demandes d'aide juridictionnelle déposées et accordées chaque année.",
                "طلبات المساعدة القضائية المودعة والمقبولة كل سنة.",
            ),
            ("justice",),
            ("aide juridictionnelle", "accès au droit"),
            "ANNUAL",
            Time.YEARS,
            count("demandes", 61_000, growth=0.04),
            count("accordees", 44_000, growth=0.05),
        ),
        series(
            "registre-commerce",
            ("Immatriculations au registre du commerce", "التقييدات في السجل التجاري"),
            (
                "Personnes physiques et morales immatriculées chaque année au registre du "
                "commerce.",
                "الأشخاص الذاتيون والمعنويون المقيدون كل سنة في السجل التجاري.",
            ),
            ("justice", "economie-finances"),
            ("entreprises", "registre du commerce"),
            "ANNUAL",
            Time.YEARS,
            count("personnes_physiques", 52_000, growth=0.04),
            count("personnes_morales", 71_000, growth=0.06),
        ),
        series(
            "magistrats",
            ("Magistrats et greffiers par région", "القضاة وكتاب الضبط حسب الجهة"),
            (
                "Magistrats et fonctionnaires du greffe en poste dans les juridictions de chaque "
                "région, au 31 décembre.",
                "القضاة وموظفو كتابة الضبط العاملون بمحاكم كل جهة في 31 دجنبر.",
            ),
            ("justice", "emploi"),
            ("magistrats", "greffe"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("magistrats", 4_300, growth=0.03),
            count("greffiers", 15_600, growth=0.02),
            across=BY_REGION,
        ),
        series(
            "affaires-premiere-instance",
            ("Affaires des tribunaux de première instance", "قضايا المحاكم الابتدائية"),
            (
                "Affaires civiles, pénales et de la famille enregistrées par les tribunaux de "
                "première instance de la région, par année.",
                "القضايا المدنية والزجرية وقضايا الأسرة المسجلة بالمحاكم الابتدائية بالجهة، حسب "
                "السنة.",
            ),
            ("justice", "collectivites"),
            ("tribunaux", "famille", "القضاء"),
            "ANNUAL",
            Time.YEARS,
            count("affaires_civiles", 820_000, growth=0.02),
            count("affaires_penales", 1_300_000, growth=0.03),
            count("affaires_famille", 510_000, growth=0.04),
            per_region=True,
        ),
    ),
)

ONEE = Institution(
    slug="onee",
    acronym="ONEE",
    fr="Office National de l'Électricité et de l'Eau Potable",
    ar="المكتب الوطني للكهرباء والماء الصالح للشرب",
    kind="public_body",
    enrolled_on=date(2020, 6, 15),
    licence="odc-odbl",
    series=(
        series(
            "appel-de-puissance",
            (
                "Appel de puissance du réseau électrique national",
                "الطلب على القدرة في الشبكة الكهربائية الوطنية",
            ),
            (
                "Puissance appelée sur le réseau électrique national, relevée toutes les quinze "
                "minutes, en mégawatts, par zone de consommation.",
                "القدرة المطلوبة على الشبكة الكهربائية الوطنية المسجلة كل خمس عشرة دقيقة، "
                "بالميغاواط، حسب منطقة الاستهلاك.",
            ),
            ("energie",),
            ("électricité", "temps réel", "الكهرباء"),
            "15MIN",
            Time.MINUTES,
            rate("puissance_mw", 2_100.0, "MW", decimals=0),
            across=Across(
                "zone",
                items(("Nord", "الشمال", 1.0), ("Centre", "الوسط", 1.6), ("Sud", "الجنوب", 0.7)),
            ),
        ),
        series(
            "production-eau-potable",
            ("Production d'eau potable", "إنتاج الماء الصالح للشرب"),
            (
                "Volumes d'eau potable produits chaque mois par les stations de traitement et les "
                "stations de dessalement, en milliers de mètres cubes.",
                "أحجام الماء الصالح للشرب المنتجة كل شهر بمحطات المعالجة ومحطات تحلية مياه البحر، "
                "بآلاف الأمتار المكعبة.",
            ),
            ("energie", "environnement"),
            ("eau potable", "dessalement", "الماء"),
            "MONTHLY",
            Time.MONTHS,
            count("eau_traitee_km3", 78_000, "milliers de m³", growth=0.01),
            count("eau_dessalee_km3", 9_500, "milliers de m³", growth=0.25),
        ),
        series(
            "electrification-rurale",
            ("Électrification rurale", "الكهربة القروية"),
            (
                "Taux d'électrification rurale et villages électrifiés chaque année par le "
                "programme d'électrification rurale globale.",
                "نسبة الكهربة القروية والدواوير المكهربة كل سنة في إطار برنامج الكهربة القروية "
                "الشاملة.",
            ),
            ("energie", "collectivites"),
            ("électrification", "monde rural", "العالم القروي"),
            "ANNUAL",
            Time.YEARS,
            rate("taux_electrification", 99.6),
            count("villages_electrifies", 410, growth=-0.08),
        ),
        series(
            "abonnes",
            (
                "Abonnés à l'électricité et à l'eau potable",
                "المشتركون في الكهرباء والماء الصالح للشرب",
            ),
            (
                "Clients de l'Office en électricité et en eau potable dans chaque région, au 31 "
                "décembre.",
                "زبناء المكتب في الكهرباء والماء الصالح للشرب بكل جهة في 31 دجنبر.",
            ),
            ("energie",),
            ("abonnés", "clients"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("abonnes_electricite", 6_900_000, growth=0.03),
            count("abonnes_eau", 2_600_000, growth=0.03),
            across=BY_REGION,
        ),
        series(
            "consommation-basse-tension",
            ("Consommation d'électricité basse tension", "استهلاك الكهرباء ذات الجهد المنخفض"),
            (
                "Électricité basse tension facturée chaque mois aux ménages et aux professionnels "
                "de la région, en mégawattheures.",
                "الكهرباء ذات الجهد المنخفض المفوترة كل شهر للأسر والمهنيين بالجهة، بالميغاواط "
                "ساعة.",
            ),
            ("energie",),
            ("électricité", "consommation", "الكهرباء"),
            "MONTHLY",
            Time.MONTHS,
            count("menages_mwh", 1_050_000, "MWh", growth=0.04),
            count("professionnels_mwh", 420_000, "MWh", growth=0.03),
            per_region=True,
        ),
    ),
)

ANAPEC = Institution(
    slug="anapec",
    acronym="ANAPEC",
    fr="Agence Nationale de Promotion de l'Emploi et des Compétences",
    ar="الوكالة الوطنية لإنعاش التشغيل والكفاءات",
    kind="public_body",
    enrolled_on=date(2021, 3, 1),
    licence="cc-by",
    series=(
        series(
            "demandeurs-emploi",
            ("Demandeurs d'emploi inscrits", "طالبو الشغل المسجلون"),
            (
                "Demandeurs d'emploi inscrits à la fin de chaque mois, par niveau de diplôme.",
                "طالبو الشغل المسجلون في نهاية كل شهر، حسب مستوى الشهادة.",
            ),
            ("emploi",),
            ("chômage", "demandeurs emploi", "التشغيل"),
            "MONTHLY",
            Time.MONTHS,
            count("sans_diplome", 61_000, growth=0.02),
            count("diplomes_moyens", 148_000, growth=0.03),
            count("diplomes_superieurs", 236_000, growth=0.04),
        ),
        series(
            "insertions-programmes",
            ("Insertions par programme d'emploi", "الإدماج حسب برامج التشغيل"),
            (
                "Insertions réalisées chaque année par les programmes de promotion de l'emploi "
                "salarié et d'auto-emploi.",
                "عمليات الإدماج المحققة كل سنة في إطار برامج إنعاش الشغل المأجور والتشغيل الذاتي.",
            ),
            ("emploi",),
            ("insertion", "programmes"),
            "ANNUAL",
            Time.YEARS,
            count("idmaj", 95_000, growth=0.05),
            count("tahfiz", 11_000, growth=0.08),
            count("auto_emploi", 3_200, growth=0.04),
        ),
        series(
            "emploi-international",
            ("Placements à l'international", "التوظيف على المستوى الدولي"),
            (
                "Offres d'emploi à l'international reçues et candidats placés chaque année, par "
                "pays d'accueil.",
                "عروض الشغل الدولية المتوصل بها والمرشحون المعينون كل سنة، حسب بلد الاستقبال.",
            ),
            ("emploi",),
            ("mobilité", "international"),
            "ANNUAL",
            Time.RECENT_YEARS,
            count("offres", 21_000, growth=0.1),
            count("places", 14_000, growth=0.12),
            across=Across(
                "pays",
                items(
                    ("Espagne", "إسبانيا", 7),
                    ("France", "فرنسا", 4),
                    ("Allemagne", "ألمانيا", 2),
                    ("Émirats arabes unis", "الإمارات العربية المتحدة", 2),
                    ("Qatar", "قطر", 1),
                ),
            ),
        ),
        series(
            "offres-insertions-region",
            ("Offres d'emploi et insertions", "عروض الشغل وعمليات الإدماج"),
            (
                "Offres d'emploi reçues, candidats présélectionnés et insertions réalisées par "
                "les agences de la région, par mois.",
                "عروض الشغل المتوصل بها والمرشحون المنتقون وعمليات الإدماج المحققة من طرف وكالات "
                "الجهة، حسب الشهر.",
            ),
            ("emploi", "collectivites"),
            ("offres emploi", "insertion", "الشغل"),
            "MONTHLY",
            Time.MONTHS,
            count("offres", 14_000, growth=0.05),
            count("preselectionnes", 30_000, growth=0.05),
            count("insertions", 9_500, growth=0.06),
            per_region=True,
        ),
    ),
)


def _regional_budget(key: str, editions: tuple[int, ...], base: float, across: Across) -> Series:
    return series(
        key,
        ("Budget de la Région", "ميزانية الجهة"),
        (
            "Crédits votés par le conseil régional pour l'exercice, par chapitre, en milliers de "
            "dirhams.",
            "الاعتمادات التي صادق عليها مجلس الجهة برسم السنة المالية حسب الباب، بآلاف الدراهم.",
        ),
        ("collectivites", "economie-finances"),
        ("budget", "conseil régional", "ميزانية الجهة"),
        "ANNUAL",
        Time.EDITION,
        count("credits_kdh", base, "milliers de dirhams", growth=0.06),
        across=across,
        editions=editions,
    )


def _communal_budget(key: str, editions: tuple[int, ...], base: float) -> Series:
    return series(
        key,
        ("Budget de la Commune", "ميزانية الجماعة"),
        (
            "Crédits votés par le conseil communal pour l'exercice, par chapitre, en milliers de "
            "dirhams.",
            "الاعتمادات التي صادق عليها المجلس الجماعي برسم السنة المالية حسب الباب، بآلاف "
            "الدراهم.",
        ),
        ("collectivites", "economie-finances"),
        ("budget", "conseil communal", "ميزانية الجماعة"),
        "ANNUAL",
        Time.EDITION,
        count("credits_kdh", base, "milliers de dirhams", growth=0.05),
        across=BUDGET_CHAPTERS,
        editions=editions,
    )


def _province_series(
    key: str,
    title: tuple[str, str],
    about: tuple[str, str],
    themes: tuple[str, ...],
    tags: tuple[str, ...],
    across: Across,
    *measures: Measure,
) -> Series:
    return series(
        key, title, about, themes, tags, "ANNUAL", Time.RECENT_YEARS, *measures, across=across
    )


REGION_CASABLANCA_SETTAT = Institution(
    slug="region-casablanca-settat",
    acronym="RCS",
    fr="Région Casablanca-Settat",
    ar="جهة الدار البيضاء سطات",
    kind="local_authority",
    enrolled_on=date(2020, 11, 16),
    licence="other-open",
    region="casablanca-settat",
    series=(
        _regional_budget(
            "budget-region-casablanca-settat",
            (2021, 2022, 2023, 2024),
            1_900_000,
            BUDGET_CHAPTERS,
        ),
        _province_series(
            "pdr-casablanca-settat",
            ("Projets du programme de développement régional", "مشاريع برنامج التنمية الجهوية"),
            (
                "Projets du programme de développement régional engagés et achevés, et leur coût "
                "en millions de dirhams, par province ou préfecture.",
                "مشاريع برنامج التنمية الجهوية الملتزم بها والمنجزة وكلفتها بملايين الدراهم، حسب "
                "العمالة أو الإقليم.",
            ),
            ("collectivites",),
            ("développement régional", "projets", "التنمية الجهوية"),
            CASABLANCA_SETTAT_PROVINCES,
            count("projets_engages", 210, growth=0.08),
            count("projets_acheves", 120, growth=0.1),
            count("cout_mdh", 6_500, "millions de dirhams", growth=0.07),
        ),
        _province_series(
            "transport-scolaire-casablanca-settat",
            ("Transport scolaire en milieu rural", "النقل المدرسي بالعالم القروي"),
            (
                "Véhicules de transport scolaire mis en service et élèves transportés dans les "
                "communes rurales, par province.",
                "مركبات النقل المدرسي الموضوعة رهن الإشارة والتلاميذ المستفيدون بالجماعات "
                "القروية، حسب الإقليم.",
            ),
            ("collectivites", "education", "transport"),
            ("transport scolaire", "monde rural", "النقل المدرسي"),
            CASABLANCA_SETTAT_PROVINCES,
            count("vehicules", 380, growth=0.09),
            count("eleves_transportes", 29_000, growth=0.08),
        ),
        _province_series(
            "associations-casablanca-settat",
            ("Associations soutenues par la Région", "الجمعيات المدعمة من طرف الجهة"),
            (
                "Associations ayant reçu une subvention de la Région et montants accordés en "
                "milliers de dirhams, par province.",
                "الجمعيات المستفيدة من منحة الجهة والمبالغ الممنوحة بآلاف الدراهم، حسب الإقليم.",
            ),
            ("collectivites", "culture"),
            ("associations", "subventions", "الجمعيات"),
            CASABLANCA_SETTAT_PROVINCES,
            count("associations", 640, growth=0.05),
            count("montant_kdh", 52_000, "milliers de dirhams", growth=0.06),
        ),
        _province_series(
            "zones-activites-casablanca-settat",
            ("Zones d'activités économiques", "مناطق الأنشطة الاقتصادية"),
            (
                "Zones d'activités économiques aménagées, superficie en hectares et lots "
                "attribués, par province.",
                "مناطق الأنشطة الاقتصادية المهيأة ومساحتها بالهكتار والبقع المخصصة، حسب الإقليم.",
            ),
            ("collectivites", "economie-finances"),
            ("zones industrielles", "investissement"),
            CASABLANCA_SETTAT_PROVINCES,
            count("zones", 48, growth=0.06),
            count("superficie_ha", 3_900, "hectares", growth=0.05),
            count("lots_attribues", 1_800, growth=0.07),
        ),
        _province_series(
            "routes-rurales-casablanca-settat",
            ("Routes rurales aménagées", "الطرق القروية المهيأة"),
            (
                "Kilomètres de routes et de pistes rurales construites ou aménagées avec le "
                "concours de la Région, par province.",
                "الكيلومترات من الطرق والمسالك القروية المشيدة أو المهيأة بمساهمة الجهة، حسب "
                "الإقليم.",
            ),
            ("collectivites", "transport"),
            ("routes", "monde rural"),
            CASABLANCA_SETTAT_PROVINCES,
            count("km_amenages", 520, "km", growth=0.04),
        ),
    ),
)

REGION_SOUSS_MASSA = Institution(
    slug="region-souss-massa",
    acronym="RSM",
    fr="Région Souss-Massa",
    ar="جهة سوس ماسة",
    kind="local_authority",
    enrolled_on=date(2021, 5, 24),
    licence="cc-by-sa",
    region="souss-massa",
    series=(
        _regional_budget("budget-region-souss-massa", (2022, 2023, 2024), 980_000, BUDGET_CHAPTERS),
        _province_series(
            "eau-potable-rurale-souss-massa",
            (
                "Alimentation en eau potable du monde rural",
                "تزويد العالم القروي بالماء الصالح للشرب",
            ),
            (
                "Douars raccordés au réseau d'eau potable et population desservie en milieu "
                "rural, par province.",
                "الدواوير المربوطة بشبكة الماء الصالح للشرب والسكان المستفيدون بالعالم القروي، "
                "حسب الإقليم.",
            ),
            ("collectivites", "environnement"),
            ("eau potable", "douars", "الماء الصالح للشرب"),
            SOUSS_MASSA_PROVINCES,
            count("douars_raccordes", 260, growth=0.07),
            count("population_desservie", 94_000, growth=0.06),
        ),
        _province_series(
            "tourisme-rural-souss-massa",
            ("Hébergements touristiques ruraux", "الإيواء السياحي القروي"),
            (
                "Gîtes, maisons d'hôtes et auberges rurales autorisés, et lits, par province.",
                "المآوي ودور الضيافة والنزل القروية المرخصة والأسرّة، حسب الإقليم.",
            ),
            ("collectivites", "tourisme"),
            ("tourisme rural", "gîtes"),
            SOUSS_MASSA_PROVINCES,
            count("hebergements", 330, growth=0.06),
            count("lits", 4_100, growth=0.06),
        ),
        _province_series(
            "cooperatives-souss-massa",
            ("Coopératives agricoles et d'argan", "التعاونيات الفلاحية وتعاونيات الأركان"),
            (
                "Coopératives agricoles et coopératives d'argan actives et leurs adhérentes et "
                "adhérents, par province.",
                "التعاونيات الفلاحية وتعاونيات الأركان النشيطة والمنخرطات والمنخرطون فيها، حسب "
                "الإقليم.",
            ),
            ("collectivites", "agriculture"),
            ("coopératives", "argan", "الأركان"),
            SOUSS_MASSA_PROVINCES,
            count("cooperatives", 1_450, growth=0.05),
            count("adherents", 38_000, growth=0.05),
        ),
        _province_series(
            "routes-rurales-souss-massa",
            ("Routes rurales aménagées", "الطرق القروية المهيأة"),
            (
                "Kilomètres de routes et de pistes rurales construites ou aménagées avec le "
                "concours de la Région, par province.",
                "الكيلومترات من الطرق والمسالك القروية المشيدة أو المهيأة بمساهمة الجهة، حسب "
                "الإقليم.",
            ),
            ("collectivites", "transport"),
            ("routes", "monde rural"),
            SOUSS_MASSA_PROVINCES,
            count("km_amenages", 340, "km", growth=0.05),
        ),
    ),
)


def _arrondissement_series(
    key: str,
    title: tuple[str, str],
    about: tuple[str, str],
    themes: tuple[str, ...],
    tags: tuple[str, ...],
    across: Across,
    *measures: Measure,
) -> Series:
    return series(
        key, title, about, themes, tags, "ANNUAL", Time.RECENT_YEARS, *measures, across=across
    )


def _monthly_communal(
    key: str,
    title: tuple[str, str],
    about: tuple[str, str],
    themes: tuple[str, ...],
    tags: tuple[str, ...],
    *measures: Measure,
) -> Series:
    return series(key, title, about, themes, tags, "MONTHLY", Time.MONTHS, *measures)


COMMUNE_RABAT = Institution(
    slug="commune-rabat",
    acronym="CR",
    fr="Commune de Rabat",
    ar="جماعة الرباط",
    kind="local_authority",
    enrolled_on=date(2022, 1, 17),
    licence="other-open",
    region="rabat-sale-kenitra",
    commune="Rabat",
    series=(
        _communal_budget("budget-commune-rabat", (2022, 2023, 2024), 1_250_000),
        _arrondissement_series(
            "equipements-proximite-rabat",
            ("Équipements de proximité par arrondissement", "مرافق القرب حسب المقاطعة"),
            (
                "Terrains de sport de proximité, maisons de jeunes, crèches et centres "
                "socio-culturels de chaque arrondissement.",
                "ملاعب القرب ودور الشباب ودور الحضانة والمراكز السوسيو-ثقافية بكل مقاطعة.",
            ),
            ("collectivites", "culture"),
            ("équipements", "proximité", "مرافق القرب"),
            RABAT_ARRONDISSEMENTS,
            count("terrains_de_sport", 95, growth=0.05),
            count("maisons_de_jeunes", 22, growth=0.02),
            count("centres_socio_culturels", 31, growth=0.03),
        ),
        _arrondissement_series(
            "espaces-verts-rabat",
            ("Espaces verts", "المساحات الخضراء"),
            (
                "Superficie des parcs, jardins et espaces verts entretenus par la Commune, en "
                "hectares, par arrondissement.",
                "مساحة الحدائق والمنتزهات والمساحات الخضراء التي تتعهدها الجماعة بالهكتار، حسب "
                "المقاطعة.",
            ),
            ("collectivites", "environnement"),
            ("espaces verts", "parcs", "الحدائق"),
            RABAT_ARRONDISSEMENTS,
            count("superficie_ha", 620, "hectares", growth=0.02),
            count("arbres_plantes", 14_000, growth=0.1),
        ),
        _arrondissement_series(
            "bibliotheques-rabat",
            ("Bibliothèques municipales", "الخزانات الجماعية"),
            (
                "Bibliothèques municipales, places assises, inscrits et entrées par "
                "arrondissement.",
                "الخزانات الجماعية والمقاعد والمسجلون والدخول حسب المقاطعة.",
            ),
            ("collectivites", "culture"),
            ("bibliothèques", "lecture"),
            RABAT_ARRONDISSEMENTS,
            count("bibliotheques", 14, growth=0.03),
            count("inscrits", 18_000, growth=0.05),
            count("entrees", 210_000, growth=0.06),
        ),
        _monthly_communal(
            "etat-civil-rabat",
            ("Actes d'état civil délivrés", "عقود الحالة المدنية المسلمة"),
            (
                "Actes de naissance, de décès et copies intégrales délivrés chaque mois par les "
                "bureaux d'état civil de la Commune.",
                "عقود الازدياد والوفاة والنسخ الكاملة المسلمة كل شهر من طرف مكاتب الحالة المدنية "
                "بالجماعة.",
            ),
            ("collectivites", "population"),
            ("état civil", "الحالة المدنية"),
            count("actes_naissance", 9_800, growth=0.0),
            count("actes_deces", 2_100, growth=0.0),
            count("copies_integrales", 36_000, growth=0.04),
        ),
        _monthly_communal(
            "stationnement-rabat",
            ("Stationnement payant", "الوقوف المؤدى عنه"),
            (
                "Tickets de stationnement vendus chaque mois, abonnements et recettes du "
                "stationnement payant sur voirie, en milliers de dirhams.",
                "تذاكر الوقوف المبيعة كل شهر والاشتراكات ومداخيل الوقوف المؤدى عنه بالطريق "
                "العمومية، بآلاف الدراهم.",
            ),
            ("collectivites", "transport"),
            ("stationnement", "mobilité"),
            count("tickets", 410_000, growth=0.05),
            count("abonnements", 3_200, growth=0.04),
            count("recettes_kdh", 2_900, "milliers de dirhams", growth=0.06),
        ),
    ),
)

COMMUNE_MARRAKECH = Institution(
    slug="commune-marrakech",
    acronym="CM",
    fr="Commune de Marrakech",
    ar="جماعة مراكش",
    kind="local_authority",
    enrolled_on=date(2023, 4, 3),
    licence="cc-by",
    region="marrakech-safi",
    commune="Marrakech",
    series=(
        _communal_budget("budget-commune-marrakech", (2023, 2024), 1_050_000),
        _arrondissement_series(
            "souks-marrakech",
            ("Marchés et souks communaux", "الأسواق الجماعية"),
            (
                "Marchés municipaux, souks hebdomadaires et emplacements loués par la Commune, "
                "par arrondissement.",
                "الأسواق البلدية والأسواق الأسبوعية والمحلات المكتراة من طرف الجماعة، حسب "
                "المقاطعة.",
            ),
            ("collectivites", "economie-finances"),
            ("marchés", "souks", "الأسواق"),
            MARRAKECH_ARRONDISSEMENTS,
            count("marches", 38, growth=0.02),
            count("emplacements_loues", 5_400, growth=0.03),
        ),
        _arrondissement_series(
            "eclairage-public-marrakech",
            ("Éclairage public", "الإنارة العمومية"),
            (
                "Points lumineux, part de lampes LED et consommation de l'éclairage public en "
                "mégawattheures, par arrondissement.",
                "نقط الإنارة ونسبة مصابيح LED واستهلاك الإنارة العمومية بالميغاواط ساعة، حسب "
                "المقاطعة.",
            ),
            ("collectivites", "energie"),
            ("éclairage public", "led", "الإنارة"),
            MARRAKECH_ARRONDISSEMENTS,
            count("points_lumineux", 62_000, growth=0.03),
            rate("part_led", 48.0),
            count("consommation_mwh", 41_000, "MWh", growth=-0.05),
        ),
        _arrondissement_series(
            "monuments-marrakech",
            ("Fontaines et monuments restaurés", "السقايات والمآثر المرممة"),
            (
                "Fontaines historiques, portes et monuments de la médina restaurés avec le "
                "concours de la Commune, par arrondissement.",
                "السقايات التاريخية والأبواب والمآثر بالمدينة العتيقة المرممة بمساهمة الجماعة، "
                "حسب المقاطعة.",
            ),
            ("collectivites", "culture", "tourisme"),
            ("patrimoine", "médina", "التراث"),
            MARRAKECH_ARRONDISSEMENTS,
            count("fontaines", 30, growth=0.1),
            count("monuments", 18, growth=0.08),
        ),
        _monthly_communal(
            "dechets-marrakech",
            ("Collecte des déchets ménagers", "جمع النفايات المنزلية"),
            (
                "Tonnage mensuel des déchets ménagers collectés et mis en décharge contrôlée, et "
                "part valorisée.",
                "الحمولة الشهرية للنفايات المنزلية المجمعة والموضوعة بالمطرح المراقب، والنسبة "
                "المثمنة.",
            ),
            ("collectivites", "environnement"),
            ("déchets", "propreté", "النفايات"),
            count("dechets_collectes_t", 29_000, "tonnes", growth=0.03),
            rate("part_valorisee", 9.0),
        ),
        _monthly_communal(
            "autorisations-construire-marrakech",
            ("Autorisations de construire délivrées", "رخص البناء المسلمة"),
            (
                "Autorisations de construire, de lotir et de morceler délivrées chaque mois par "
                "le guichet unique de l'urbanisme.",
                "رخص البناء والتجزيء والتقسيم المسلمة كل شهر من طرف الشباك الوحيد للتعمير.",
            ),
            ("collectivites", "habitat"),
            ("urbanisme", "permis de construire", "التعمير"),
            count("autorisations_construire", 540, growth=0.04),
            count("autorisations_lotir", 18, growth=0.02),
        ),
    ),
)

# In the order they are loaded; the first ones make the smaller scales (a steering committee
# member with regional series, the ministry with the live air-quality feed, a local authority).
INSTITUTIONS: tuple[Institution, ...] = (
    HCP,
    MTEDD,
    REGION_CASABLANCA_SETTAT,
    MEF,
    MJCC,
    MTNRA,
    INPPLC,
    ANRT,
    ADD,
    MSPS,
    MENPS,
    MAPMDREF,
    MTL,
    MTAESS,
    MJ,
    ONEE,
    ANAPEC,
    REGION_SOUSS_MASSA,
    COMMUNE_RABAT,
    COMMUNE_MARRAKECH,
)


# --- developers and their reuses ----------------------------------------------------------------


@dataclass(frozen=True)
class Developer:
    name: str
    email: str
    organization: str | None = None


DEVELOPERS: tuple[Developer, ...] = (
    Developer("Salma Benjelloun", "salma.benjelloun@example.org", "Atlas Data"),
    Developer("Youssef El Amrani", "youssef.elamrani@example.org"),
    Developer(
        "Khadija Ouazzani", "khadija.ouazzani@example.org", "Laboratoire d'économie appliquée"
    ),
    Developer("Mehdi Tazi", "mehdi.tazi@example.org", "Rédaction Données & Territoires"),
    Developer("Amina Raji", "amina.raji@example.org", "Association Ville Verte"),
    Developer("Omar Bennani", "omar.bennani@example.org", "Civic Tech Maroc"),
    Developer("Nadia Chraibi", "nadia.chraibi@example.org", "Agence Pixel Sud"),
    Developer("Hamza Alaoui", "hamza.alaoui@example.org"),
)


@dataclass(frozen=True)
class Reuse:
    key: str  # the reuse's URL: https://<key>.example.org/
    fr: str
    ar: str
    about_fr: str
    about_ar: str
    type: str  # the reuse service's types
    topic: str  # the reuse service's topics
    themes: tuple[str, ...]  # it cites published datasets of these catalog themes
    tags: tuple[str, ...] = field(default=())
    cites: int = 2  # how many datasets it cites


REUSES: tuple[Reuse, ...] = (
    Reuse(
        key="carte-sante",
        fr="Carte des centres de santé",
        ar="خريطة المراكز الصحية",
        about_fr=(
            "Une carte des centres de santé et des hôpitaux, région par région, avec leurs "
            "médecins et leurs lits."
        ),
        about_ar="خريطة للمراكز الصحية والمستشفيات، جهة بجهة، مع أطبائها وأسرّتها.",
        type="application",
        topic="health",
        themes=("sante",),
        tags=("santé", "carte"),
        cites=3,
    ),
    Reuse(
        key="budget-citoyen",
        fr="Budget citoyen",
        ar="الميزانية المواطنة",
        about_fr="Le budget de l'État et des collectivités expliqué en graphiques simples.",
        about_ar="ميزانية الدولة والجماعات الترابية مشروحة برسوم بيانية مبسطة.",
        type="visualization",
        topic="economy",
        themes=("economie-finances",),
        tags=("budget",),
        cites=3,
    ),
    Reuse(
        key="api-indicateurs-regionaux",
        fr="API des indicateurs régionaux",
        ar="واجهة برمجية للمؤشرات الجهوية",
        about_fr=(
            "Les indicateurs socio-démographiques des régions servis en JSON, avec un historique."
        ),
        about_ar="المؤشرات السوسيو-ديموغرافية للجهات بصيغة JSON، مع تاريخها.",
        type="api",
        topic="territories",
        themes=("population",),
        tags=("api", "régions"),
        cites=3,
    ),
    Reuse(
        key="air-casablanca",
        fr="Respire Casablanca",
        ar="تنفّس الدار البيضاء",
        about_fr=(
            "Une application qui prévient quand la qualité de l'air se dégrade dans son quartier."
        ),
        about_ar="تطبيق ينبه عند تدهور جودة الهواء في الحي.",
        type="application",
        topic="environment",
        themes=("environnement",),
        tags=("air", "alerte"),
        cites=2,
    ),
    Reuse(
        key="chomage-jeunes",
        fr="Le chômage des jeunes, région par région",
        ar="بطالة الشباب جهة بجهة",
        about_fr="Une analyse du chômage et de l'insertion des jeunes diplômés depuis 2015.",
        about_ar="تحليل لبطالة وإدماج الشباب حاملي الشهادات منذ 2015.",
        type="article",
        topic="employment",
        themes=("emploi",),
        tags=("emploi", "jeunes"),
        cites=2,
    ),
    Reuse(
        key="couverture-mobile",
        fr="Étude de la couverture mobile",
        ar="دراسة التغطية بالهاتف المحمول",
        about_fr=(
            "Une étude de la couverture 4G et de l'usage de l'Internet mobile selon les "
            "territoires."
        ),
        about_ar="دراسة لتغطية الجيل الرابع واستعمال الإنترنت المحمول حسب المجالات الترابية.",
        type="paper",
        topic="digital",
        themes=("numerique",),
        tags=("4g", "étude"),
        cites=3,
    ),
    Reuse(
        key="suivi-des-prix",
        fr="Suivi des prix",
        ar="تتبع الأسعار",
        about_fr="L'inflation mois par mois, poste par poste, comparée aux revenus.",
        about_ar="التضخم شهرا بشهر وبابا بباب، مقارنة بالمداخيل.",
        type="visualization",
        topic="economy",
        themes=("economie-finances", "population"),
        tags=("prix",),
        cites=2,
    ),
    Reuse(
        key="marches-publics-ouverts",
        fr="Marchés publics ouverts",
        ar="الصفقات العمومية المفتوحة",
        about_fr=(
            "Un moteur de recherche des marchés publics attribués par l'État et les collectivités."
        ),
        about_ar="محرك بحث في الصفقات العمومية المبرمة من طرف الدولة والجماعات الترابية.",
        type="application",
        topic="economy",
        themes=("economie-finances", "collectivites"),
        tags=("marchés publics",),
        cites=2,
    ),
    Reuse(
        key="carte-scolaire",
        fr="Carte scolaire interactive",
        ar="الخريطة المدرسية التفاعلية",
        about_fr=(
            "Écoles, collèges et lycées sur une carte, avec leurs effectifs et leurs résultats au "
            "baccalauréat."
        ),
        about_ar=(
            "المدارس والإعداديات والثانويات على خريطة، مع أعداد تلاميذها ونتائجها في البكالوريا."
        ),
        type="visualization",
        topic="education",
        themes=("education",),
        tags=("écoles", "carte"),
        cites=3,
    ),
    Reuse(
        key="barometre-tourisme",
        fr="Baromètre du tourisme",
        ar="بارومتر السياحة",
        about_fr="Arrivées, nuitées et recettes touristiques comparées d'une saison à l'autre.",
        about_ar="الوافدون وليالي المبيت والمداخيل السياحية مقارنة من موسم لآخر.",
        type="visualization",
        topic="tourism",
        themes=("tourisme",),
        tags=("tourisme",),
        cites=3,
    ),
    Reuse(
        key="eau-et-electricite",
        fr="L'eau et l'électricité en chiffres",
        ar="الماء والكهرباء بالأرقام",
        about_fr=(
            "Un article de données sur la consommation d'eau et d'électricité et le dessalement."
        ),
        about_ar="مقال بيانات حول استهلاك الماء والكهرباء وتحلية مياه البحر.",
        type="news",
        topic="energy",
        themes=("energie",),
        tags=("eau", "électricité"),
        cites=2,
    ),
    Reuse(
        key="prevision-demande-electrique",
        fr="Prévoir la demande électrique",
        ar="توقع الطلب على الكهرباء",
        about_fr=(
            "Un modèle de prévision de la demande d'électricité à partir de l'appel de puissance "
            "et de la météo."
        ),
        about_ar="نموذج لتوقع الطلب على الكهرباء انطلاقا من القدرة المطلوبة والأحوال الجوية.",
        type="paper",
        topic="energy",
        themes=("energie",),
        tags=("prévision", "modèle"),
        cites=2,
    ),
    Reuse(
        key="calendrier-agricole",
        fr="Calendrier agricole",
        ar="اليومية الفلاحية",
        about_fr=(
            "Pluies, récoltes et marchés au fil de la campagne agricole, pour les coopératives."
        ),
        about_ar="التساقطات والمحاصيل والأسواق على امتداد الموسم الفلاحي، لفائدة التعاونيات.",
        type="application",
        topic="agriculture",
        themes=("agriculture",),
        tags=("agriculture",),
        cites=2,
    ),
    Reuse(
        key="justice-en-chiffres",
        fr="La justice en chiffres",
        ar="العدالة بالأرقام",
        about_fr=(
            "L'activité des tribunaux, l'aide juridictionnelle et les délais, en tableaux de bord."
        ),
        about_ar="نشاط المحاكم والمساعدة القضائية والآجال، في لوحات قيادة.",
        type="visualization",
        topic="justice",
        themes=("justice",),
        tags=("justice",),
        cites=3,
    ),
    Reuse(
        key="alertes-emploi",
        fr="Alertes emploi",
        ar="تنبيهات الشغل",
        about_fr="Une idée de service : être prévenu des offres d'emploi publiées dans sa région.",
        about_ar="فكرة خدمة: التوصل بتنبيه عند نشر عروض الشغل في جهتك.",
        type="idea",
        topic="employment",
        themes=("emploi",),
        tags=("emploi", "alertes"),
        cites=1,
    ),
    Reuse(
        key="bibliotheque-python",
        fr="Bibliothèque Python des données ouvertes",
        ar="مكتبة بايثون للبيانات المفتوحة",
        about_fr=(
            "Une bibliothèque pour lire les jeux de données du portail et leurs ressources en une "
            "ligne."
        ),
        about_ar="مكتبة لقراءة مجموعات بيانات البوابة ومواردها بسطر واحد.",
        type="api",
        topic="open_data_tools",
        themes=("population", "economie-finances", "numerique"),
        tags=("python", "outil"),
        cites=3,
    ),
    Reuse(
        key="capteur-bruit",
        fr="Capteurs citoyens de l'air",
        ar="مستشعرات المواطنين للهواء",
        about_fr=(
            "Des capteurs de particules fines installés par des habitants, comparés aux stations "
            "officielles."
        ),
        about_ar="مستشعرات للجسيمات الدقيقة يركبها السكان، مقارنة بالمحطات الرسمية.",
        type="connected_device",
        topic="environment",
        themes=("environnement",),
        tags=("capteurs", "air"),
        cites=1,
    ),
    Reuse(
        key="atlas-demographique",
        fr="Atlas démographique",
        ar="الأطلس الديموغرافي",
        about_fr="Les recensements et les projections de population sur des cartes animées.",
        about_ar="الإحصاءات وإسقاطات السكان على خرائط متحركة.",
        type="visualization",
        topic="society",
        themes=("population",),
        tags=("population", "atlas"),
        cites=3,
    ),
    Reuse(
        key="projets-de-ma-region",
        fr="Les projets de ma région",
        ar="مشاريع جهتي",
        about_fr=(
            "Les projets de développement régional et communal sur une carte, avec leur avancement."
        ),
        about_ar="مشاريع التنمية الجهوية والجماعية على خريطة، مع نسبة تقدمها.",
        type="application",
        topic="territories",
        themes=("collectivites",),
        tags=("projets", "territoires"),
        cites=3,
    ),
    Reuse(
        key="securite-routiere",
        fr="Analyse des accidents de la route",
        ar="تحليل حوادث السير",
        about_fr=(
            "Où et quand les accidents corporels surviennent, et ce qui a changé depuis dix ans."
        ),
        about_ar="أين ومتى تقع حوادث السير الجسمانية، وما الذي تغير منذ عشر سنوات.",
        type="article",
        topic="transport",
        themes=("transport",),
        tags=("sécurité routière",),
        cites=2,
    ),
    Reuse(
        key="agenda-culturel",
        fr="Agenda culturel",
        ar="الأجندة الثقافية",
        about_fr="Bibliothèques, centres culturels et manifestations soutenues, près de chez soi.",
        about_ar="المكتبات والمراكز الثقافية والتظاهرات المدعمة، بالقرب منك.",
        type="application",
        topic="culture",
        themes=("culture",),
        tags=("culture",),
        cites=2,
    ),
    Reuse(
        key="indice-integrite",
        fr="Indice d'intégrité des achats publics",
        ar="مؤشر نزاهة المشتريات العمومية",
        about_fr="Un indice qui croise marchés publics, plaintes et avis pour repérer les risques.",
        about_ar="مؤشر يقاطع الصفقات العمومية والشكايات والآراء لرصد المخاطر.",
        type="paper",
        topic="justice",
        themes=("justice", "economie-finances"),
        tags=("intégrité", "marchés publics"),
        cites=3,
    ),
    Reuse(
        key="administration-numerique",
        fr="Suivi de l'administration numérique",
        ar="تتبع الإدارة الرقمية",
        about_fr=(
            "Les démarches en ligne, les réclamations et l'accès à l'information, suivis dans le "
            "temps."
        ),
        about_ar="المساطر الإلكترونية والشكايات والحصول على المعلومات، متتبعة عبر الزمن.",
        type="visualization",
        topic="digital",
        themes=("numerique",),
        tags=("e-gov",),
        cites=3,
    ),
    Reuse(
        key="peche-et-ports",
        fr="Pêche et ports",
        ar="الصيد والموانئ",
        about_fr=(
            "Les débarquements et le trafic des ports, semaine après semaine, pour les "
            "professionnels."
        ),
        about_ar="المفرغات وحركة الموانئ، أسبوعا بعد أسبوع، لفائدة المهنيين.",
        type="application",
        topic="agriculture",
        themes=("agriculture", "transport"),
        tags=("pêche", "ports"),
        cites=2,
    ),
    Reuse(
        key="ville-verte",
        fr="Rabat, ville verte",
        ar="الرباط مدينة خضراء",
        about_fr=(
            "Espaces verts, arbres plantés et équipements de proximité de Rabat, quartier par "
            "quartier."
        ),
        about_ar="المساحات الخضراء والأشجار المغروسة ومرافق القرب بالرباط، حيا بحي.",
        type="visualization",
        topic="environment",
        themes=("environnement", "collectivites"),
        tags=("espaces verts", "rabat"),
        cites=2,
    ),
)
