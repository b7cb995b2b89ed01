import dataclasses
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


def built_in_sympy(how, edit=None):
    """A record's Gradient built in SymPy from its statement (text or not),
    each part's claims passed through edit(V, part, claims) -> claims: how the
    tests plant a wrong claim in any record."""
    from derive.verification import statements
    losses, parts = statements.losses(how), statements.parts(how)

    def build(V):
        out = [(s, edit(V, k, dict(c)) if edit else dict(c)) for k, (s, (_, _, c, _)) in enumerate(zip(losses, parts))]
        return out if len(out) > 1 else out[0]
    forwards = [p[3] for p in parts]
    return dataclasses.replace(how, loss=None, claims=None, where={}, build=build,
                               forward=forwards if len(forwards) > 1 else forwards[0])
