"""A Label Studio server, through its REST API: projects, task import, export.

Plain HTTP (``requests``) rather than ``label-studio-sdk``: SDK 2.1.2 pins
``opencv-python-headless<4.13``, which needs ``numpy<2.3``, and this project pins ``numpy>=2.4``,
so the two cannot share a venv. The calls used here are the ones the SDK makes.

Tokens: a personal access token (Label Studio 1.20+, *Account & Settings -> Personal Access
Token*; a JWT refresh token) is exchanged at ``/api/token/refresh/`` for a short-lived access token,
renewed when it expires. Anything else is sent as a legacy token (``Authorization: Token ...``),
which Label Studio 1.23 refuses unless the organisation enabled legacy tokens.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from pipeline.errors import AnnotationServerError


def _is_jwt(token: str) -> bool:
    parts = token.split(".")
    return len(parts) == 3 and all(parts)


def same_config(a: str, b: str) -> bool:
    """Whether two labelling configs are the same XML (comments and layout whitespace aside)."""
    def canon(xml: str) -> str:
        try:
            return ET.canonicalize(xml, strip_text=True)
        except ET.ParseError:
            return xml.strip()
    return canon(a) == canon(b)


class LabelStudioServer:
    """One Label Studio server at ``url`` used with ``token``.

    Every failure is an :class:`~pipeline.errors.AnnotationServerError` naming the server: not
    reachable, token refused, or a request the server rejected (with its answer).
    """

    def __init__(self, url: str, token: str, *, timeout: float = 60.0):
        import requests

        self.url = url.rstrip("/")
        self.token = token.strip()
        self.timeout = timeout
        self._http = requests.Session()
        self._access: str | None = None

    # ------------------------------------------------------------------ plumbing

    def _send(self, method: str, path: str, *, auth: bool = True, **kw):
        import requests

        headers = dict(kw.pop("headers", {}))
        if auth:
            headers["Authorization"] = self._authorization()
        try:
            return self._http.request(method, self.url + path, headers=headers, timeout=self.timeout, **kw)
        except requests.RequestException as exc:
            reason = (f"no answer in {self.timeout:g} s" if isinstance(exc, requests.Timeout) else
                      "connection refused or no such host" if isinstance(exc, requests.ConnectionError) else
                      f"{type(exc).__name__}: {exc}")
            raise AnnotationServerError(
                f"cannot reach Label Studio at {self.url} ({reason}). Fix: start the server, or give "
                f"the right --url") from None

    def _refused(self, response) -> AnnotationServerError:
        hint = ("a personal access token from Account & Settings" if _is_jwt(self.token) else
                "a personal access token from Account & Settings (this one is a legacy token, which "
                "Label Studio refuses unless the organisation enabled legacy tokens)")
        return AnnotationServerError(
            f"Label Studio at {self.url} refused the token (HTTP {response.status_code}: "
            f"{response.text[:200].strip()}). Fix: give --token {hint}")

    def _authorization(self) -> str:
        if not _is_jwt(self.token):
            return f"Token {self.token}"
        if self._access is None:
            response = self._send("POST", "/api/token/refresh/", auth=False, json={"refresh": self.token})
            if response.status_code != 200:
                raise self._refused(response)
            self._access = response.json()["access"]
        return f"Bearer {self._access}"

    def _json(self, method: str, path: str, **kw) -> Any:
        response = self._send(method, path, **kw)
        if response.status_code == 401 and self._access is not None:  # access token expired
            self._access = None
            response = self._send(method, path, **kw)
        if response.status_code in (401, 403):
            raise self._refused(response)
        if response.status_code >= 400:
            raise AnnotationServerError(
                f"Label Studio at {self.url}: {method} {path} failed with HTTP {response.status_code}: "
                f"{response.text[:300].strip()}")
        return response.json() if response.content else None

    # ------------------------------------------------------------------ API

    def check(self) -> dict:
        """The token's user (``GET /api/current-user/whoami``); fails if unreachable or refused."""
        self._send("GET", "/health", auth=False)  # a clear "cannot reach" before any token error
        return self._json("GET", "/api/current-user/whoami")

    def find_project(self, title: str) -> dict | None:
        """The project with exactly this title, or None."""
        page = 1
        while True:
            answer = self._json("GET", "/api/projects/", params={"title": title, "page": page, "page_size": 100})
            results = answer.get("results", []) if isinstance(answer, dict) else answer
            found = [p for p in results if p.get("title") == title]
            if found:
                return self._json("GET", f"/api/projects/{found[0]['id']}/")
            if not isinstance(answer, dict) or not answer.get("next"):
                return None
            page += 1

    def ensure_project(self, title: str, label_config: str) -> tuple[dict, bool]:
        """``(project, created)``: the project of this title, made with ``label_config`` if missing.

        An existing project with another labelling config is an error (its annotations would not
        read back as ours).
        """
        project = self.find_project(title)
        if project is None:
            return self._json("POST", "/api/projects/", json={"title": title, "label_config": label_config}), True
        self.require_config(project, label_config)
        return project, False

    def require_config(self, project: dict, label_config: str) -> None:
        if not same_config(project.get("label_config") or "", label_config):
            raise AnnotationServerError(
                f"Label Studio at {self.url}: project {project.get('title')!r} (id {project.get('id')}) "
                f"has another labelling config than ours, so its annotations cannot be read as ours. "
                f"Fix: give another --project name, or set the project's config to the file in "
                f"annotations/")

    def import_tasks(self, project_id: int, tasks: list[dict]) -> int:
        """Import tasks (with their predictions); returns how many the server took."""
        if not tasks:
            return 0
        answer = self._json("POST", f"/api/projects/{project_id}/import", json=tasks)
        return int((answer or {}).get("task_count", len(tasks)))

    def export(self, project_id: int) -> list[dict]:
        """Every task of the project with its annotations (JSON export, ``download_all_tasks``)."""
        return self._json("GET", f"/api/projects/{project_id}/export",
                          params={"exportType": "JSON", "download_all_tasks": "true"})
