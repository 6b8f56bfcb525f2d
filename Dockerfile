# syntax=docker/dockerfile:1
# One image for the four services; deploy/docker-compose.yml picks the service with its
# command, e.g. `bayanat serve catalog`.

FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A virtualenv so that the runtime stage copies the installed project in one piece, without
# the build tree.
RUN python -m venv /opt/bayanat
WORKDIR /src
COPY pyproject.toml ./
COPY libs ./libs
COPY services ./services
RUN /opt/bayanat/bin/pip install .


FROM python:3.11-slim

ENV PATH=/opt/bayanat/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BAYANAT_VAR=/var/lib/bayanat

# Non-root. BAYANAT_VAR is the only place a service writes (SQLite files when no database URL
# is set, the development JWT secret): the installed packages are read-only to it.
# /var/lib/bayanat/uploads: the catalog's uploads volume (a new volume takes its owner).
RUN groupadd --system --gid 10001 bayanat \
    && useradd --system --uid 10001 --gid bayanat --home-dir /var/lib/bayanat \
        --create-home --shell /usr/sbin/nologin bayanat \
    && install -d -o bayanat -g bayanat /var/lib/bayanat/uploads

COPY --from=build /opt/bayanat /opt/bayanat

USER bayanat
WORKDIR /var/lib/bayanat

# catalog, governance, reuse, metrics (DESIGN.md §7); the compose file maps each one.
EXPOSE 8001 8002 8003 8004

# No default service: the compose file (or `docker run IMAGE bayanat serve <service>`) names it.
CMD ["bayanat", "--help"]
