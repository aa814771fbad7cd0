"""The README's table of accepted headers is the one the specs generate (issue 14)."""

from __future__ import annotations

from cakupan.paths import PROJECT_ROOT
from cakupan.sources.headers import column_keys, header_key
from cakupan.sources.specs import SOURCES, accepted_headers_markdown


def test_the_readme_lists_the_headers_the_readers_accept() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- headers:begin -->\n", 1)[1].split("\n<!-- headers:end -->", 1)[0]
    assert block == accepted_headers_markdown()


def test_every_listed_name_is_matched_by_the_reader() -> None:
    for spec in SOURCES.values():
        keys = column_keys(spec)
        for col in spec.columns:
            for name in (col.name, *col.aliases):
                assert keys[header_key(name)] == col.name, (spec.name, name)
