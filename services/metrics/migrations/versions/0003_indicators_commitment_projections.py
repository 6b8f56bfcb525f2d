"""indicators, the commitment and its activities, labels, and the projections

The commitment's three indicators and the audit's four findings, the commitment and its seven
activities (as last reported), and the names of the breakdowns' keys are written out here as
they were when this migration was written: later changes are made by national admins through
the API, or by a new migration.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:30:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from uuid import UUID

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIX = "ma.gov.data."
ENROLLED = PREFIX + "institution.enrolled.v1"
INSTITUTION_WITHDRAWN = PREFIX + "institution.withdrawn.v1"
SUBMITTED = PREFIX + "dataset.submitted.v1"
PUBLISHED = PREFIX + "dataset.published.v1"
UPDATED = PREFIX + "dataset.updated.v1"
DATASET_WITHDRAWN = PREFIX + "dataset.withdrawn.v1"
OVERDUE = PREFIX + "dataset.overdue.v1"
REUSE_EVENTS = [
    PREFIX + "reuse.declared.v2",
    PREFIX + "reuse.updated.v1",
    PREFIX + "reuse.verified.v1",
    PREFIX + "reuse.removed.v1",
]
COMMITMENT = "open-data-2018-2020"
PERCENT = {"ar": "%", "fr": "%", "en": "%"}

# (code, measure, name, unit, description, moved by)
INDICATORS = [
    (
        "institutions_taking_part",
        "institutions_taking_part",
        {
            "ar": "المؤسسات المنخرطة في استراتيجية البيانات المفتوحة",
            "fr": "Institutions engagées dans la stratégie des données ouvertes",
            "en": "Institutions taking part in the open-data strategy",
        },
        {"ar": "مؤسسة", "fr": "institutions", "en": "institutions"},
        {
            "fr": "Institutions enrôlées par le noyau de gouvernance, moins celles qui se sont "
            "retirées.",
            "en": "Institutions enrolled by the governance core, minus those withdrawn.",
        },
        [ENROLLED, INSTITUTION_WITHDRAWN],
    ),
    (
        "datasets_published",
        "datasets_published",
        {
            "ar": "مجموعات البيانات المنشورة على البوابة الوطنية",
            "fr": "Jeux de données publiés sur le portail national",
            "en": "Datasets published on the national portal",
        },
        {"ar": "مجموعة بيانات", "fr": "jeux de données", "en": "datasets"},
        {
            "fr": "Jeux de données publiés après revue, moins ceux qui ont été retirés.",
            "en": "Datasets published after review, minus those withdrawn.",
        },
        [PUBLISHED, DATASET_WITHDRAWN],
    ),
    (
        "reuse_initiatives",
        "reuses_verified",
        {
            "ar": "مبادرات إعادة استعمال البيانات",
            "fr": "Initiatives de réutilisation des données",
            "en": "Data reuse initiatives",
        },
        {"ar": "مبادرة", "fr": "initiatives", "en": "initiatives"},
        {
            "fr": "Réutilisations vérifiées par le noyau de gouvernance ; les réutilisations "
            "déclarées et non encore vérifiées sont montrées à côté.",
            "en": "Reuses verified by the governance core; declared ones not yet verified are "
            "shown beside.",
        },
        REUSE_EVENTS,
    ),
    (
        "open_licence",
        "share_open_licence",
        {
            "ar": "مجموعات البيانات المنشورة برخصة مفتوحة",
            "fr": "Jeux de données publiés sous licence ouverte",
            "en": "Published datasets under an open licence",
        },
        PERCENT,
        {
            "fr": "Constat de l'audit : les données publiées ne sont pas sous licence ouverte.",
            "en": "The audit found published data not under an open licence.",
        },
        [PUBLISHED, DATASET_WITHDRAWN],
    ),
    (
        "machine_readable",
        "share_machine_readable",
        {
            "ar": "مجموعات البيانات المنشورة بصيغة مفتوحة قابلة للقراءة الآلية",
            "fr": "Jeux de données publiés dans un format ouvert lisible par machine",
            "en": "Published datasets in a machine-readable open format",
        },
        PERCENT,
        {
            "fr": "Constat de l'audit : les données publiées ne sont pas lisibles par machine.",
            "en": "The audit found published data not machine-readable.",
        },
        [SUBMITTED, PUBLISHED, UPDATED, DATASET_WITHDRAWN],
    ),
    (
        "bulk_download",
        "share_bulk_download",
        {
            "ar": "مجموعات البيانات المنشورة القابلة للتحميل دفعة واحدة",
            "fr": "Jeux de données publiés téléchargeables en bloc",
            "en": "Published datasets downloadable in bulk",
        },
        PERCENT,
        {
            "fr": "Constat de l'audit : les données publiées ne sont pas téléchargeables en bloc.",
            "en": "The audit found published data not downloadable in bulk.",
        },
        [SUBMITTED, PUBLISHED, UPDATED, DATASET_WITHDRAWN],
    ),
    (
        "up_to_date",
        "share_up_to_date",
        {
            "ar": "مجموعات البيانات المنشورة المحينة",
            "fr": "Jeux de données publiés à jour",
            "en": "Published datasets kept up to date",
        },
        PERCENT,
        {
            "fr": "Constat de l'audit : les données sont publiées de manière discontinue, sans "
            "mise à jour.",
            "en": "The audit found data published discontinuously, not kept up to date.",
        },
        [PUBLISHED, UPDATED, OVERDUE, DATASET_WITHDRAWN],
    ),
]

PLAN_LABEL = {
    "ar": "خطة العمل الوطنية 2018-2020",
    "fr": "Plan d'action national 2018-2020",
    "en": "National action plan 2018-2020",
}

# (id, indicator, baseline, target): from August 2018 to August 2020.
PERIODS = [
    (UUID("5a0d2f3e-1c55-4a57-9c1f-0f5c2a8b7d01"), "institutions_taking_part", 16, 32),
    (UUID("5a0d2f3e-1c55-4a57-9c1f-0f5c2a8b7d02"), "datasets_published", 136, 300),
    (UUID("5a0d2f3e-1c55-4a57-9c1f-0f5c2a8b7d03"), "reuse_initiatives", 0, 20),
]

# (id, title, start, end, status, progress): as last reported.
ACTIVITIES = [
    (
        UUID("7c3e9b10-4f2a-4d8e-8a61-2b9d0e4f6a01"),
        {
            "ar": "دراسات مقارنة لاستراتيجيات البيانات",
            "fr": "Études comparatives des stratégies de données",
            "en": "Comparative studies of data strategies",
        },
        date(2018, 10, 1),
        date(2018, 12, 31),
        "done",
        100,
    ),
    (
        UUID("7c3e9b10-4f2a-4d8e-8a61-2b9d0e4f6a02"),
        {
            "ar": "تقييم وضعية البيانات المفتوحة على المستوى الوطني",
            "fr": "Évaluation des données ouvertes au niveau national",
            "en": "Assessment of open data in the country",
        },
        date(2018, 12, 1),
        date(2019, 4, 30),
        "done",
        100,
    ),
    (
        UUID("7c3e9b10-4f2a-4d8e-8a61-2b9d0e4f6a03"),
        {
            "ar": "استراتيجية البيانات المفتوحة وقواعد تدبيرها",
            "fr": "Stratégie des données ouvertes et ses règles de gestion",
            "en": "Open-data strategy and its management rules",
        },
        date(2019, 5, 1),
        date(2019, 10, 31),
        "in_progress",
        90,
    ),
    (
        UUID("7c3e9b10-4f2a-4d8e-8a61-2b9d0e4f6a04"),
        {
            "ar": "إحداث نواة حكامة البيانات المفتوحة",
            "fr": "Mise en place du noyau de gouvernance des données ouvertes",
            "en": "Open-data governance core set up",
        },
        date(2019, 11, 1),
        date(2020, 1, 31),
        "done",
        100,
    ),
    (
        UUID("7c3e9b10-4f2a-4d8e-8a61-2b9d0e4f6a05"),
        {
            "ar": "دليل المساطر (الجمع، المعالجة، النشر، التحيين)",
            "fr": "Guide des procédures (collecte, traitement, publication, mise à jour)",
            "en": "Procedures guide (collect, process, publish, update)",
        },
        date(2019, 11, 1),
        date(2020, 1, 31),
        "in_progress",
        90,
    ),
    (
        UUID("7c3e9b10-4f2a-4d8e-8a61-2b9d0e4f6a06"),
        {
            "ar": "حملة تحسيسية وتواصلية",
            "fr": "Campagne de sensibilisation et de communication",
            "en": "Awareness and communication campaign",
        },
        date(2020, 1, 1),
        date(2020, 1, 31),
        "done",
        100,
    ),
    (
        UUID("7c3e9b10-4f2a-4d8e-8a61-2b9d0e4f6a07"),
        {
            "ar": "تكوين الإدارات في مجال النشر الاستباقي للبيانات",
            "fr": "Formation des administrations à la publication proactive",
            "en": "Training administrations in proactive publication",
        },
        date(2020, 2, 1),
        date(2020, 3, 31),
        "in_progress",
        90,
    ),
]

# (dimension, key, ar, fr)
LABELS = [
    ("theme", "economie-finances", "الاقتصاد والمالية", "Économie et finances"),
    ("theme", "sante", "الصحة", "Santé"),
    ("theme", "education", "التعليم والتكوين", "Éducation et formation"),
    ("theme", "agriculture", "الفلاحة والصيد البحري", "Agriculture et pêche"),
    ("theme", "tourisme", "السياحة", "Tourisme"),
    ("theme", "transport", "النقل واللوجستيك", "Transport et logistique"),
    ("theme", "energie", "الطاقة والمعادن", "Énergie et mines"),
    ("theme", "environnement", "البيئة", "Environnement"),
    ("theme", "habitat", "السكنى والتعمير", "Habitat et urbanisme"),
    ("theme", "emploi", "التشغيل", "Emploi"),
    ("theme", "justice", "العدل", "Justice"),
    ("theme", "culture", "الثقافة والرياضة", "Culture et sport"),
    ("theme", "collectivites", "الجماعات الترابية", "Collectivités territoriales"),
    ("theme", "population", "السكان والمجتمع", "Population et société"),
    ("theme", "numerique", "الاتصالات والرقمنة", "Télécommunications et numérique"),
    ("region", "tanger-tetouan-al-hoceima", "طنجة تطوان الحسيمة", "Tanger-Tétouan-Al Hoceïma"),
    ("region", "oriental", "الشرق", "L'Oriental"),
    ("region", "fes-meknes", "فاس مكناس", "Fès-Meknès"),
    ("region", "rabat-sale-kenitra", "الرباط سلا القنيطرة", "Rabat-Salé-Kénitra"),
    ("region", "beni-mellal-khenifra", "بني ملال خنيفرة", "Béni Mellal-Khénifra"),
    ("region", "casablanca-settat", "الدار البيضاء سطات", "Casablanca-Settat"),
    ("region", "marrakech-safi", "مراكش آسفي", "Marrakech-Safi"),
    ("region", "draa-tafilalet", "درعة تافيلالت", "Drâa-Tafilalet"),
    ("region", "souss-massa", "سوس ماسة", "Souss-Massa"),
    ("region", "guelmim-oued-noun", "كلميم واد نون", "Guelmim-Oued Noun"),
    ("region", "laayoune-sakia-el-hamra", "العيون الساقية الحمراء", "Laâyoune-Sakia El Hamra"),
    ("region", "dakhla-oued-ed-dahab", "الداخلة وادي الذهب", "Dakhla-Oued Ed-Dahab"),
    ("reuse_type", "application", "تطبيق", "Application"),
    ("reuse_type", "visualization", "تمثيل بصري", "Visualisation"),
    ("reuse_type", "api", "واجهة برمجية", "API"),
    ("reuse_type", "article", "مقال", "Article"),
    ("reuse_type", "paper", "بحث علمي", "Publication scientifique"),
    ("reuse_type", "news", "خبر", "Actualité"),
    ("reuse_type", "idea", "فكرة", "Idée"),
    ("reuse_type", "connected_device", "جهاز متصل", "Objet connecté"),
    ("reuse_type", "other", "أخرى", "Autre"),
    ("licence", "open", "رخصة مفتوحة", "Licence ouverte"),
    ("licence", "not_open", "رخصة غير مفتوحة", "Licence non ouverte"),
    ("openness", "0", "بدون رخصة مفتوحة", "0 étoile (licence non ouverte)"),
    ("openness", "1", "نجمة واحدة: على الويب برخصة مفتوحة", "1 étoile : en ligne, licence ouverte"),
    ("openness", "2", "نجمتان: قابلة للقراءة الآلية", "2 étoiles : lisible par machine"),
    ("openness", "3", "ثلاث نجوم: صيغة مفتوحة", "3 étoiles : format non propriétaire"),
    ("openness", "4", "أربع نجوم: RDF", "4 étoiles : RDF"),
    ("openness", "5", "خمس نجوم: بيانات مترابطة", "5 étoiles : données liées"),
    ("institution_kind", "ministry", "وزارة", "Ministère"),
    ("institution_kind", "public_body", "مؤسسة عمومية", "Établissement public"),
    ("institution_kind", "local_authority", "جماعة ترابية", "Collectivité territoriale"),
    ("institution_kind", "other", "أخرى", "Autre"),
    ("machine_readable", "yes", "قابلة للقراءة الآلية", "Lisible par machine"),
    ("machine_readable", "no", "غير قابلة للقراءة الآلية", "Non lisible par machine"),
    ("bulk", "yes", "قابلة للتحميل دفعة واحدة", "Téléchargeable en bloc"),
    ("bulk", "no", "غير قابلة للتحميل دفعة واحدة", "Non téléchargeable en bloc"),
    ("up_to_date", "yes", "محينة", "À jour"),
    ("up_to_date", "no", "متأخرة عن موعد التحيين", "En retard de mise à jour"),
]


def _tables() -> None:
    op.create_table(
        "commitment",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.Column("action_plan", sa.JSON(), nullable=True),
        sa.Column("lead", sa.JSON(), nullable=True),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "indicator",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.Column("unit", sa.JSON(), nullable=False),
        sa.Column("measure", sa.String(length=64), nullable=False),
        sa.Column("moved_by", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "indicator_period",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("indicator_code", sa.String(length=64), nullable=False),
        sa.Column("commitment_code", sa.String(length=64), nullable=True),
        sa.Column("label", sa.JSON(), nullable=True),
        sa.Column("baseline_value", sa.Float(), nullable=False),
        sa.Column("baseline_date", sa.Date(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["commitment_code"], ["commitment.code"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["indicator_code"], ["indicator.code"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_indicator_period_indicator_code", "indicator_period", ["indicator_code"])
    op.create_table(
        "activity",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("commitment_code", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["commitment_code"], ["commitment.code"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_activity_commitment_code", "activity", ["commitment_code"])
    op.create_table(
        "label",
        sa.Column("dimension", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "key"),
    )
    op.create_table(
        "indicator_value",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "projection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rebuild_id", sa.String(length=36), nullable=True),
        sa.Column("rebuild_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rebuilt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rebuilt_events", sa.Integer(), nullable=True),
        sa.Column("rebuilt_seconds", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def _projection_tables() -> None:
    # Objects are looked up by id: the id leads the keys (a key led by the kind of object
    # sends the planner through every object of that kind while statistics are young).
    op.create_table(
        "fact",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("aggregate", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attrs", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_fact_entity", "fact", ["entity_id"])
    op.create_table(
        "entity",
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("aggregate", sa.String(length=16), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=True),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("institution_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("carry", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", "aggregate"),
    )
    op.create_index("ix_entity_aggregate_institution", "entity", ["aggregate", "institution_id"])
    op.create_index("ix_entity_aggregate_slug", "entity", ["aggregate", "slug"])
    op.create_table(
        "span",
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("aggregate", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("institution_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("licence_open", sa.Boolean(), nullable=True),
        sa.Column("machine_readable", sa.Boolean(), nullable=True),
        sa.Column("bulk", sa.Boolean(), nullable=True),
        sa.Column("up_to_date", sa.Boolean(), nullable=True),
        sa.Column("stars", sa.Integer(), nullable=True),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("formats", sa.JSON(), nullable=False),
        sa.Column("institutions", sa.JSON(), nullable=False),
        sa.Column("datasets", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", "aggregate", "valid_from"),
    )
    op.create_index("ix_span_aggregate_institution", "span", ["aggregate", "institution_id"])
    op.create_index("ix_span_aggregate_state", "span", ["aggregate", "state", "valid_to"])


def _seed() -> None:
    now = datetime.now(UTC)
    commitment = sa.table(
        "commitment",
        *(sa.column(name) for name in ("code", "position", "start", "end", "created_at")),
        sa.column("updated_at"),
        *(sa.column(name, sa.JSON()) for name in ("title", "description", "action_plan", "lead")),
    )
    op.bulk_insert(
        commitment,
        [
            {
                "code": COMMITMENT,
                "title": {
                    "ar": "تعزيز نشر البيانات المفتوحة وإعادة استعمالها",
                    "fr": "Renforcer la publication des données ouvertes et leur réutilisation",
                    "en": "Strengthen the publication of open data and its reuse",
                },
                "description": {
                    "fr": "Publication proactive des données publiques (loi 31.13 relative au "
                    "droit d'accès à l'information) : stratégie nationale, noyau de "
                    "gouvernance, structures qui sélectionnent, collectent, classent et "
                    "valident les données avant leur ouverture, guide des procédures, "
                    "formation et sensibilisation.",
                    "en": "Proactive publication of public data (law 31.13 on the right of "
                    "access to information): a national strategy, a governance core, "
                    "structures that select, collect, classify and validate data before it "
                    "is opened, a procedures guide, training and awareness.",
                },
                "action_plan": PLAN_LABEL,
                "lead": {
                    "ar": "الوزارة المكلفة بإصلاح الإدارة",
                    "fr": "Ministère chargé de la réforme de l'administration",
                    "en": "Ministry in charge of administration reform",
                },
                "start": date(2018, 8, 1),
                "end": date(2020, 8, 31),
                "position": 1,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )
    indicator = sa.table(
        "indicator",
        *(sa.column(name) for name in ("code", "measure", "position", "created_at")),
        sa.column("updated_at"),
        *(sa.column(name, sa.JSON()) for name in ("name", "description", "unit", "moved_by")),
    )
    op.bulk_insert(
        indicator,
        [
            {
                "code": code,
                "measure": measure,
                "name": name,
                "unit": unit,
                "description": description,
                "moved_by": moved_by,
                "position": position,
                "created_at": now,
                "updated_at": now,
            }
            for position, (code, measure, name, unit, description, moved_by) in enumerate(
                INDICATORS, start=1
            )
        ],
    )
    period = sa.table(
        "indicator_period",
        sa.column("id", sa.Uuid()),
        *(sa.column(name) for name in ("indicator_code", "commitment_code")),
        *(sa.column(name) for name in ("baseline_value", "baseline_date", "target_value")),
        sa.column("target_date"),
        sa.column("label", sa.JSON()),
    )
    op.bulk_insert(
        period,
        [
            {
                "id": period_id,
                "indicator_code": code,
                "commitment_code": COMMITMENT,
                "label": PLAN_LABEL,
                "baseline_value": baseline,
                "baseline_date": date(2018, 8, 1),
                "target_value": target,
                "target_date": date(2020, 8, 31),
            }
            for period_id, code, baseline, target in PERIODS
        ],
    )
    activity = sa.table(
        "activity",
        sa.column("id", sa.Uuid()),
        *(sa.column(name) for name in ("commitment_code", "position", "start", "end", "status")),
        *(sa.column(name) for name in ("progress", "weight", "completed_on", "updated_at")),
        sa.column("title", sa.JSON()),
    )
    op.bulk_insert(
        activity,
        [
            {
                "id": activity_id,
                "commitment_code": COMMITMENT,
                "position": position,
                "title": title,
                "start": start,
                "end": end,
                "status": status,
                "progress": progress,
                "weight": 1.0,
                "completed_on": None,
                "updated_at": now,
            }
            for position, (activity_id, title, start, end, status, progress) in enumerate(
                ACTIVITIES, start=1
            )
        ],
    )
    label = sa.table(
        "label", sa.column("dimension"), sa.column("key"), sa.column("name", sa.JSON())
    )
    op.bulk_insert(
        label,
        [{"dimension": d, "key": k, "name": {"ar": ar, "fr": fr}} for d, k, ar, fr in LABELS],
    )
    projection = sa.table("projection", sa.column("id"), sa.column("state"))
    op.bulk_insert(projection, [{"id": 1, "state": "ready"}])


def upgrade() -> None:
    _tables()
    _projection_tables()
    _seed()


def downgrade() -> None:
    for index, table in (
        ("ix_span_aggregate_state", "span"),
        ("ix_span_aggregate_institution", "span"),
        ("ix_entity_aggregate_slug", "entity"),
        ("ix_entity_aggregate_institution", "entity"),
        ("ix_fact_entity", "fact"),
        ("ix_activity_commitment_code", "activity"),
        ("ix_indicator_period_indicator_code", "indicator_period"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "span",
        "entity",
        "fact",
        "projection",
        "indicator_value",
        "label",
        "activity",
        "indicator_period",
        "indicator",
        "commitment",
    ):
        op.drop_table(table)
