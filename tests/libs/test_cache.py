from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlmodel import Session

from libs.cache import ResponseCache
from libs.db import make_engine

metadata = MetaData()
things = Table("thing", metadata, Column("id", Integer, primary_key=True))


def engines(tmp_path):  # type: ignore[no-untyped-def]
    ours, other = (
        make_engine(f"sqlite:///{tmp_path}/a.db"),
        make_engine(f"sqlite:///{tmp_path}/b.db"),
    )
    metadata.create_all(ours)
    metadata.create_all(other)
    return ours, other


def write(engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        session.execute(insert(things))
        session.commit()


def test_a_write_to_the_same_database_clears_the_cache(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ours, other = engines(tmp_path)
    cache = ResponseCache(ours, ttl_seconds=60)
    entry = cache.put(["a", "b"], b'{"x": 1}', cache.generation)
    assert cache.get("a") == entry == cache.get("b") and entry.etag.startswith('"')

    with Session(ours) as session:  # a read-only commit changes nothing
        session.execute(select(things)).all()
        session.commit()
    write(other)  # another database
    assert cache.get("a") == entry

    write(ours)
    assert cache.get("a") is None and cache.get("b") is None


def test_a_body_read_before_a_clear_is_not_kept(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ours, _ = engines(tmp_path)
    cache = ResponseCache(ours, ttl_seconds=60)
    generation = cache.generation  # the reader starts...
    write(ours)  # ...a write commits meanwhile...
    stale = cache.put(["a"], b"old", generation)  # ...and the reader stores what it read
    assert stale.body == b"old"  # still answered to that reader
    assert cache.get("a") is None  # but not kept for the next ones


def test_a_zero_time_to_live_keeps_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ours, _ = engines(tmp_path)
    cache = ResponseCache(ours, ttl_seconds=0)
    cache.put(["a"], b"x", cache.generation)
    assert cache.get("a") is None
