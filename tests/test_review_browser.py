"""A reviewer labels the first queued task in the real web UI (headless Chromium)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from label_studio_sdk import LabelStudio
from playwright.sync_api import expect, sync_playwright

from extractor.datamodel import LABELS
from extractor.review import load_reviews, pull_annotations, push_queue
from extractor.review.server import ServerHandle
from extractor.review.settings import ReviewSettings
from tests import review_fixtures
from tests.review_fixtures import make_rows

# Fixtures shared with the other review modules (one server per session).
ls_server = review_fixtures.ls_server
ls_settings = review_fixtures.ls_settings
out_dir = review_fixtures.out_dir

pytestmark = [pytest.mark.labelstudio, pytest.mark.browser]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip


def _wait_for_annotation(
    client: LabelStudio, task_id: int, timeout: float = 20.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.annotations.list(id=task_id):
            return
        time.sleep(0.3)
    raise AssertionError(
        f"task {task_id} has no annotation after submitting in the browser"
    )


def test_reviewer_labels_first_task_in_browser(
    ls_server: ServerHandle,
    ls_settings: ReviewSettings,
    out_dir: Path,
) -> None:
    pushed = push_queue(out_dir, settings=ls_settings)
    first = min(make_rows(), key=lambda r: r["confidence"])  # the most uncertain row
    choice = next(label for label in LABELS if label != first["label"])
    hotkey = str(LABELS.index(choice) + 1)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            page.goto(f"{ls_server.url}/user/login/")
            page.fill('input[name="email"]', ls_server.username)
            page.fill('input[name="password"]', ls_server.password)
            page.click('button[type="submit"]')
            page.wait_for_url(lambda url: "/user/login" not in url)

            page.goto(
                f"{ls_server.url}/projects/{pushed.project_id}/data?labeling=1"
            )  # the label stream
            expect(page.locator('[data-unit="1"]')).to_have_text(first["text"])
            for text in [
                *first["context"]["next_row_texts"],
                first["section_title"],
                first["context"]["header"],
            ]:
                if text:
                    expect(page.get_by_text(text, exact=False).first).to_be_visible()
            expect(
                page.get_by_role("radio", name=first["label"])
            ).to_be_checked()  # the model's prediction

            page.keyboard.press(hotkey)
            expect(page.get_by_role("radio", name=choice)).to_be_checked()
            page.get_by_test_id("bottombar-submit-button").click()
            _wait_for_annotation(
                LabelStudio(base_url=ls_server.url, api_key=ls_server.api_key),
                pushed.task_ids[0],
            )
        finally:
            browser.close()

    result = pull_annotations(settings=ls_settings)
    assert (result.new, result.corrected) == (1, 1)
    review = load_reviews(ls_settings.annotations_dir)[first["key"]]
    assert (review["label"], review["predicted_label"]) == (choice, first["label"])
