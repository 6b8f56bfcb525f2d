"""The catalog's reference lists: licences (CKAN ids), the portal's themes and the regions.

The ``license`` and ``theme`` tables were seeded with the licences and themes of this module as
they were then (migration 0002 writes them out); the rows are what datasets refer to. The code
reads the regions (spatial coverage), the licences' documents (DCAT-AP) and where each theme
falls among the EU data themes from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class License:
    id: str
    title: str
    url: str
    is_open: bool


LICENSES: dict[str, License] = {
    lic.id: lic
    for lic in [
        License(
            "odc-odbl",
            "Open Data Commons Open Database License (ODbL)",
            "https://opendatacommons.org/licenses/odbl/1-0/",
            True,
        ),
        License(
            "cc-by",
            "Creative Commons Attribution 4.0",
            "https://creativecommons.org/licenses/by/4.0/",
            True,
        ),
        License(
            "cc-by-sa",
            "Creative Commons Attribution Share-Alike 4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
            True,
        ),
        License(
            "cc-zero",
            "Creative Commons CCZero",
            "https://creativecommons.org/publicdomain/zero/1.0/",
            True,
        ),
        License(
            "odc-by",
            "Open Data Commons Attribution License",
            "https://opendatacommons.org/licenses/by/1-0/",
            True,
        ),
        License(
            "other-open",
            "Other (open) — the national open licence",
            "https://data.gov.ma/licence",
            True,
        ),
        License(
            "other-closed", "Other (not open)", "https://data.gov.ma/licence/other-closed", False
        ),
    ]
}


@dataclass(frozen=True)
class Theme:
    name: str
    fr: str
    ar: str
    eu_theme: str  # where it falls among the EU data themes (DCAT-AP), e.g. ECON


THEMES: dict[str, Theme] = {
    t.name: t
    for t in [
        Theme("economie-finances", "Économie et finances", "الاقتصاد والمالية", "ECON"),
        Theme("sante", "Santé", "الصحة", "HEAL"),
        Theme("education", "Éducation et formation", "التعليم والتكوين", "EDUC"),
        Theme("agriculture", "Agriculture et pêche", "الفلاحة والصيد البحري", "AGRI"),
        Theme("tourisme", "Tourisme", "السياحة", "ECON"),
        Theme("transport", "Transport et logistique", "النقل واللوجستيك", "TRAN"),
        Theme("energie", "Énergie et mines", "الطاقة والمعادن", "ENER"),
        Theme("environnement", "Environnement", "البيئة", "ENVI"),
        Theme("habitat", "Habitat et urbanisme", "السكنى والتعمير", "REGI"),
        Theme("emploi", "Emploi", "التشغيل", "SOCI"),
        Theme("justice", "Justice", "العدل", "JUST"),
        Theme("culture", "Culture et sport", "الثقافة والرياضة", "EDUC"),
        Theme("collectivites", "Collectivités territoriales", "الجماعات الترابية", "REGI"),
        Theme("population", "Population et société", "السكان والمجتمع", "SOCI"),
        Theme("numerique", "Télécommunications et numérique", "الاتصالات والرقمنة", "TECH"),
    ]
}


@dataclass(frozen=True)
class Region:
    code: str
    fr: str
    ar: str


REGIONS: dict[str, Region] = {
    r.code: r
    for r in [
        Region("tanger-tetouan-al-hoceima", "Tanger-Tétouan-Al Hoceïma", "طنجة تطوان الحسيمة"),
        Region("oriental", "L'Oriental", "الشرق"),
        Region("fes-meknes", "Fès-Meknès", "فاس مكناس"),
        Region("rabat-sale-kenitra", "Rabat-Salé-Kénitra", "الرباط سلا القنيطرة"),
        Region("beni-mellal-khenifra", "Béni Mellal-Khénifra", "بني ملال خنيفرة"),
        Region("casablanca-settat", "Casablanca-Settat", "الدار البيضاء سطات"),
        Region("marrakech-safi", "Marrakech-Safi", "مراكش آسفي"),
        Region("draa-tafilalet", "Drâa-Tafilalet", "درعة تافيلالت"),
        Region("souss-massa", "Souss-Massa", "سوس ماسة"),
        Region("guelmim-oued-noun", "Guelmim-Oued Noun", "كلميم واد نون"),
        Region("laayoune-sakia-el-hamra", "Laâyoune-Sakia El Hamra", "العيون الساقية الحمراء"),
        Region("dakhla-oued-ed-dahab", "Dakhla-Oued Ed-Dahab", "الداخلة وادي الذهب"),
    ]
}
