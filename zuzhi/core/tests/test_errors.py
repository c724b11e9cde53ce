"""core.errors.RuleRefused: a rule's refusal that names its HTTP status, answered by the API
without the API importing the domain app that raised it."""

import ast
import json
from pathlib import Path

from django.core.exceptions import ValidationError

import zuzhi
from zuzhi.core.errors import RuleRefused

DOMAIN_APPS = ("appraisal", "contests", "dues", "members", "orglife", "orgs", "points")


def test_the_api_imports_no_domain_app():
    tree = ast.parse(Path(zuzhi.__file__).with_name("api.py").read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not [m for m in imported if m.split(".")[1:2] and m.split(".")[1] in DOMAIN_APPS]


def test_a_rule_refused_is_a_validation_error_with_a_status():
    exc = RuleRefused("投票已经结束。", status=403)
    assert isinstance(exc, ValidationError)
    assert exc.messages == ["投票已经结束。"] and exc.status == 403
    assert RuleRefused("不行。").status == 400


def test_the_api_answers_a_rule_refused_with_its_status_and_message(rf):
    from zuzhi.api import api

    handler = api._lookup_exception_handler(RuleRefused("操作过于频繁，请稍后再试。", status=429))
    response = handler(rf.get("/api/x"), RuleRefused("操作过于频繁，请稍后再试。", status=429))
    assert response.status_code == 429
    assert json.loads(response.content) == {"message": "操作过于频繁，请稍后再试。", "errors": {}}


def test_the_vote_refusal_is_a_rule_refused():
    from zuzhi.contests.voting.services import VoteRefused

    assert issubclass(VoteRefused, RuleRefused)
