"""Every answer carries the Content-Security-Policy: only this site's own scripts run."""

from django.urls import reverse


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(d.strip().split(" ", 1) for d in policy.split(";"))


def test_pages_carry_a_strict_policy(client, county, county_user):
    for response in (client.get(reverse("accounts:login")), client.get("/api/orgs")):
        policy = directives(response)
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'"  # no inline script, no eval
        assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    client.force_login(county_user)
    assert "script-src" in directives(client.get(reverse("home")))


def test_templates_hold_no_inline_script_or_handler():
    # The policy does not run them, so one left in a template would silently stop working.
    import re

    from django.conf import settings

    inline = re.compile(r"<script(?![^>]*\b(src|type=\"application/json\")\b)[^>]*>|\son[a-z]+=")
    found = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (settings.BASE_DIR / "templates").rglob("*.html")
        if inline.search(path.read_text())
    ]
    assert found == []
