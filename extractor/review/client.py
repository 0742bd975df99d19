"""Thin adapter over ``label_studio_sdk`` that turns failures into clear errors."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx
from label_studio_sdk.core.api_error import ApiError

from extractor.review.errors import (
    ReviewAuthError,
    ReviewProjectError,
    ReviewServerError,
    ReviewUnreachableError,
)

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

IMPORT_CHUNK = 200


def _detail(exc: ApiError) -> str:
    body = exc.body
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("validation_errors") or body)[:300]
    return str(body)[:300]


# What the SDK raises when a server answers JSON of another shape than Label Studio's.
_SHAPE_ERRORS = (TypeError, ValueError, KeyError, AttributeError, IndexError)


@contextmanager
def server_errors(url: str, doing: str) -> Iterator[None]:
    """Translate transport and API failures while ``doing`` into ReviewServerError.

    Besides unreachable servers and HTTP errors this covers a redirect loop and
    an answer of an unexpected shape (``[]`` where a page of projects belongs):
    both mean LABEL_STUDIO_URL does not point at a Label Studio API.
    """
    try:
        yield
    except httpx.TransportError as exc:
        raise ReviewUnreachableError(
            f"cannot reach Label Studio at {url} while {doing} ({exc.__class__.__name__}: {exc}). "
            "Start one with `extractor review serve` or set LABEL_STUDIO_URL to your team server."
        ) from exc
    except httpx.TooManyRedirects as exc:
        raise ReviewServerError(
            f"Label Studio at {url} redirects in a loop while {doing} ({exc}); check LABEL_STUDIO_URL "
            "(http or https, host, no path after the port)."
        ) from exc
    except httpx.HTTPError as exc:
        raise ReviewServerError(f"Label Studio at {url} failed while {doing} ({exc.__class__.__name__}: {exc})") from exc
    except ApiError as exc:
        if exc.status_code in (401, 403):
            raise ReviewAuthError(
                f"Label Studio at {url} refused the API key while {doing} "
                f"(HTTP {exc.status_code}: {_detail(exc)}). Set LABEL_STUDIO_API_KEY to the token shown "
                "by `extractor review serve` or under Account & Settings in Label Studio."
            ) from exc
        raise ReviewServerError(
            f"Label Studio at {url} answered HTTP {exc.status_code} while {doing}: {_detail(exc)}"
        ) from exc
    except _SHAPE_ERRORS as exc:
        raise ReviewServerError(
            f"the server at {url} gave an answer Label Studio does not give while {doing} "
            f"({exc.__class__.__name__}: {str(exc)[:200]}); is LABEL_STUDIO_URL pointing at Label Studio?"
        ) from exc


def _listed(items: Iterable[Any], what: str, url: str) -> Iterator[Any]:
    """Items of a paged list, each with an id seen once: a server that pages forever is refused."""
    seen: set[int] = set()
    for item in items:
        item_id = getattr(item, "id", None)
        if not isinstance(item_id, int) or isinstance(item_id, bool):
            raise ReviewServerError(
                f"the server at {url} listed {what} without an id ({str(item)[:120]}); "
                "is LABEL_STUDIO_URL pointing at Label Studio?"
            )
        if item_id in seen:
            raise ReviewServerError(f"the server at {url} lists {what} {item_id} twice: its paging never ends")
        seen.add(item_id)
        yield item


class ReviewClient:
    """A checked connection to one Label Studio server."""

    def __init__(self, url: str, api_key: str | None, timeout: float = 60.0) -> None:
        from label_studio_sdk import LabelStudio

        if not api_key:
            raise ReviewAuthError(
                f"no API key for Label Studio at {url}: set LABEL_STUDIO_API_KEY, api_key in "
                "configs/review.toml, or start the local server with `extractor review serve`."
            )
        self.url = url.rstrip("/")
        self.ls: LabelStudio = LabelStudio(
            base_url=self.url, api_key=api_key, timeout=timeout
        )
        with server_errors(self.url, "checking the API key"):
            self.user = self.ls.users.whoami()

    def find_project(self, title: str) -> int | None:
        """Id of the project titled ``title``, or None."""
        with server_errors(self.url, "listing projects"):
            for project in _listed(self.ls.projects.list(page_size=100), "a project", self.url):
                if project.title == title:
                    return int(project.id)
        return None

    def require_project(self, title: str) -> int:
        """Id of ``title``; ReviewProjectError when it does not exist."""
        project_id = self.find_project(title)
        if project_id is None:
            raise ReviewProjectError(
                f"no project named {title!r} on Label Studio at {self.url}: push rows first "
                "(`extractor review push OUT_DIR`) or pass --project with an existing name."
            )
        return project_id

    def ensure_project(self, title: str, label_config: str, description: str = "") -> tuple[int, bool]:
        """Id of ``title``, creating it with ``label_config``; also says if it was created."""
        project_id = self.find_project(title)
        if project_id is not None:
            return project_id, False
        with server_errors(self.url, f"creating project {title!r}"):
            project = self.ls.projects.create(
                title=title,
                label_config=label_config,
                description=description or "Row units the classifier was unsure about (extractor review push).",
                show_collab_predictions=True,
                enable_empty_annotation=False,
                maximum_annotations=1,
                show_skip_button=True,
                sampling="Sequential sampling",
            )
        return int(project.id), True

    def task_keys(self, project_id: int) -> set[str]:
        """The ``key`` of every task already in the project."""
        keys = set()
        with server_errors(self.url, f"listing tasks of project {project_id}"):
            for task in _listed(self.ls.tasks.list(project=project_id, page_size=500), "a task", self.url):
                key = (task.data or {}).get("key")
                if key:
                    keys.add(str(key))
        return keys

    def import_tasks(
        self, project_id: int, tasks: Sequence[dict[str, Any]]
    ) -> list[int]:
        """Import tasks (with predictions) in order; return the new task ids."""
        ids: list[int] = []
        for start in range(0, len(tasks), IMPORT_CHUNK):
            chunk = list(tasks[start : start + IMPORT_CHUNK])
            with server_errors(self.url, f"importing tasks into project {project_id}"):
                response = self.ls.projects.import_tasks(
                    project_id, request=chunk, return_task_ids=True
                )
            ids.extend(response.task_ids or [])
        return ids

    def set_model_version(self, project_id: int, model_version: str) -> None:
        """Show predictions of ``model_version`` as pre-selected labels."""
        with server_errors(
            self.url, f"setting the model version of project {project_id}"
        ):
            self.ls.projects.update(project_id, model_version=model_version)

    def export_annotated(self, project_id: int) -> list[dict[str, Any]]:
        """JSON export of the project's annotated tasks."""
        with server_errors(self.url, f"exporting project {project_id}"):
            raw = b"".join(
                self.ls.projects.exports.download_sync(project_id, export_type="JSON")
            )
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ReviewServerError(
                f"export of project {project_id} from {self.url} is not JSON ({exc.msg}); "
                "is LABEL_STUDIO_URL pointing at Label Studio?"
            ) from exc
        if not isinstance(data, list):
            raise ReviewServerError(
                f"export of project {project_id} from {self.url} is not a task list"
            )
        return data

    def user_emails(self) -> dict[int, str]:
        """User id -> e-mail (empty when this account may not list users)."""
        try:
            with server_errors(self.url, "listing users"):
                return {
                    int(u.id): str(u.email or u.username or u.id)
                    for u in self.ls.users.list()
                }
        except ReviewServerError:
            return {}
