-- One database per service (DESIGN.md §3: a service never reads another's tables).
-- Run once by the postgres image on an empty data directory, as POSTGRES_USER, who owns them.
-- UTF-8 explicitly: titles and descriptions are Arabic and French.
CREATE DATABASE bayanat_catalog ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE bayanat_governance ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE bayanat_reuse ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE bayanat_metrics ENCODING 'UTF8' TEMPLATE template0;
