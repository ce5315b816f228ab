"""Favourites and quick repeats: the services a customer starred, and the links they ordered
a service for lately (offered as buttons when they order it again)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.base import StoreBase
from storage.models import Favourite, Order, Placement

MAX_FAVOURITES = 20  # one screen of buttons
RECENT_ROWS = 50  # orders of one service looked at for its recent distinct links


@dataclass(frozen=True)
class Starred:
    service_id: str
    service_name: str  # as shown when it was starred


@dataclass(frozen=True)
class RecentLink:
    order_id: int  # the order row the link is read from when its button is tapped
    link: str


class FavouriteStore(StoreBase):
    async def favourites(self, user_id: int) -> list[Starred]:
        """The user's favourites, the earliest starred first."""
        async with self._session(writes=False) as session:
            rows = await session.exec(
                select(Favourite)
                .where(col(Favourite.user_id) == user_id)
                .order_by(col(Favourite.id))
                .limit(MAX_FAVOURITES)
            )
            return [Starred(row.service_id, row.service_name) for row in rows]

    async def add_favourite(self, user_id: int, service_id: str, service_name: str) -> bool:
        """Star a service; False when the user has MAX_FAVOURITES already. Starring one twice
        (a double tap, two devices) keeps one row."""
        async with self._session() as session:
            count = await session.exec(
                select(func.count())
                .select_from(Favourite)
                .where(col(Favourite.user_id) == user_id)
            )
            already = await session.exec(
                select(Favourite).where(
                    col(Favourite.user_id) == user_id, col(Favourite.service_id) == service_id
                )
            )
            if already.first() is not None:
                return True
            if count.one() >= MAX_FAVOURITES:
                return False
            session.add(
                Favourite(user_id=user_id, service_id=service_id, service_name=service_name)
            )
            try:
                await session.flush()
            except IntegrityError:  # starred at the same moment elsewhere: one row is kept
                await session.rollback()
            return True

    async def remove_favourite(self, user_id: int, service_id: str) -> bool:
        async with self._session() as session:
            result = await session.exec(
                delete(Favourite).where(
                    col(Favourite.user_id) == user_id, col(Favourite.service_id) == service_id
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def recent_links(
        self, user_id: int, service_id: str, limit: int = 3
    ) -> list[RecentLink]:
        """The last `limit` distinct links the user ordered this service for (placed orders)."""
        async with self._session(writes=False) as session:
            rows = await session.exec(
                select(Order)
                .where(
                    col(Order.user_id) == user_id,
                    col(Order.service_id) == service_id,
                    col(Order.placement) == Placement.PLACED,
                    col(Order.link).is_not(None),
                )
                .order_by(col(Order.id).desc())
                .limit(RECENT_ROWS)
            )
            found: dict[str, RecentLink] = {}
            for row in rows:
                if row.link and row.id is not None and row.link not in found:
                    found[row.link] = RecentLink(row.id, row.link)
                    if len(found) == limit:
                        break
            return list(found.values())
