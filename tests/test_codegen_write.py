"""python -m derive codegen never overwrites a read-only derive/_generated.py
(issue 15): the write is atomic (a rename), which the file's mode alone
would not stop, so codegen checks it and refuses in one line, exit 2."""
import stat

import pytest

import derive
from derive import cli
from derive.render import codegen

STALE = "# an old generated module\n"


@pytest.fixture
def target(tmp_path, monkeypatch):
    path = tmp_path / "_generated.py"
    path.write_text(STALE)
    monkeypatch.setattr(codegen, "PATH", path)
    return path


def test_write_refuses_a_read_only_file_and_leaves_it(target):
    target.chmod(0o444)
    with pytest.raises(codegen.NotWritable, match=r"_generated\.py: read-only, not overwritten"):
        codegen.write(derive.results())
    assert target.read_text() == STALE and stat.S_IMODE(target.stat().st_mode) == 0o444


def test_write_rewrites_a_writable_stale_file(target):
    assert codegen.write(derive.results()) is True
    assert target.read_text() == codegen.source(derive.results())


def test_cli_exits_2_with_one_line(target, capsys):
    target.chmod(0o444)
    assert cli.main(["codegen"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("derive: error: ") and "read-only, not overwritten" in err
    assert target.read_text() == STALE
