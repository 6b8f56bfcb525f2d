"""The pages' two languages: their words, and how numbers, dates and moments are written.

Arabic is the default, right to left; French is left to right. Digits are a reader's choice:
Arabic-Indic (٠١٢…, the default in Arabic) or Latin (the default in French). Every figure is
written here from the value the read models give, so that the page and the JSON API agree
digit for digit: nothing is computed, only written out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.metrics.domain.reports import Text


class Lang(StrEnum):
    AR = "ar"
    FR = "fr"


class Digits(StrEnum):
    ARAB = "arab"  # Arabic-Indic: ٠١٢٣٤٥٦٧٨٩
    LATN = "latn"


DEFAULT_LANG = Lang.AR
DEFAULT_DIGITS = {Lang.AR: Digits.ARAB, Lang.FR: Digits.LATN}

_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@dataclass(frozen=True)
class Separators:
    decimal: str
    group: str
    percent: str  # written after the number, spacing included
    minus: str


# Arabic-Indic digits take the Arabic separators, whatever the page's language; Latin digits
# follow the language: Moroccan Arabic (CLDR ar-MA) and French.
SEPARATORS = {
    (Lang.AR, Digits.ARAB): Separators("\u066b", "\u066c", "\u066a", "\u061c-"),
    (Lang.FR, Digits.ARAB): Separators("\u066b", "\u066c", "\u066a", "\u061c-"),
    (Lang.AR, Digits.LATN): Separators(",", ".", "\u200e%", "\u200e-"),
    (Lang.FR, Digits.LATN): Separators(",", "\u202f", "\u202f%", "-"),
}

MONTHS = {
    # The month names used in Morocco.
    Lang.AR: (
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "ماي",
        "يونيو",
        "يوليوز",
        "غشت",
        "شتنبر",
        "أكتوبر",
        "نونبر",
        "دجنبر",
    ),
    Lang.FR: (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
}

# Every word the pages write, in both languages (keys are stable: templates and tests use them).
WORDS: dict[str, dict[Lang, str]] = {
    # French sets a space before the colon.
    "colon": {Lang.AR: ": ", Lang.FR: "\u00a0: "},
    "site": {Lang.AR: "بوابة البيانات المفتوحة", Lang.FR: "Portail des données ouvertes"},
    "title": {
        Lang.AR: "مؤشرات البيانات المفتوحة",
        Lang.FR: "Indicateurs des données ouvertes",
    },
    "intro": {
        Lang.AR: "أين وصل الالتزام بنشر البيانات المفتوحة وإعادة استعمالها: المؤشرات مقارنة "
        "بقيمها المرجعية وأهدافها، وأنشطة الالتزام، وملاحظات الافتحاص.",
        Lang.FR: "Où en est l'engagement pour la publication et la réutilisation des données "
        "ouvertes : les indicateurs face à leurs valeurs de référence et à leurs cibles, les "
        "activités de l'engagement et les constats de l'audit.",
    },
    "skip": {Lang.AR: "انتقل إلى المحتوى", Lang.FR: "Aller au contenu"},
    "language": {Lang.AR: "اللغة", Lang.FR: "Langue"},
    "digits": {Lang.AR: "الأرقام", Lang.FR: "Chiffres"},
    "digits_arab": {Lang.AR: "٠١٢٣ هندية", Lang.FR: "٠١٢٣ arabes orientaux"},
    "digits_latn": {Lang.AR: "0123 لاتينية", Lang.FR: "0123 latins"},
    "computed": {Lang.AR: "حسبت الأرقام في", Lang.FR: "Chiffres calculés le"},
    "as_of": {Lang.AR: "الوضعية في نهاية يوم", Lang.FR: "Situation à la fin du"},
    "live": {
        Lang.AR: "تتحدث الأرقام تلقائيا عند تغير مؤشر.",
        Lang.FR: "Les chiffres se mettent à jour d'eux-mêmes quand un indicateur change.",
    },
    "updated": {Lang.AR: "تم تحديث الأرقام.", Lang.FR: "Les chiffres ont été mis à jour."},
    "indicators": {Lang.AR: "مؤشرات الالتزام", Lang.FR: "Les indicateurs de l'engagement"},
    "baseline": {Lang.AR: "القيمة المرجعية", Lang.FR: "Référence"},
    "current": {Lang.AR: "القيمة الحالية", Lang.FR: "Valeur actuelle"},
    "target": {Lang.AR: "الهدف", Lang.FR: "Cible"},
    "progress_from_baseline": {
        Lang.AR: "التقدم من القيمة المرجعية نحو الهدف",
        Lang.FR: "Progression de la référence vers la cible",
    },
    "progress_to_target": {Lang.AR: "نسبة الإنجاز من الهدف", Lang.FR: "Part de la cible"},
    "elapsed": {Lang.AR: "المدة المنقضية", Lang.FR: "Temps écoulé"},
    "period": {Lang.AR: "الفترة", Lang.FR: "Période"},
    "status": {Lang.AR: "الوضعية", Lang.FR: "Statut"},
    "companion": {
        Lang.AR: "مصرح بها ولم يتحقق منها بعد",
        Lang.FR: "déclarées, pas encore vérifiées",
    },
    # Before what is counted beside a value ("and 1 declared, not verified yet"): a word,
    # not a sign, which right-to-left text would set on the wrong side.
    "and": {Lang.AR: "و", Lang.FR: "Et"},
    "no_value": {Lang.AR: "لا توجد قيمة بعد", Lang.FR: "pas encore de valeur"},
    "status_achieved": {Lang.AR: "تحقق الهدف", Lang.FR: "Atteint"},
    "status_on_track": {Lang.AR: "في المسار الصحيح", Lang.FR: "En bonne voie"},
    "status_at_risk": {Lang.AR: "معرض للتأخر", Lang.FR: "À risque"},
    "status_late": {Lang.AR: "متأخر", Lang.FR: "En retard"},
    "status_none": {Lang.AR: "بدون وضعية", Lang.FR: "Sans statut"},
    "commitment": {Lang.AR: "الالتزام وأنشطته", Lang.FR: "L'engagement et ses activités"},
    "overall_progress": {Lang.AR: "التقدم الإجمالي", Lang.FR: "Avancement global"},
    "activities_late": {Lang.AR: "أنشطة متأخرة", Lang.FR: "Activités en retard"},
    "lead": {Lang.AR: "الجهة المسؤولة", Lang.FR: "Porteur"},
    "timeline": {Lang.AR: "الجدول الزمني للأنشطة", Lang.FR: "Calendrier des activités"},
    "activity": {Lang.AR: "النشاط", Lang.FR: "Activité"},
    "start": {Lang.AR: "البداية", Lang.FR: "Début"},
    "end": {Lang.AR: "النهاية", Lang.FR: "Fin"},
    "progress": {Lang.AR: "التقدم", Lang.FR: "Avancement"},
    "schedule": {Lang.AR: "الآجال", Lang.FR: "Délais"},
    "today": {Lang.AR: "اليوم", Lang.FR: "Aujourd'hui"},
    "schedule_upcoming": {Lang.AR: "لم يبدأ بعد", Lang.FR: "À venir"},
    "schedule_on_time": {Lang.AR: "في الآجال", Lang.FR: "Dans les délais"},
    "schedule_late": {Lang.AR: "متأخر", Lang.FR: "En retard"},
    "schedule_done": {Lang.AR: "منجز", Lang.FR: "Réalisée"},
    "schedule_done_late": {Lang.AR: "أنجز بتأخر", Lang.FR: "Réalisée en retard"},
    "findings": {Lang.AR: "ملاحظات الافتحاص", Lang.FR: "Les constats de l'audit"},
    "findings_intro": {
        Lang.AR: "نسبة مجموعات البيانات المنشورة التي تستوفي كل شرط، وتطورها.",
        Lang.FR: "La part des jeux de données publiés qui remplissent chaque condition, et "
        "son évolution.",
    },
    "of_published": {Lang.AR: "من المجموعات المنشورة", Lang.FR: "des jeux publiés"},
    "month_before": {Lang.AR: "الشهر السابق", Lang.FR: "Le mois précédent"},
    "openness": {
        Lang.AR: "درجة انفتاح البيانات (من ٠ إلى ٥ نجوم)",
        Lang.FR: "Ouverture des données (de 0 à 5 étoiles)",
    },
    "stars": {Lang.AR: "النجوم", Lang.FR: "Étoiles"},
    "history": {Lang.AR: "تطور المؤشرات شهرا بشهر", Lang.FR: "L'évolution, mois par mois"},
    "findings_trend": {
        Lang.AR: "تطور ملاحظات الافتحاص",
        Lang.FR: "L'évolution des constats de l'audit",
    },
    "month": {Lang.AR: "الشهر", Lang.FR: "Mois"},
    "value": {Lang.AR: "القيمة", Lang.FR: "Valeur"},
    "breakdowns": {Lang.AR: "التوزيع", Lang.FR: "Les répartitions"},
    "count": {Lang.AR: "العدد", Lang.FR: "Nombre"},
    "share_of_total": {Lang.AR: "النسبة من المجموع", Lang.FR: "Part du total"},
    "total": {Lang.AR: "المجموع", Lang.FR: "Total"},
    "multi_valued": {
        Lang.AR: "قد تنتمي مجموعة واحدة إلى أكثر من فئة: يتجاوز مجموع الفئات المجموع الكلي.",
        Lang.FR: "Un même objet peut appartenir à plusieurs groupes : les groupes additionnés "
        "dépassent le total.",
    },
    "breakdown_institution": {Lang.AR: "حسب المؤسسة", Lang.FR: "Par institution"},
    "breakdown_theme": {Lang.AR: "حسب الموضوع", Lang.FR: "Par thème"},
    "breakdown_reuse_type": {Lang.AR: "حسب نوع إعادة الاستعمال", Lang.FR: "Par type"},
    "breakdown_institution_kind": {
        Lang.AR: "حسب صنف المؤسسة",
        Lang.FR: "Par catégorie d'institution",
    },
    "breakdown_openness": {Lang.AR: "حسب درجة الانفتاح", Lang.FR: "Par degré d'ouverture"},
    "verified": {Lang.AR: "متحقق منها", Lang.FR: "Vérifiées"},
    "declared": {Lang.AR: "مصرح بها فقط", Lang.FR: "Déclarées seulement"},
    "data_table": {Lang.AR: "جدول البيانات", Lang.FR: "Tableau des données"},
    "csv": {Lang.AR: "تحميل البيانات (CSV)", Lang.FR: "Télécharger les données (CSV)"},
    "all_csv": {
        Lang.AR: "تحميل كل المؤشرات (CSV)",
        Lang.FR: "Télécharger tous les indicateurs (CSV)",
    },
    "chart": {Lang.AR: "رسم بياني", Lang.FR: "Graphique"},
    "unnamed": {Lang.AR: "بدون اسم", Lang.FR: "Sans nom"},
    "institution": {Lang.AR: "المؤسسة", Lang.FR: "Institution"},
    "institutions": {Lang.AR: "المؤسسات", Lang.FR: "Institutions"},
    "back": {Lang.AR: "العودة إلى المؤشرات", Lang.FR: "Retour aux indicateurs"},
    "kind": {Lang.AR: "الصنف", Lang.FR: "Catégorie"},
    "enrolled": {Lang.AR: "منخرطة منذ", Lang.FR: "Engagée depuis le"},
    "institution_status_taking_part": {Lang.AR: "منخرطة", Lang.FR: "Engagée"},
    "institution_status_withdrawn": {Lang.AR: "منسحبة", Lang.FR: "Retirée"},
    "datasets_published": {Lang.AR: "مجموعات بيانات منشورة", Lang.FR: "Jeux de données publiés"},
    "overdue": {Lang.AR: "متأخرة عن التحيين", Lang.FR: "En retard de mise à jour"},
    "overdue_datasets": {
        Lang.AR: "مجموعات البيانات المتأخرة عن موعد التحيين",
        Lang.FR: "Jeux de données en retard de mise à jour",
    },
    "no_overdue": {
        Lang.AR: "لا توجد مجموعة بيانات متأخرة عن موعد تحيينها.",
        Lang.FR: "Aucun jeu de données n'est en retard de mise à jour.",
    },
    "quality": {Lang.AR: "جودة البيانات المنشورة", Lang.FR: "Qualité des données publiées"},
    "average_quality_score": {
        Lang.AR: "متوسط نقطة الجودة عند المراجعة (من ١٠٠)",
        Lang.FR: "Score de qualité moyen à la revue (sur 100)",
    },
    "reuses": {Lang.AR: "إعادة استعمال بياناتها", Lang.FR: "Réutilisations de ses données"},
    "reuses_verified": {Lang.AR: "إعادة استعمال متحقق منها", Lang.FR: "Réutilisations vérifiées"},
    "reuses_declared": {
        Lang.AR: "مصرح بها ولم يتحقق منها بعد",
        Lang.FR: "Déclarées, pas encore vérifiées",
    },
    "datasets": {Lang.AR: "مجموعات البيانات المنشورة", Lang.FR: "Les jeux de données publiés"},
    "datasets_now": {
        Lang.AR: "كما هي اليوم، مع ملاحظات الافتحاص لكل مجموعة.",
        Lang.FR: "Tels qu'ils sont aujourd'hui, avec les constats de l'audit pour chacun.",
    },
    "no_datasets": {
        Lang.AR: "لم تنشر هذه المؤسسة أي مجموعة بيانات بعد.",
        Lang.FR: "Cette institution n'a encore publié aucun jeu de données.",
    },
    "dataset": {Lang.AR: "مجموعة البيانات", Lang.FR: "Jeu de données"},
    "themes": {Lang.AR: "المواضيع", Lang.FR: "Thèmes"},
    "formats": {Lang.AR: "الصيغ", Lang.FR: "Formats"},
    "last_update": {Lang.AR: "آخر تحيين", Lang.FR: "Dernière mise à jour"},
    "quality_score": {Lang.AR: "نقطة الجودة", Lang.FR: "Score de qualité"},
    "finding_open_licence": {Lang.AR: "رخصة مفتوحة", Lang.FR: "Licence ouverte"},
    "finding_machine_readable": {
        Lang.AR: "قابلة للقراءة الآلية",
        Lang.FR: "Lisible par machine",
    },
    "finding_bulk_download": {
        Lang.AR: "قابلة للتحميل دفعة واحدة",
        Lang.FR: "Téléchargeable en bloc",
    },
    "finding_up_to_date": {Lang.AR: "محينة", Lang.FR: "À jour"},
    "yes": {Lang.AR: "نعم", Lang.FR: "Oui"},
    "no": {Lang.AR: "لا", Lang.FR: "Non"},
    "unknown": {Lang.AR: "غير معروف", Lang.FR: "Inconnu"},
    "not_found": {Lang.AR: "الصفحة غير موجودة", Lang.FR: "Page introuvable"},
    "no_institution": {
        Lang.AR: "لا توجد مؤسسة بهذا الاسم ضمن المؤسسات التي تعرفها المؤشرات.",
        Lang.FR: "Aucune institution de ce nom parmi celles que connaissent les indicateurs.",
    },
    "bad_request": {Lang.AR: "طلب غير صالح", Lang.FR: "Requête invalide"},
    "bad_date": {
        Lang.AR: "التاريخ المطلوب غير صالح؛ الصيغة المنتظرة: 2020-08-31.",
        Lang.FR: "La date demandée n'est pas valide ; la forme attendue : 2020-08-31.",
    },
    "figures_api": {Lang.AR: "الأرقام بصيغة JSON", Lang.FR: "Les chiffres en JSON"},
    "page": {Lang.AR: "الصفحة", Lang.FR: "Page"},
}


@dataclass(frozen=True)
class Locale:
    """How one page writes: its language, its digits, the time zone of its moments."""

    lang: Lang
    digits: Digits
    zone: ZoneInfo

    @property
    def dir(self) -> str:
        return "rtl" if self.lang == Lang.AR else "ltr"

    @property
    def other(self) -> Lang:
        return Lang.FR if self.lang == Lang.AR else Lang.AR

    @property
    def separators(self) -> Separators:
        return SEPARATORS[(self.lang, self.digits)]

    @property
    def chart_locale(self) -> str:
        """The BCP 47 tag the charting library formats its axes with."""
        return f"{self.lang.value}-MA-u-nu-{self.digits.value}"

    def word(self, key: str) -> str:
        return WORDS[key][self.lang]

    def digits_of(self, text: str) -> str:
        return text.translate(_ARABIC_INDIC) if self.digits == Digits.ARAB else text

    def number(self, value: float | None, decimals: int = 2) -> str:
        """A count or a measure: grouped thousands, at most ``decimals`` decimals (none for
        a whole number). ``None`` is written as a dash."""
        if value is None:
            return "—"
        sep = self.separators
        rounded = round(float(value), decimals)
        if rounded == 0:
            rounded = 0.0  # no "-0"
        whole, _, fraction = f"{abs(rounded):,.{decimals}f}".partition(".")
        fraction = fraction.rstrip("0")
        text = whole.replace(",", sep.group) + (sep.decimal + fraction if fraction else "")
        return self.digits_of((sep.minus if rounded < 0 else "") + text)

    def percent(self, value: float | None, decimals: int = 2) -> str:
        """A percentage (the value is in percent already)."""
        if value is None:
            return "—"
        return self.number(value, decimals) + self.separators.percent

    def ratio(self, value: float | None) -> str:
        """A progress ratio (1 = the target) written as a percentage."""
        return self.percent(value * 100 if value is not None else None)

    def day(self, value: date | None) -> str:
        if value is None:
            return "—"
        return self.digits_of(f"{value.day} {MONTHS[self.lang][value.month - 1]} {value.year}")

    def month(self, value: date) -> str:
        return self.digits_of(f"{MONTHS[self.lang][value.month - 1]} {value.year}")

    def short_month(self, value: date) -> str:
        """A month on a chart's axis: 2019-03."""
        return self.digits_of(f"{value.year}-{value.month:02d}")

    def moment(self, value: datetime) -> str:
        """A moment in the page's time zone, with its offset from UTC."""
        local = value.astimezone(self.zone)
        offset = local.strftime("%z")
        # Isolated left to right, so that the sign stays before the hours in Arabic.
        utc = f"\u2066UTC{offset[:3]}:{offset[3:]}\u2069"
        clock = self.digits_of(f"{local.hour:02d}:{local.minute:02d}")
        at = "على الساعة" if self.lang == Lang.AR else "à"
        return f"{self.day(local.date())} {at} {clock} ({self.digits_of(utc)})"

    def text(self, text: Text | None) -> tuple[str, str | None]:
        """A multilingual text in the page's language, else in another one: then with the
        language it is in, for its ``lang`` attribute."""
        if text:
            if text.get(self.lang.value):
                return text[self.lang.value], None
            for language in (self.other.value, *text):
                if text.get(language):
                    return text[language], language
        return self.word("unnamed"), None


def parse_lang(value: str | None) -> Lang:
    """The language asked for; Arabic when none or an unknown one is asked for."""
    return Lang(value) if value in {lang.value for lang in Lang} else DEFAULT_LANG


def parse_digits(value: str | None, lang: Lang) -> Digits:
    return Digits(value) if value in {d.value for d in Digits} else DEFAULT_DIGITS[lang]
