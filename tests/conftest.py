import functools

import pytest

import derive


@functools.lru_cache(maxsize=None)
def verdict_of(rid):
    """Each registry entry is verified once per test session."""
    return derive.verify(rid)


@pytest.fixture
def verdict():
    return verdict_of
