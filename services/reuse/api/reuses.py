"""Reuses: the public list and search, one reuse, a dataset's reuses, counts; declaration and
changes by their owner; moderation by national admins."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from libs.auth import AdminPrincipal
from libs.events.schemas import ReuseType
from libs.fields import Text
from libs.http.openapi import problems
from libs.http.pagination import Page, PageParams, page_params
from libs.uow import UnitOfWorkDep
from services.reuse.api.deps import Caller, WritingDeveloper
from services.reuse.api.schemas import Multilingual, ReuseOut, VocabularyCount, reuse_page
from services.reuse.domain import reuses
from services.reuse.domain.reuses import REASON_MAX, ReuseChanges, ReuseDeclaration
from services.reuse.domain.search import ReuseQuery, search_reuses
from services.reuse.domain.vocabulary import REUSE_TOPICS, REUSE_TYPES, ReuseTopic
from services.reuse.models import Reuse

router = APIRouter(tags=["reuses"])

Reference = Annotated[str, Path(min_length=1, max_length=100, description="An id or a slug")]


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[Text, Field(min_length=3, max_length=REASON_MAX)] = Field(
        description="Why: shown to the reuse's owner"
    )


@router.get("/reuses", response_model=Page[ReuseOut])
def list_reuses(
    uow: UnitOfWorkDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Words, Arabic or French (all must match)")
    ] = None,
    type: Annotated[ReuseType | None, Query(description="A reuse type")] = None,
    topic: Annotated[ReuseTopic | None, Query(description="A topic")] = None,
    dataset: Annotated[uuid.UUID | None, Query(description="Reuses citing this dataset")] = None,
    institution: Annotated[
        uuid.UUID | None, Query(description="Reuses citing a dataset of this institution")
    ] = None,
    verified: Annotated[
        bool | None, Query(description="Only verified (true) or only unverified (false)")
    ] = None,
    params: PageParams = Depends(page_params),
) -> Page[ReuseOut]:
    """The public reuses (declared and verified), best matches first when searching, else the
    newest first."""
    query = ReuseQuery(
        text=q,
        reuse_type=type,
        topic=topic,
        dataset_id=dataset,
        institution_id=institution,
        verified=verified,
    )
    return reuse_page(uow, search_reuses(uow, query, params))


@router.post(
    "/reuses", status_code=201, response_model=ReuseOut, responses=problems(401, 403, 409, 429)
)
def declare_reuse(body: ReuseDeclaration, actor: WritingDeveloper, uow: UnitOfWorkDep) -> ReuseOut:
    """Declare a reuse of published datasets (a verified developer's API key): public at once
    as "declared", until a national admin verifies or rejects it."""
    view = reuses.declare_reuse(uow, actor, declaration=body)
    out = ReuseOut.of(view)
    uow.commit()
    return out


@router.get("/reuses/{reference}", response_model=ReuseOut, responses=problems(401, 404))
def show_reuse(reference: Reference, actor: Caller, uow: UnitOfWorkDep) -> ReuseOut:
    """One reuse, with the titles of the datasets it cites (a withdrawn one is marked)."""
    return ReuseOut.of(reuses.load_view(uow, reuses.get_reuse(uow, actor, reference)))


@router.patch(
    "/reuses/{reuse_id}", response_model=ReuseOut, responses=problems(401, 403, 404, 409, 429)
)
def change_reuse(
    reuse_id: uuid.UUID, body: ReuseChanges, actor: WritingDeveloper, uow: UnitOfWorkDep
) -> ReuseOut:
    """Change your reuse: only the fields given change."""
    view = reuses.update_reuse(uow, actor, reuse_id=reuse_id, changes=body)
    out = ReuseOut.of(view)
    uow.commit()
    return out


@router.delete("/reuses/{reuse_id}", status_code=204, responses=problems(401, 403, 404, 429))
def delete_reuse(reuse_id: uuid.UUID, actor: WritingDeveloper, uow: UnitOfWorkDep) -> Response:
    """Delete your reuse."""
    reuses.delete_reuse(uow, actor, reuse_id=reuse_id)
    uow.commit()
    return Response(status_code=204)


@router.post(
    "/reuses/{reuse_id}/verification",
    response_model=ReuseOut,
    tags=["moderation"],
    responses=problems(401, 403, 404, 409),
)
def verify_reuse(reuse_id: uuid.UUID, actor: AdminPrincipal, uow: UnitOfWorkDep) -> ReuseOut:
    """A national admin verifies a declared reuse."""
    out = ReuseOut.of(reuses.verify_reuse(uow, actor, reuse_id=reuse_id))
    uow.commit()
    return out


@router.post(
    "/reuses/{reuse_id}/rejection",
    response_model=ReuseOut,
    tags=["moderation"],
    responses=problems(401, 403, 404, 409),
)
def reject_reuse(
    reuse_id: uuid.UUID, body: Rejection, actor: AdminPrincipal, uow: UnitOfWorkDep
) -> ReuseOut:
    """A national admin rejects a reuse, with the reason: it is no longer public."""
    out = ReuseOut.of(reuses.reject_reuse(uow, actor, reuse_id=reuse_id, reason=body.reason))
    uow.commit()
    return out


@router.get("/datasets/{reference}/reuses", response_model=Page[ReuseOut], responses=problems(404))
def reuses_of_dataset(
    reference: Reference,
    uow: UnitOfWorkDep,
    params: PageParams = Depends(page_params),
) -> Page[ReuseOut]:
    """The public reuses citing a dataset (by the catalog's id or slug), newest first."""
    dataset = reuses.dataset_or_404(uow, reference)
    return reuse_page(uow, search_reuses(uow, ReuseQuery(dataset_id=dataset.id), params))


def _counted(names: dict[str, dict[str, str]], counts: dict[str, int]) -> list[VocabularyCount]:
    return [
        VocabularyCount(code=code, title=Multilingual(**title), count=counts.get(code, 0))
        for code, title in names.items()
    ]


@router.get("/reuse-types", response_model=list[VocabularyCount])
def reuse_types(uow: UnitOfWorkDep) -> list[VocabularyCount]:
    """Every reuse type, its names, and how many public reuses are of that type."""
    return _counted(REUSE_TYPES, reuses.count_by(uow, Reuse.reuse_type))


@router.get("/reuse-topics", response_model=list[VocabularyCount])
def reuse_topics(uow: UnitOfWorkDep) -> list[VocabularyCount]:
    """Every topic, its names, and how many public reuses are about it."""
    return _counted(REUSE_TOPICS, reuses.count_by(uow, Reuse.topic))
