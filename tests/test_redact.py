"""The one masking helper: a URL's password never reaches a message.

References: ``urllib.parse.urlsplit`` (the parts of the URL other than the password are kept)
and SQLAlchemy's own ``URL.render_as_string(hide_password=True)`` on URLs both can parse.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from proxymetric._redact import mask_url, redact, remember

URLS = [
    "postgresql://analyst:s3cret@db.example.com:5432/warehouse",
    "postgresql+psycopg://analyst:s3cret@db.example.com/warehouse?sslmode=require",
    "mysql://root:hunter2@127.0.0.1:3306/shop",
    "snowflake://user:pa%24%24word@account/db/schema?warehouse=wh",
    "trino://me:pw@host:8080/hive",
]


@pytest.mark.parametrize("url", URLS)
def test_the_password_alone_is_masked(url: str) -> None:
    masked = mask_url(url)
    ref = sa.engine.make_url(url).render_as_string(hide_password=True)
    assert masked == ref
    before, after = urlsplit(url), urlsplit(masked)
    assert after.password == "***"
    assert (after.scheme, after.username, after.hostname, after.port, after.path, after.query) == (
        before.scheme,
        before.username,
        before.hostname,
        before.port,
        before.path,
        before.query,
    )


@pytest.mark.parametrize(
    "url",
    [
        "duckdb:///data/warehouse.db",
        "duckdb://warehouse.db",
        "sqlite:////tmp/a@b.db",
        "sqlite:////tmp/x:y@z.db",
        "postgresql://analyst@db/warehouse",
        "pyspark://local[*]",
        "",
    ],
)
def test_a_url_without_a_password_is_unchanged(url: str) -> None:
    assert mask_url(url) == url


def test_secret_query_parameters_are_masked() -> None:
    url = "postgresql://db/w?user=a&password=s3cret&sslpassword=k3y&token=t0k&sslmode=require"
    assert mask_url(url) == (
        "postgresql://db/w?user=a&password=***&sslpassword=***&token=***&sslmode=require"
    )
    assert "s3cret" not in redact(f"failed: password s3cret for {url}", url)


passwords = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="*"), min_size=1, max_size=30
)


@given(passwords)
def test_any_password_is_masked_whole(password: str) -> None:
    # Unescaped '@', '/', ':', '?' or '#' in a password do not leave a part of it behind.
    url = f"postgresql://analyst:{password}@db.example.com:5432/warehouse"
    assert mask_url(url) == "postgresql://analyst:***@db.example.com:5432/warehouse"


@given(passwords)
def test_no_message_keeps_the_password(password: str) -> None:
    # The engine may quote the URL, the password as written or percent-decoded, anywhere.
    for written in (password, quote(password, safe="")):
        url = f"postgresql://analyst:{written}@127.0.0.1:1/warehouse"
        text = f"cannot connect to {url!r}: password {password!r} rejected ({written})"
        assert password not in redact(text, url)


def test_remembered_urls_are_masked_in_later_messages() -> None:
    remember("postgresql://analyst:c0rrect-h0rse@db/w")
    assert redact("query failed: auth c0rrect-h0rse") == "query failed: auth ***"
