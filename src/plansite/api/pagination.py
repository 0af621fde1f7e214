"""Offset pagination shared by every list route: ``?limit=&offset=`` in, a ``Page`` out."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query, Request
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

MAX_LIMIT = 500


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")] = 50,
    offset: Annotated[int, Query(ge=0, description="items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


class Page(BaseModel, Generic[T]):
    """One page of a list; ``next`` is the path and query of the following page, or null at
    the end."""

    items: list[T]
    total: int
    limit: int
    offset: int
    next: str | None = None


def paginate(session: Session, query: Select, params: PageParams, request: Request) -> tuple:
    """Return (rows, total, next URL) for ``query`` (which must be ordered)."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.limit(params.limit).offset(params.offset)).all()
    nxt = None
    if params.offset + params.limit < (total or 0):
        nxt = next_link(request, params.offset + params.limit)
    return rows, total or 0, nxt


def next_link(request: Request, offset: int) -> str:
    """The next page as a path with its query, never an absolute URL: scheme and host would
    come from the request's Host header, which the client chose, so a link built from them
    could point a follower of ``next`` at another server."""
    url = request.url.include_query_params(offset=offset)
    return f"{url.path}?{url.query}"
