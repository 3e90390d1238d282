"""The API docs (Swagger UI, Redoc) and GraphiQL load every asset from this server, so they work with
no internet; the vendored GraphiQL files are the bytes their integrity hashes pin."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.urls import reverse

VENDOR = Path(__file__).resolve().parents[2] / "kraken" / "static"
ASSET = re.compile(r'(?:src|href)="([^"]+\.(?:js|css))"')


def _assets(html: str) -> list[str]:
    return ASSET.findall(html)


@pytest.mark.django_db
class TestOfflineDocs:
    @pytest.mark.parametrize("url_name", ["swagger-ui", "redoc"])
    def test_api_docs_load_their_assets_from_this_server(self, client, url_name):
        response = client.get(reverse(url_name))

        assets = _assets(response.content.decode())
        assert assets
        assert all(asset.startswith("/static/") for asset in assets), assets
        for asset in assets:
            assert client.get(asset).status_code == 200, asset

    def test_graphiql_loads_its_assets_from_this_server(self, client):
        response = client.get(reverse("graphql"), HTTP_ACCEPT="text/html")

        html = response.content.decode()
        assets = _assets(html)
        assert len(assets) >= 8
        assert all(asset.startswith("/static/") for asset in assets), assets
        for asset in assets:
            assert client.get(asset).status_code == 200, asset


class TestVendoredGraphiql:
    def test_every_file_matches_its_integrity_hash(self):
        template = (
            Path(__file__).resolve().parents[2] / "templates" / "graphene" / "graphiql.html"
        ).read_text()

        pinned = re.findall(r"\{% static '([^']+)' %\}\"\s+integrity=\"sha256-([^\"]+)\"", template)

        assert len(pinned) == 8
        for path, digest in pinned:
            actual = base64.b64encode(hashlib.sha256((VENDOR / path).read_bytes()).digest()).decode()
            assert actual == digest, path
