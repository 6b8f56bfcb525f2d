"""Reference vocabularies more than one service reads: resource formats and update frequencies.

The catalog normalises and describes resources' formats with them; governance scores formats
and schedules updates with them. Names are the EU vocabularies' (frequencies, file types) so
that existing clients keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"


@dataclass(frozen=True)
class Format:
    code: str  # upper-case, as CKAN shows it
    media_type: str
    machine_readable: bool
    open: bool  # a non-proprietary format
    linked: bool = False  # RDF: the fifth star
    eu_file_type: str | None = None

    @property
    def stars(self) -> int:
        """Tim Berners-Lee's 5-star scheme for a resource under an open licence.

        1: on the web (any format); 2: machine-readable; 3: and non-proprietary; 4: RDF. The
        fifth star (links to other data) needs a look inside the data, which is not made here.
        """
        if self.linked:
            return 4
        if self.machine_readable and self.open:
            return 3
        if self.machine_readable:
            return 2
        return 1


FORMATS: dict[str, Format] = {
    f.code: f
    for f in [
        Format("CSV", "text/csv", True, True, eu_file_type="CSV"),
        Format("TSV", "text/tab-separated-values", True, True, eu_file_type="TSV"),
        Format("JSON", "application/json", True, True, eu_file_type="JSON"),
        Format("JSONL", "application/jsonl", True, True),
        Format("GEOJSON", "application/geo+json", True, True, eu_file_type="GEOJSON"),
        Format("XML", "application/xml", True, True, eu_file_type="XML"),
        Format("KML", "application/vnd.google-earth.kml+xml", True, True, eu_file_type="KML"),
        Format("GPX", "application/gpx+xml", True, True, eu_file_type="GPX"),
        Format(
            "ODS", "application/vnd.oasis.opendocument.spreadsheet", True, True, eu_file_type="ODS"
        ),
        Format("PARQUET", "application/vnd.apache.parquet", True, True, eu_file_type="PARQUET"),
        Format("SHP", "application/x-shapefile", True, True, eu_file_type="SHP"),
        Format("API", "application/json", True, True),
        Format("RDF", "application/rdf+xml", True, True, linked=True, eu_file_type="RDF_XML"),
        Format("TTL", "text/turtle", True, True, linked=True, eu_file_type="RDF_TURTLE"),
        Format("JSONLD", "application/ld+json", True, True, linked=True, eu_file_type="JSON_LD"),
        Format(
            "XLSX",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            True,
            False,
            eu_file_type="XLSX",
        ),
        Format("XLS", "application/vnd.ms-excel", True, False, eu_file_type="XLS"),
        Format("PDF", "application/pdf", False, True, eu_file_type="PDF"),
        Format("DOC", "application/msword", False, False, eu_file_type="DOC"),
        Format(
            "DOCX",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            False,
            False,
            eu_file_type="DOCX",
        ),
        Format("ODT", "application/vnd.oasis.opendocument.text", False, True, eu_file_type="ODT"),
        Format("HTML", "text/html", False, True, eu_file_type="HTML"),
        Format("TXT", "text/plain", False, True, eu_file_type="TXT"),
        Format("ZIP", "application/zip", False, True, eu_file_type="ZIP"),
        Format("PNG", "image/png", False, True, eu_file_type="PNG"),
        Format("JPEG", "image/jpeg", False, True, eu_file_type="JPEG"),
    ]
}


def normalise_format(value: str | None) -> str | None:
    """``.csv``, ``csv`` or ``text/csv`` → ``CSV``; None when unknown."""
    if not value:
        return None
    text = value.strip().lower().lstrip(".")
    for fmt in FORMATS.values():
        if text in (fmt.code.lower(), fmt.media_type):
            return fmt.code
    aliases = {
        "geo+json": "GEOJSON",
        "jsonld": "JSONLD",
        "json-ld": "JSONLD",
        "turtle": "TTL",
        "jpg": "JPEG",
        "ndjson": "JSONL",
        "rdf/xml": "RDF",
        "xlsx": "XLSX",
    }
    return aliases.get(text)


@dataclass(frozen=True)
class Frequency:
    code: str
    label_fr: str
    label_ar: str
    period: timedelta | None  # None: no schedule to keep

    @property
    def uri(self) -> str:
        return EU_FREQUENCY + self.code


FREQUENCIES: dict[str, Frequency] = {
    f.code: f
    for f in [
        # Sensor feeds and live figures (air quality, the grid's load, traffic counters).
        Frequency("1MIN", "Toutes les minutes", "كل دقيقة", timedelta(minutes=1)),
        Frequency("5MIN", "Toutes les 5 minutes", "كل خمس دقائق", timedelta(minutes=5)),
        Frequency("10MIN", "Toutes les 10 minutes", "كل عشر دقائق", timedelta(minutes=10)),
        Frequency("15MIN", "Toutes les 15 minutes", "كل ربع ساعة", timedelta(minutes=15)),
        Frequency("30MIN", "Toutes les 30 minutes", "كل نصف ساعة", timedelta(minutes=30)),
        Frequency("HOURLY", "Toutes les heures", "كل ساعة", timedelta(hours=1)),
        Frequency("BIHOURLY", "Toutes les deux heures", "كل ساعتين", timedelta(hours=2)),
        Frequency("TRIHOURLY", "Toutes les trois heures", "كل ثلاث ساعات", timedelta(hours=3)),
        Frequency("12HRS", "Toutes les 12 heures", "كل اثنتي عشرة ساعة", timedelta(hours=12)),
        Frequency("CONT", "Continue", "مستمر", timedelta(days=1)),
        Frequency("DAILY", "Quotidienne", "يومي", timedelta(days=1)),
        Frequency("WEEKLY", "Hebdomadaire", "أسبوعي", timedelta(weeks=1)),
        Frequency("BIWEEKLY", "Bimensuelle", "كل أسبوعين", timedelta(weeks=2)),
        Frequency("MONTHLY", "Mensuelle", "شهري", timedelta(days=31)),
        Frequency("QUARTERLY", "Trimestrielle", "فصلي", timedelta(days=92)),
        Frequency("ANNUAL_2", "Semestrielle", "نصف سنوي", timedelta(days=183)),
        Frequency("ANNUAL", "Annuelle", "سنوي", timedelta(days=366)),
        Frequency("BIENNIAL", "Biennale", "كل سنتين", timedelta(days=731)),
        Frequency("IRREG", "Irrégulière", "غير منتظم", None),
        Frequency("NEVER", "Jamais", "أبدا", None),
        Frequency("UNKNOWN", "Inconnue", "غير معروف", None),
    ]
}
