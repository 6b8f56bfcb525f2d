"""Version 1 of the procedures guide, seeded by the migration that creates the guide table.

National admins edit the guide through the API afterwards (each edit is a new version).
"""

from __future__ import annotations

from typing import Any


def _t(fr: str, ar: str) -> dict[str, str]:
    return {"fr": fr, "ar": ar}


def _item(item_id: str, fr: str, ar: str, *, required: bool = True) -> dict[str, Any]:
    return {"id": item_id, "label": _t(fr, ar), "required": required}


DEFAULT_GUIDE: dict[str, Any] = {
    "title": _t(
        "Guide des procédures d'ouverture des données",
        "دليل مساطر فتح المعطيات",
    ),
    "stages": [
        {
            "key": "selection",
            "title": _t("Sélection", "الانتقاء"),
            "description": _t(
                "Vérifier que les données peuvent être ouvertes : ni données à caractère "
                "personnel, ni informations protégées par l'article 7 de la loi 31.13.",
                "التحقق من قابلية المعطيات للفتح: لا معطيات ذات طابع شخصي ولا معلومات "
                "مشمولة بالمادة 7 من القانون 31.13.",
            ),
            "checklist": [
                _item(
                    "no-personal-data",
                    "Le jeu de données ne contient aucune donnée à caractère personnel "
                    "(loi 09-08), ou elles ont été anonymisées.",
                    "لا تتضمن المعطيات أي معطيات ذات طابع شخصي (القانون 09.08) أو تمت "
                    "إزالة الطابع الشخصي عنها.",
                ),
                _item(
                    "no-security-sensitive-data",
                    "Aucune information touchant la défense nationale ou la sûreté de l'État "
                    "n'est publiée.",
                    "لا تُنشر أي معلومات تتعلق بالدفاع الوطني أو بأمن الدولة.",
                ),
                _item(
                    "rights-held",
                    "L'institution détient les droits nécessaires à la diffusion des données.",
                    "تتوفر المؤسسة على الحقوق اللازمة لنشر المعطيات.",
                ),
                _item(
                    "public-interest",
                    "Les données présentent un intérêt pour les usagers ou les réutilisateurs.",
                    "تكتسي المعطيات أهمية بالنسبة للمرتفقين أو لمعيدي الاستعمال.",
                    required=False,
                ),
            ],
        },
        {
            "key": "collection",
            "title": _t("Collecte", "التجميع"),
            "description": _t(
                "Rassembler les fichiers complets, dans des formats ouverts et lisibles par "
                "machine, accessibles en ligne.",
                "تجميع الملفات كاملة بصيغ مفتوحة وقابلة للقراءة الآلية ومتاحة على الخط.",
            ),
            "checklist": [
                _item(
                    "resources-complete",
                    "Toutes les ressources annoncées sont jointes et complètes.",
                    "جميع الموارد المعلن عنها مرفقة وكاملة.",
                ),
                _item(
                    "bulk-download",
                    "Les données sont téléchargeables en bloc (fichier complet).",
                    "المعطيات قابلة للتحميل دفعة واحدة (ملف كامل).",
                ),
                _item(
                    "source-documented",
                    "La source et la méthode de collecte sont documentées.",
                    "مصدر المعطيات وطريقة تجميعها موثقان.",
                    required=False,
                ),
            ],
        },
        {
            "key": "classification",
            "title": _t("Classification", "التصنيف"),
            "description": _t(
                "Décrire les données : thèmes, mots-clés, licence ouverte, fréquence de mise "
                "à jour, couverture temporelle et géographique.",
                "وصف المعطيات: المواضيع والكلمات المفتاحية والرخصة المفتوحة ووتيرة التحيين "
                "والتغطية الزمنية والجغرافية.",
            ),
            "checklist": [
                _item(
                    "themes-fit",
                    "Les thèmes et mots-clés décrivent correctement le contenu.",
                    "المواضيع والكلمات المفتاحية تصف المحتوى بشكل صحيح.",
                ),
                _item(
                    "licence-confirmed",
                    "La licence ouverte choisie est confirmée par l'institution.",
                    "الرخصة المفتوحة المختارة مؤكدة من طرف المؤسسة.",
                ),
                _item(
                    "frequency-realistic",
                    "La fréquence de mise à jour annoncée est tenable par l'institution.",
                    "وتيرة التحيين المعلن عنها قابلة للاحترام من طرف المؤسسة.",
                ),
            ],
        },
        {
            "key": "validation",
            "title": _t("Validation", "المصادقة"),
            "description": _t(
                "Les contrôles automatiques passent et un réviseur de l'institution, autre "
                "que la personne qui a soumis le jeu de données, l'approuve.",
                "تنجح المراقبات الآلية ويصادق عليها مراجع من المؤسسة غير الشخص الذي قدمها.",
            ),
            "checklist": [
                _item(
                    "metadata-reviewed",
                    "Le titre et la description ont été relus en arabe et en français.",
                    "تمت مراجعة العنوان والوصف باللغتين العربية والفرنسية.",
                ),
                _item(
                    "sample-checked",
                    "Un échantillon des données a été vérifié (cohérence, unités, dates).",
                    "تم التحقق من عينة من المعطيات (الانسجام والوحدات والتواريخ).",
                ),
            ],
        },
    ],
    "sections": [
        {
            "key": "collect",
            "title": _t("Collecter", "التجميع"),
            "body": _t(
                "Identifier les données détenues par l'institution, leur responsable et leur "
                "source ; extraire le fichier complet plutôt qu'un résumé.",
                "تحديد المعطيات التي تحوزها المؤسسة والمسؤول عنها ومصدرها، واستخراج الملف "
                "الكامل بدل الملخص.",
            ),
        },
        {
            "key": "process",
            "title": _t("Traiter", "المعالجة"),
            "body": _t(
                "Anonymiser, encoder en UTF-8, une ligne d'en-tête, une valeur par cellule, "
                "des dates au format ISO 8601.",
                "إزالة الطابع الشخصي، والترميز بـ UTF-8، وسطر عناوين واحد، وقيمة واحدة في كل "
                "خانة، والتواريخ بصيغة ISO 8601.",
            ),
        },
        {
            "key": "publish",
            "title": _t("Publier", "النشر"),
            "body": _t(
                "Soumettre le jeu de données dans le catalogue ; il est publié après la revue.",
                "تقديم مجموعة المعطيات في الفهرس؛ تنشر بعد المراجعة.",
            ),
        },
        {
            "key": "update",
            "title": _t("Mettre à jour", "التحيين"),
            "body": _t(
                "Publier chaque nouvelle version à la fréquence annoncée ; un jeu en retard "
                "est signalé à l'institution.",
                "نشر كل نسخة جديدة وفق الوتيرة المعلن عنها؛ ويتم إشعار المؤسسة بكل تأخير.",
            ),
        },
    ],
}
