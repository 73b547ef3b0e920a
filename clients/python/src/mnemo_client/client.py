"""A typed client of the Mnemo HTTP API, mirroring the TypeScript ``MnemoClient``.

Every write sends an ``Idempotency-Key`` (yours, or a random one reused across its retries), so
retrying after a timeout never applies a write twice. Errors raise :class:`MnemoError` with the
server's ``code``, ``message`` and ``hint``.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

JSON = Dict[str, Any]

_RETRYABLE = {429, 502, 503, 504}
_UNSET: Any = object()


class MnemoError(Exception):
    """A failed API call: ``code`` (e.g. ``NOT_FOUND``), ``status`` (HTTP, 0 for network errors),
    ``message``, ``hint`` and the server's ``request_id``.

    Example::

        try:
            client.memory("mem_x")
        except MnemoError as e:
            if e.code == "NOT_FOUND":
                print(e.hint)
    """

    def __init__(self, code: str, status: int, message: str, hint: str = "", request_id: Optional[str] = None,
                 retry_after: Optional[int] = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.status = status
        self.message = message
        self.hint = hint
        self.request_id = request_id
        self.retry_after = retry_after

    def to_dict(self) -> Dict[str, str]:
        """The ``{code, message, hint}`` shape of the API."""
        return {"code": self.code, "message": self.message, "hint": self.hint}


def _drop_none(d: Mapping[str, Any]) -> JSON:
    return {k: v for k, v in d.items() if v is not None and v is not _UNSET}


def _q(v: Any) -> str:
    return urllib.parse.quote(str(v), safe="")


class MnemoClient:
    """Client of a Mnemo server.

    Example::

        client = MnemoClient("http://127.0.0.1:8080", api_key=os.environ.get("MNEMO_KEY"))
        client.remember("alice", [{"role": "user", "content": "I love hiking."}])
        hits = client.recall("alice", "What does Alice like?", budget_tokens=300)
    """

    def __init__(self, base_url: str, api_key: Optional[str] = None, *, timeout: float = 30.0, retries: int = 3,
                 max_backoff: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.retries = max(0, retries)
        self.max_backoff = max_backoff

    # -- transport -----------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, query: Optional[Mapping[str, Any]] = None, body: Optional[bytes] = None,
              content_type: str = "application/json", idempotency_key: Optional[str] = None) -> bytes:
        qs = urllib.parse.urlencode(
            {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in (query or {}).items() if v is not None})
        url = f"{self.base_url}{path}{'?' + qs if qs else ''}"
        headers = {"accept": "application/json"}
        if self.api_key:
            headers["authorization"] = f"Bearer {self.api_key}"
        if body is not None:
            headers["content-type"] = content_type
        if idempotency_key is not None:
            headers["idempotency-key"] = idempotency_key
        attempt = 0
        while True:
            last = attempt >= self.retries
            backoff = min(self.max_backoff, 0.1 * 2 ** attempt) * (0.5 + random.random() / 2)
            req = urllib.request.Request(url, data=body, method=method, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as res:
                    return res.read()
            except urllib.error.HTTPError as e:
                retry_after_h = e.headers.get("retry-after") if e.headers else None
                retry_after = int(retry_after_h) if retry_after_h and retry_after_h.isdigit() else None
                retryable = e.code in _RETRYABLE or (e.code == 409 and retry_after is not None)
                if retryable and not last:
                    time.sleep(min(self.max_backoff, retry_after) if retry_after is not None else backoff)
                    attempt += 1
                    continue
                raise self._error(e, retry_after) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
                if not last:
                    time.sleep(backoff)
                    attempt += 1
                    continue
                raise MnemoError("NETWORK_ERROR", 0, f"{method} {path} failed: {e}",
                                 "Check that the server is running and the URL is right.") from e

    @staticmethod
    def _error(e: urllib.error.HTTPError, retry_after: Optional[int]) -> MnemoError:
        request_id = e.headers.get("x-request-id") if e.headers else None
        text = e.read().decode("utf-8", "replace")
        try:
            err = json.loads(text).get("error")
            if isinstance(err, dict) and isinstance(err.get("code"), str):
                return MnemoError(err["code"], e.code, str(err.get("message", err["code"])), str(err.get("hint", "")),
                                  request_id, retry_after)
        except (ValueError, AttributeError):
            pass
        return MnemoError(f"HTTP_{e.code}", e.code, text[:500] or str(e.reason), "", request_id, retry_after)

    def _json(self, method: str, path: str, *, body: Any = None, write: bool = False,
              idempotency_key: Optional[str] = None, query: Optional[Mapping[str, Any]] = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        key = (idempotency_key or str(uuid.uuid4())) if write else None
        raw = self._call(method, path, query=query, body=data, idempotency_key=key)
        return json.loads(raw.decode("utf-8")) if raw else None

    # -- API -------------------------------------------------------------------------------------

    def remember(self, user_id: str, messages: Sequence[Mapping[str, Any]], *, session_id: Optional[str] = None,
                 agent_id: Optional[str] = None, idempotency_key: Optional[str] = None) -> JSON:
        """Stores messages (``{"role"|"speaker", "content", "id"?, "occurredAt"?}``); memories are distilled from them.

        Example::

            client.remember("alice", [{"id": "m1", "role": "user", "content": "I love hiking."}])
        """
        body = _drop_none({"userId": user_id, "agentId": agent_id, "sessionId": session_id, "messages": list(messages)})
        return self._json("POST", "/v1/remember", body=body, write=True, idempotency_key=idempotency_key)

    def recall(self, user_id: str, query: str, *, budget_tokens: Optional[int] = None, as_of: Optional[str] = None,
               kinds: Optional[Iterable[str]] = None, include_episodes: Optional[bool] = None,
               cite_sources: Optional[bool] = None, agent_id: Optional[str] = None,
               filters: Optional[Mapping[str, str]] = None) -> JSON:
        """What answers ``query``: ``{"context", "contextTokens", "results"}``.

        Example::

            print(client.recall("alice", "What does Alice like?", budget_tokens=300)["context"])
        """
        body = _drop_none({"userId": user_id, "query": query, "budgetTokens": budget_tokens, "asOf": as_of,
                           "kinds": list(kinds) if kinds is not None else None, "includeEpisodes": include_episodes,
                           "citeSources": cite_sources, "agentId": agent_id,
                           "filters": dict(filters) if filters is not None else None})
        return self._json("POST", "/v1/recall", body=body)

    def memories(self, user_id: str, *, kind: Union[str, Iterable[str], None] = None, cursor: Optional[str] = None,
                 limit: Optional[int] = None, include_invalidated: Optional[bool] = None,
                 include_forgotten: Optional[bool] = None, agent_id: Optional[str] = None) -> JSON:
        """One page of a user's memories, newest first: ``{"items", "nextCursor"}``.

        Example::

            page = client.memories("alice", kind=["fact", "preference"], limit=20)
        """
        kinds = kind if isinstance(kind, str) or kind is None else ",".join(kind)
        return self._json("GET", "/v1/memories", query={"userId": user_id, "agentId": agent_id, "kind": kinds,
                                                        "cursor": cursor, "limit": limit,
                                                        "includeInvalidated": include_invalidated,
                                                        "includeForgotten": include_forgotten})

    def memory(self, memory_id: str, *, user_id: Optional[str] = None) -> JSON:
        """One memory by id (``NOT_FOUND`` when absent or in another tenant)."""
        return self._json("GET", f"/v1/memories/{_q(memory_id)}", query={"userId": user_id})

    def history(self, memory_id: str, *, user_id: Optional[str] = None) -> List[JSON]:
        """Every version of a memory, oldest first."""
        return self._json("GET", f"/v1/memories/{_q(memory_id)}/history", query={"userId": user_id})["items"]

    def add(self, user_id: str, kind: str, text: str, *, key: Optional[str] = None, subject: Optional[str] = None,
            importance: Optional[float] = None, valid_from: Optional[str] = None, expires_at: Optional[str] = None,
            metadata: Optional[Mapping[str, Any]] = None, agent_id: Optional[str] = None,
            idempotency_key: Optional[str] = None) -> JSON:
        """Adds a fact, preference or instruction directly: ``{"memory", "created", "changed"}``.

        Example::

            client.add("alice", "preference", "Alice prefers window seats.")
        """
        body = _drop_none({"userId": user_id, "agentId": agent_id, "kind": kind, "text": text, "key": key,
                           "subject": subject, "importance": importance, "validFrom": valid_from,
                           "expiresAt": expires_at, "metadata": dict(metadata) if metadata is not None else None})
        return self._json("POST", "/v1/memories", body=body, write=True, idempotency_key=idempotency_key)

    def update(self, memory_id: str, *, text: Optional[str] = None, kind: Optional[str] = None,
               importance: Optional[float] = None, expires_at: Any = _UNSET, valid_from: Any = _UNSET,
               user_id: Optional[str] = None, idempotency_key: Optional[str] = None) -> JSON:
        """Edits a memory (the old version stays in history). Pass ``expires_at=None`` to clear it."""
        body = _drop_none({"text": text, "kind": kind, "importance": importance})
        if expires_at is not _UNSET:
            body["expiresAt"] = expires_at
        if valid_from is not _UNSET:
            body["validFrom"] = valid_from
        return self._json("PATCH", f"/v1/memories/{_q(memory_id)}", body=body, write=True,
                          idempotency_key=idempotency_key, query={"userId": user_id})

    def forget(self, memory_id: str, *, user_id: Optional[str] = None, idempotency_key: Optional[str] = None) -> JSON:
        """Forgets a memory (never recalled again; kept in history)."""
        return self._json("DELETE", f"/v1/memories/{_q(memory_id)}", write=True, idempotency_key=idempotency_key,
                          query={"userId": user_id})

    def restore(self, memory_id: str, *, user_id: Optional[str] = None, idempotency_key: Optional[str] = None) -> JSON:
        """Undoes a forget: the memory is recalled again."""
        return self._json("POST", f"/v1/memories/{_q(memory_id)}/restore", write=True,
                          idempotency_key=idempotency_key, query={"userId": user_id})

    def delete_episode(self, episode_id: str, *, user_id: str, idempotency_key: Optional[str] = None) -> JSON:
        """Deletes one message (episode id or your message id): never recalled or exported again;
        memories that came only from it are deleted too. ``{"id", "memoriesDeleted", "memoriesUpdated"}``.
        """
        return self._json("DELETE", f"/v1/episodes/{_q(episode_id)}", write=True, idempotency_key=idempotency_key,
                          query={"userId": user_id})

    def erase(self, user_id: str, *, idempotency_key: Optional[str] = None) -> JSON:
        """Erases a user and everything derived from them (needs the admin scope)."""
        return self._json("DELETE", f"/v1/users/{_q(user_id)}", write=True, idempotency_key=idempotency_key)

    def export(self, user_id: str) -> str:
        """A user as JSONL text (round-trips with :meth:`import_jsonl`)."""
        return self._call("GET", f"/v1/users/{_q(user_id)}/export").decode("utf-8")

    def import_jsonl(self, jsonl: str, *, user_id: Optional[str] = None, allow_instructions: Optional[bool] = None,
                     idempotency_key: Optional[str] = None) -> JSON:
        """Imports JSONL made by :meth:`export` (optionally as another user): ``{"episodes", "memories", "entities"}``."""
        raw = self._call("POST", "/v1/import", query={"userId": user_id, "allowInstructions": allow_instructions},
                         body=jsonl.encode("utf-8"), content_type="application/x-ndjson",
                         idempotency_key=idempotency_key or str(uuid.uuid4()))
        return json.loads(raw.decode("utf-8"))

    def health(self) -> JSON:
        """Liveness: ``{"status": "ok"}``."""
        return self._json("GET", "/healthz")
