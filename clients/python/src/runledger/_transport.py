"""One HTTP request with urllib (the standard library: the client installs nothing else)."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Optional, Tuple

from . import __version__

USER_AGENT = f"runledger-python/{__version__}"


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    #: Header names in lower case.
    headers: Mapping[str, str]
    body: bytes


class NetworkError(Exception):
    """No answer: refused, reset, timed out, or cut off mid-answer."""


#: ``(method, url, headers, body, timeout seconds) -> HttpAnswer``, raising NetworkError when there is no answer.
Transport = Callable[[str, str, Mapping[str, str], Optional[bytes], float], HttpAnswer]


def urllib_transport(method: str, url: str, headers: Mapping[str, str], body: Optional[bytes], timeout: float) -> HttpAnswer:
    request = urllib.request.Request(url, data=body, method=method, headers={"User-Agent": USER_AGENT, **headers})  # noqa: S310 (the URL is the caller's base URL)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return HttpAnswer(response.status, _lower(response.headers.items()), response.read())
    except urllib.error.HTTPError as answer:
        # urllib raises for 4xx/5xx; for this client they are answers like any other.
        return _read_error_answer(answer)
    except (OSError, http.client.HTTPException) as error:
        raise NetworkError(f"{type(error).__name__}: {error}") from error


def _read_error_answer(answer: urllib.error.HTTPError) -> HttpAnswer:
    try:
        with answer:
            return HttpAnswer(answer.code, _lower(answer.headers.items()), answer.read())
    except (OSError, http.client.HTTPException) as error:
        raise NetworkError(f"{type(error).__name__}: {error}") from error


def _lower(headers: Iterable[Tuple[str, str]]) -> Mapping[str, str]:
    return {name.lower(): value for name, value in headers}
