"""Search queries and the dataset titles they must (and must not) find.

The titles are written like those of Arabic and French government open-data portals (budget,
population, schools, health, tourism, water, roads, elections, public procurement, employment,
agriculture, energy, justice, culture). Each title comes with the ways people type a query for
it: with or without the article and the attached prefixes, singular or plural, feminine or
masculine, with hamza, ta marbuta, alef maqsura, diacritics or tatweel, or without; in French,
with elision, plurals, with or without accents.

``PRECISION`` holds, for each affix rule, a common word and a title it must not find: a word
that merely begins with a prefix letter or ends like a suffix, where removing too much would
make it another word of the title.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Findable:
    title: str
    queries: tuple[str, ...]


@dataclass(frozen=True)
class NotFound:
    query: str
    title: str
    rule: str  # the affix rule this case guards
    why: str


RECALL: tuple[Findable, ...] = (
    # --- Arabic ---------------------------------------------------------------------------
    Findable(
        "الإحصاءات السنوية للسياحة",
        (
            "إحصاءات",
            "احصاءات",
            "الاحصاءات",
            "السياحة",
            "سياحة",
            "سياحه",
            "للسياحة",
            "إحصاءات سياحية",
            "الإحْصَاءات السَّنَوِيَّة",
            "سنوي",
        ),
    ),
    Findable(
        "السكان حسب الجماعة",
        ("سكان", "السكان", "الســكان", "السُّكّان", "جماعة", "الجماعات", "جماعه", "سكان الجماعات"),
    ),
    Findable("إنتاج الطاقة", ("الإنتاج", "انتاج", "الطاقة", "طاقة", "الطاقات", "إنتاج الطاقات")),
    Findable(
        "إنتاج الطاقة الكهربائية حسب المصدر",
        ("الكهرباء", "كهرباء", "الكهربائي", "كهربائية", "المصدر", "مصدر"),
    ),
    Findable(
        "الميزانية العامة للدولة",
        ("ميزانية", "الميزانيات", "ميزانيه", "ميزانيات الدولة", "دولة", "والدولة", "العام"),
    ),
    Findable(
        "عدد التلاميذ في المدارس الابتدائية",
        (
            "التلاميذ",
            "تلاميذ",
            "المدارس",
            "مدارس",
            "ابتدائي",
            "الابتدائي",
            "ابتدائيه",
            "المدارس الإبتدائية",
        ),
    ),
    Findable(
        "المؤسسات الصحية العمومية",
        ("مؤسسات", "المؤسسة", "مؤسسة", "موسسة", "صحية", "الصحي", "صحي", "العمومي", "عمومية"),
    ),
    Findable("الموارد المائية والسدود", ("الموارد", "موارد", "مائية", "سدود", "السدود", "والسدود")),
    Findable("شبكة الطرق المصنفة", ("الطرق", "طرق", "طرقات", "الطرقات", "شبكات", "الشبكة")),
    Findable(
        "نتائج الانتخابات التشريعية حسب الدائرة",
        (
            "الانتخابات",
            "انتخابات",
            "الانتخاب",
            "إنتخابات",
            "التشريعية",
            "تشريعي",
            "دائرة",
            "دائره",
            "النتائج",
        ),
    ),
    Findable(
        "الصفقات العمومية",
        ("صفقات", "الصفقة", "صفقة", "صفقات عمومية", "الصفقات العمومية", "والصفقات"),
    ),
    Findable(
        "معدل البطالة حسب الولاية",
        ("البطالة", "بطالة", "بطاله", "ولاية", "الولايات", "ولايات", "معدلات", "المعدل"),
    ),
    Findable(
        "الإنتاج الفلاحي حسب الجهة",
        ("فلاحي", "الفلاحة", "فلاحة", "الانتاج الفلاحي", "إنتاج فلاحي"),
    ),
    Findable(
        "المحاكم وعدد القضايا المسجلة",
        ("المحاكم", "محاكم", "القضايا", "قضايا", "عدد", "مسجلة", "المسجل"),
    ),
    Findable(
        "التظاهرات الثقافية والمهرجانات",
        ("ثقافة", "الثقافة", "ثقافي", "المهرجانات", "مهرجان", "المهرجان", "التظاهرة", "تظاهرات"),
    ),
    Findable(
        "عدد المستشفيات والأسرة",
        ("مستشفى", "المستشفى", "مستشفي", "المستشفيات", "مستشفيات"),
    ),
    Findable("حوادث المرور", ("حوادث", "الحوادث", "مرور", "المرور", "حوادث مرور")),
    Findable(
        "عدد السياح الوافدين حسب الجنسية",
        ("الوافدين", "وافد", "الوافد", "الجنسيات", "جنسية", "السياح", "سياح"),
    ),
    Findable(
        "استهلاك الماء الصالح للشرب",
        ("الماء", "ماء", "استهلاك", "الاستهلاك", "الشرب", "شرب", "الصالح"),
    ),
    Findable(
        "التشغيل والتكوين المهني",
        ("تكوين", "التكوين", "مهني", "المهنية", "مهنية", "تشغيل", "التشغيل"),
    ),
    Findable(
        "أسعار المواد الاستهلاكية",
        ("الأسعار", "أسعار", "اسعار", "استهلاكية", "المواد", "مواد استهلاكية"),
    ),
    Findable(
        "مؤشرات التنمية الجهوية",
        ("مؤشر", "المؤشرات", "موشرات", "تنمية", "التنمية", "جهوي", "الجهوية"),
    ),
    Findable(
        "الطلبة المسجلون في الجامعات",
        ("طلبة", "الطلبة", "جامعة", "الجامعة", "جامعات", "المسجلين", "مسجلون"),
    ),
    Findable(
        "الناخبون المسجلون حسب البلدية",
        ("ناخبين", "الناخبين", "الناخب", "بلديات", "البلديات", "بلدية"),
    ),
    Findable("المساحات المزروعة بالحبوب", ("الحبوب", "حبوب", "مساحة", "المساحات", "مزروعة")),
    Findable("المكتبات العمومية", ("المكتبات", "مكتبة", "المكتبة", "مكتبات عمومية")),
    Findable(
        "المتاحف والمواقع الأثرية",
        ("المتاحف", "متاحف", "المواقع", "مواقع", "أثري", "الأثري", "اثرية", "آثرية"),
    ),
    Findable("وزارة الصحة", ("الوزارة", "وزارة", "والوزارة", "وزارات", "الصحة", "صحة")),
    Findable("الوفيات حسب السبب", ("وفيات", "الوفيات", "السبب", "سبب")),
    Findable(
        "مستوى الأمن الغذائي", ("مستوى", "المستوى", "مستوي", "أمن", "الأمن", "غذائي", "الغذائية")
    ),
    Findable(
        "الإحصائيات الشهرية للتجارة الخارجية",
        ("شهري", "الشهرية", "التجارة", "تجارة", "خارجية", "الخارجي"),
    ),
    # --- French ---------------------------------------------------------------------------
    Findable("Qualité de l'eau potable", ("l'eau", "L’eau", "eau", "eaux", "potables", "qualite")),
    Findable(
        "Effectifs des écoles primaires",
        ("écoles", "école", "ecoles", "ecole", "l'école", "primaire", "effectif"),
    ),
    Findable(
        "Hôpitaux et établissements de santé",
        ("hôpital", "hopital", "hôpitaux", "l'hôpital", "établissement", "etablissements", "sante"),
    ),
    Findable(
        "Budget primitif de la commune", ("budgets", "budget", "communes", "budgets primitifs")
    ),
    Findable(
        "Recensement de la population par région",
        ("recensements", "régions", "regions", "populations", "recensement"),
    ),
    Findable(
        "Résultats des élections municipales",
        ("élection", "elections", "résultat", "municipale", "municipal", "municipaux"),
    ),
    Findable("Marchés publics attribués", ("marché public", "marches", "attribue", "attribuées")),
    Findable(
        "Demandeurs d'emploi par département",
        ("emploi", "emplois", "d'emploi", "demandeur", "départements", "departement"),
    ),
    Findable(
        "Production agricole par filière", ("productions", "agricoles", "filières", "filiere")
    ),
    Findable(
        "Consommation d'énergie électrique",
        ("énergie", "energies", "d'énergie", "électriques", "consommations"),
    ),
    Findable("Fréquentation des musées nationaux", ("musée", "musees", "national", "nationale")),
    Findable("Arrivées de touristes dans les hôtels", ("arrivée", "touriste", "hôtel", "hotels")),
    Findable("Accidents de la route", ("accident", "routes", "route", "accidents")),
    Findable(
        "Décisions de justice rendues par les tribunaux",
        ("décision", "tribunal", "tribunaux", "justice", "decisions"),
    ),
    Findable(
        "Données ouvertes des collectivités", ("donnée", "donnees", "collectivité", "ouverte")
    ),
    Findable("Lois et décrets publiés", ("loi", "décret", "publié", "publiée", "publies")),
    Findable("Jeux olympiques : lieux des épreuves", ("jeu", "lieu", "épreuve", "olympique")),
    Findable("Réseau routier national", ("réseaux", "routiers", "nationaux", "reseau")),
    Findable("Prix des carburants à la pompe", ("carburant", "prix", "pompes")),
    Findable("Taux de chômage des jeunes", ("chômage", "chomage", "jeune", "taux")),
    Findable("Aides à l'agriculture", ("agriculture", "l'agriculture", "aide", "l’agriculture")),
    Findable(
        "Équipements culturels et bibliothèques",
        ("équipement", "culturel", "culturelle", "bibliothèque", "equipements"),
    ),
    Findable(
        "Dépenses de l'État par ministère", ("dépense", "depenses", "état", "l'etat", "ministères")
    ),
    Findable(
        "Inscrits sur les listes électorales",
        ("inscrit", "inscrites", "liste", "électorale", "électoral", "electoraux"),
    ),
)


PRECISION: tuple[NotFound, ...] = (
    NotFound(
        "ألم", "الميزانية العامة لسنة 2023 م", "ال", "ألم (pain) is not ال + م (the year sign)"
    ),
    NotFound(
        "الورد", "آجال الرد على الشكايات", "و", "ورد (roses) keeps its و: only two letters remain"
    ),
    NotFound("البحر", "موجات الحر", "ب", "بحر (sea) is not ب + حر (heat)"),
    NotFound("كمال", "ميزانية وزارة المالية", "ك", "كمال is not ك + مال (finance)"),
    NotFound("لبن", "واردات البن والشاي", "ل", "لبن (dairy) is not ل + بن (coffee)"),
    NotFound("فرد", "آجال الرد على طلبات المعلومات", "ف", "فرد (individual) is not ف + رد (reply)"),
    NotFound("إنهاء", "المؤشرات المتوفرة إلى الآن", "ها", "إنهاء (ending) is not ان + ها"),
    NotFound("البنات", "واردات البن والشاي", "ات", "بنات (girls) is not بن (coffee) + ات"),
    NotFound("سكان", "السكة الحديدية", "ان", "سكان (population) and سكة (railway) are not سك"),
    NotFound("المكونات", "سكان مكة المكرمة", "ون", "مكونات (components) is not مكة (Mecca)"),
    NotFound("البنين", "واردات البن والشاي", "ين", "بنين (boys) is not بن (coffee) + ين"),
    NotFound("الحرية", "موجات الحر", "يه", "حرية (freedom) is not حر (heat) + ية"),
    NotFound("سكة", "السكان حسب الجماعة", "ه", "سكة (railway) is not سك + ة"),
    NotFound("الجوي", "توقعات حالة الجو", "ي", "جوي (air transport) is not جو (weather) + ي"),
    NotFound("l'Est", "Liste des établissements", "elision", "only l' goes: est stays a word"),
    NotFound("process", "Procès-verbaux des conseils", "plural s", "a double s is not a plural"),
    NotFound("communal", "Population par commune", "snowball", "communal is not commune"),
    NotFound("nombreux", "Nombre de naissances", "plural x", "a long -eux word keeps its x"),
)
