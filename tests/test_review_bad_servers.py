"""Review commands against a real HTTP server that is not Label Studio: E301, annotations untouched.

Each test starts a tiny ``http.server`` on 127.0.0.1 that answers the way a
misconfigured proxy or a wrong URL does; nothing is mocked.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from extractor.errors import ReviewServerError
from extractor.review.pull import pull_annotations
from extractor.review.reviews import reviews_path
from extractor.review.settings import ReviewSettings

WHOAMI = {"id": 1, "email": "reviewer@example.org", "username": "reviewer"}


class _Handler(BaseHTTPRequestHandler):
    projects: Any = []
    redirect_loop = False

    def log_message(self, *_args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.redirect_loop:
            self.send_response(302)
            self.send_header("Location", self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = WHOAMI if "whoami" in self.path else self.projects if "/api/projects" in self.path else {}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def start(**answers: Any) -> str:
        handler = type("Handler", (_Handler,), answers)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def annotations(tmp_path: Path) -> Path:
    path = reviews_path(tmp_path / "annotations")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"key": "abc:1:0", "label": "indicator", "time": "2026-01-01T00:00:00+00:00"}) + "\n")
    return tmp_path / "annotations"


@pytest.mark.parametrize(
    ("answers", "says"),
    [
        ({"projects": []}, "answer Label Studio does not give while listing projects"),
        ({"projects": {"results": 5}}, "answer Label Studio does not give"),
        ({"projects": {"results": [{"name": "no id"}]}}, "without an id"),
        ({"projects": {"results": [{"id": 7, "title": "other"}]}}, "paging never ends"),
        ({"redirect_loop": True}, "redirects in a loop"),
    ],
    ids=["empty-list", "results-not-a-list", "project-without-id", "same-page-forever", "redirect-loop"],
)
def test_pull_from_a_server_that_is_not_label_studio_is_e301(serve: Any, annotations: Path, answers: dict, says: str) -> None:
    url = serve(**answers)
    before = reviews_path(annotations).read_bytes()
    settings = ReviewSettings(url=url, api_key="token", annotations_dir=annotations)
    with pytest.raises(ReviewServerError) as caught:
        pull_annotations(settings=settings)
    message = str(caught.value)
    assert message.startswith("[E301]") and url in message and says in message
    assert reviews_path(annotations).read_bytes() == before
    assert sorted(p.name for p in reviews_path(annotations).parent.iterdir()) == [reviews_path(annotations).name]
