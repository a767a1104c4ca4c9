"""The public collection of responses: the signed form token a submission must carry, the rate
limit per client address, and which answers a skip condition leaves out.

A token is made when the form is shown (or asked for through the API) and names the survey, the
agency, the dossier code of the link and the moment it was issued, signed with the server's
SECRET_KEY: a submission cannot pick another agency or dossier than its link, and an old page
cannot be replayed after the token expires. The rate limit counts attempts in the database
(`SubmissionAttempt`), so every server process sees the same count.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from parindex.orgs.models import Organisation
from parindex.surveys.models import SubmissionAttempt, Survey
from parindex.surveys.questions import QuestionSpec, Value, check_answer, is_shown

_SALT = "parindex.surveys.form-token"
# Long enough to read and answer the form at the desk or at home the same morning.
TOKEN_MAX_AGE = timedelta(hours=2)
RATE_WINDOW = timedelta(minutes=10)


def rate_limit() -> int:
    """Submissions one client address may make in RATE_WINDOW."""
    return int(getattr(settings, "PARINDEX_SURVEY_RATE_LIMIT", 10))


class BadToken(ValueError):
    """The token is missing, forged, for another form, or expired (`expired`)."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "bad token")
        self.expired = expired


@dataclass(frozen=True)
class FormToken:
    survey_id: int
    agency_id: int
    dossier_code: str
    issued_at: int


def issue_token(survey: Survey, agency: Organisation, dossier_code: str) -> str:
    return signing.dumps(
        {"s": survey.pk, "a": agency.pk, "d": dossier_code, "t": int(time.time())}, salt=_SALT
    )


def read_token(token: str, *, survey: Survey | None = None) -> FormToken:
    """The token's content, checked: signed by this server, not older than TOKEN_MAX_AGE and,
    when `survey` is given, made for it."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise BadToken(expired=True) from None
    except signing.BadSignature:
        raise BadToken() from None
    try:
        found = FormToken(int(data["s"]), int(data["a"]), str(data["d"]), int(data["t"]))
    except (KeyError, TypeError, ValueError):
        raise BadToken() from None
    if survey is not None and found.survey_id != survey.pk:
        raise BadToken()
    return found


def client_address(request: HttpRequest) -> str:
    """The client's address; behind the proxy (PARINDEX_BEHIND_PROXY) the one the proxy added
    last to X-Forwarded-For, since REMOTE_ADDR is then the proxy's own, shared by everyone.
    Earlier entries of the header are the client's say and are not trusted."""
    if getattr(settings, "PARINDEX_BEHIND_PROXY", False):
        forwarded = [
            a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        ]
        if forwarded and forwarded[-1]:
            return str(forwarded[-1])
    return str(request.META.get("REMOTE_ADDR", "")) or "unknown"


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the client's address: enough to count its attempts, nothing to identify
    it by."""
    address = client_address(request)
    return salted_hmac("parindex.surveys.rate", address).hexdigest()[:64]


def over_limit(key: str) -> bool:
    since = timezone.now() - RATE_WINDOW
    return SubmissionAttempt.objects.filter(address=key, at__gte=since).count() >= rate_limit()


def count_attempt(key: str) -> None:
    """Counts one attempt and forgets those past the window, so the table stays small."""
    now = timezone.now()
    SubmissionAttempt.objects.filter(at__lt=now - RATE_WINDOW).delete()
    SubmissionAttempt.objects.create(address=key, at=now)


def drop_skipped(questions: Sequence[QuestionSpec], raw: Mapping[str, str]) -> dict[str, str]:
    """The answers without those to questions their skip condition hides, given the answers
    before them: a form sent without its script (or with stale fields) still says only what
    the questionnaire asks. Unreadable answers are kept, for the checks to refuse."""
    shown: dict[str, Value] = {}
    kept: dict[str, str] = {}
    for question in questions:
        text = raw.get(question.code, "")
        result = check_answer(question, text)
        if result is None:
            continue
        if not is_shown(question, shown):
            continue
        kept[question.code] = text
        if isinstance(result, Value):
            shown[question.code] = result
    kept.update({k: v for k, v in raw.items() if k not in {q.code for q in questions}})
    return kept
