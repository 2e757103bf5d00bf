"""The app layers hold for templates and URL names too, not only for Python imports.

Bottom to top: trusts < pupils < register < (graduated | ehcp) < reviews < reports. An app may name
its own templates and URLs and those of the apps below it; never those of an app above it, and
graduated and ehcp (independent siblings) never name each other's. `make lint` checks the Python
imports (import-linter, pyproject.toml); this test checks what import-linter cannot see:

- templates: a quoted literal in a block tag that names a template (`{% include %}`, `{% extends %}`,
  or any literal `"<app>/....html"`) or a URL name of an app's namespace (`{% url 'ns:name' %}`, or
  that literal given to any other tag);
- Python source of each app (migrations aside): every string literal that is exactly an app's URL
  name (`reverse("ns:name")`, `reverse_lazy`, `redirect`, `resolve_url`, and the same name kept as
  data in a registry or a menu) or an app's template path (`render(request, "reports/x.html")`).

Which app owns a template is where it lives: `templates/<app>/...` (or `<app>/templates/`) is the
app's; everything else at the top of `templates/` (base.html, the error pages, includes/, and the
account/, allauth/ and mfa/ overrides of django-allauth) is shared site chrome. Shared templates
count as part of the bottom layer, with trusts: every app may use them, and they may name only
trusts and other shared templates and URLs. Which app owns a URL namespace is read from the real
URL conf (`django.urls.get_resolver`): the app whose `urls` module the namespace includes. URL names
without a namespace (django-allauth's `account_login`, config's `mfa_activate_totp`) are
project-level and not checked; `config` sits above every app and is not checked either.

Existing breaches are listed in KNOWN_VIOLATIONS so the suite is green; the list can only shrink:
an entry that no longer occurs fails the test, so whoever removes a breach removes its entry.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.template.base import Lexer, TokenType
from django.urls import URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top; apps in one tuple share a layer and, being independent, never name each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("trusts",),
    ("pupils",),
    ("register",),
    ("graduated", "ehcp"),
    ("reviews",),
    ("reports",),
)
APPS = tuple(app for layer in LAYERS for app in layer)
SHARED = "shared"  # the templates at the top of templates/, level with trusts (see the docstring)
_LEVEL = {app: level for level, layer in enumerate(LAYERS) for app in layer} | {SHARED: 0}

_URL_NAME = re.compile(r"[A-Za-z_][\w-]*(?::[A-Za-z_][\w-]*)+")  # ns:name, ns:inner:name
_TEMPLATE_PATH = re.compile(r"[\w-]+/[\w./-]+\.(?:html|txt|xml|ics)")  # folder/name.html
_KEYWORD_BIT = re.compile(r"[A-Za-z_]\w*=(.*)", re.S)  # with caption="..."
_LITERAL = re.compile(r'"([^"]*)"|\'([^\']*)\'', re.S)

# What a breach is keyed by: (file relative to the project, kind of reference, the name it gives).
# No line numbers, so that editing a file elsewhere does not move an entry.
Key = tuple[str, str, str]

KNOWN_VIOLATIONS: set[Key] = {
    # Sibling to sibling: a support review's next step links to the EHC needs-assessment request. The
    # architecture describes this link by URL name; the rule here treats siblings as independent.
    ("graduated/views/common.py", "python", "ehcp:assessment_new"),  # ehc_request_url()
}


@dataclass(frozen=True)
class Reference:
    """One name a file gives: a template path or a URL name, where it is and how it is given."""

    line: int
    kind: str  # the template tag (include, extends, url, ...) or "python"
    name: str


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    kind: str
    name: str
    owner: str
    target: str

    @property
    def key(self) -> Key:
        return (self.path, self.kind, self.name)

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.owner} names {self.name!r} ({self.kind}) of {self.target}, "
            f"which is not below {self.owner} in the layers"
        )


def may_name(owner: str, target: str) -> bool:
    """An app may name itself and anything in a lower layer; a layer of several apps is independent.

    Shared templates and trusts form one (not independent) layer, so they may name each other.
    """
    if owner == target or _LEVEL[target] < _LEVEL[owner]:
        return True
    return {owner, target} == {SHARED, "trusts"}


def template_owner(name: str) -> str:
    """The app a template name belongs to by its first folder (`ehcp/plan_detail.html` is ehcp's)."""
    first = name.split("/", 1)[0]
    return first if first in APPS and "/" in name else SHARED


def namespace_apps() -> dict[str, str]:
    """Each top-level URL namespace of the project → the app whose urls module it includes."""
    found: dict[str, str] = {}
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace:
            module = getattr(pattern.urlconf_module, "__name__", "")
            app = module.split(".", 1)[0]
            if app in APPS:
                found[pattern.namespace] = app
    return found


def url_owner(name: str, namespaces: dict[str, str]) -> str | None:
    """The app owning a URL name like `ehcp:plan_detail`; None when it is not one of the apps' names."""
    if not _URL_NAME.fullmatch(name):
        return None
    return namespaces.get(name.split(":", 1)[0])


def _quoted(bit: str) -> str | None:
    """The text of a template literal `"..."` or `'...'`; None for variables and filtered values."""
    match = _LITERAL.fullmatch(bit)
    return None if match is None else match.group(1) or match.group(2) or ""


def template_references(text: str) -> Iterator[Reference]:
    """Every quoted literal in the block tags of a template, with its line (comment blocks skipped)."""
    in_comment = False
    for token in Lexer(text).tokenize():
        if token.token_type != TokenType.BLOCK:
            continue
        bits = token.split_contents()
        if not bits:
            continue
        tag = bits[0]
        if tag == "comment":
            in_comment = True
        elif tag == "endcomment":
            in_comment = False
        if in_comment:
            continue
        for bit in bits[1:]:
            keyword = _KEYWORD_BIT.fullmatch(bit)
            literal = _quoted(keyword.group(1) if keyword else bit)
            if literal is not None:
                yield Reference(token.lineno, tag, literal)


def python_references(source: str) -> Iterator[Reference]:
    """Every string literal in Python source (docstrings included; they never match a name exactly)."""
    literals = [
        node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    for node in sorted(literals, key=lambda node: (node.lineno, node.col_offset)):
        yield Reference(node.lineno, "python", node.value)


def violations(path: str, owner: str, refs: Iterable[Reference], namespaces: dict[str, str]) -> list[Violation]:
    """The references in one file (owned by `owner`) that name a template or URL above it."""
    found = []
    for ref in refs:
        if ref.kind in ("include", "extends"):
            target: str | None = template_owner(ref.name)
        elif _TEMPLATE_PATH.fullmatch(ref.name):
            target = template_owner(ref.name)
        else:
            target = url_owner(ref.name, namespaces)
        if target is not None and not may_name(owner, target):
            found.append(Violation(path, ref.line, ref.kind, ref.name, owner, target))
    return found


def check_template(path: str, owner: str, text: str, namespaces: dict[str, str]) -> list[Violation]:
    return violations(path, owner, template_references(text), namespaces)


def check_python(path: str, owner: str, source: str, namespaces: dict[str, str]) -> list[Violation]:
    return violations(path, owner, python_references(source), namespaces)


def _template_files() -> Iterator[tuple[Path, str]]:
    """Every template with its owner: templates/<app>/ and <app>/templates/ are the app's, the rest shared."""
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file():
            yield path, template_owner(path.relative_to(ROOT / "templates").as_posix())
    for app in APPS:
        for path in sorted((ROOT / app / "templates").rglob("*")):
            if path.is_file():
                yield path, app


def _python_files() -> Iterator[tuple[Path, str]]:
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path, app


@functools.cache
def project_violations() -> tuple[Violation, ...]:
    """Every breach in the project's templates and app source (read once for both project tests)."""
    namespaces = namespace_apps()
    found: list[Violation] = []
    for path, owner in _template_files():
        found += check_template(str(path.relative_to(ROOT)), owner, path.read_text(encoding="utf-8"), namespaces)
    for path, owner in _python_files():
        found += check_python(str(path.relative_to(ROOT)), owner, path.read_text(encoding="utf-8"), namespaces)
    return tuple(found)


# The checker itself: each rule is shown to catch a planted breach, so the project test is not vacuous.

NAMESPACES = {"trusts": "trusts", "register": "register", "ehcp": "ehcp", "graduated": "graduated"}


def _names(found: list[Violation]) -> list[tuple[int, str, str]]:
    return [(v.line, v.kind, v.name) for v in found]


def test_template_naming_a_higher_app_is_caught_with_its_line() -> None:
    text = (
        '{% extends "base.html" %}\n'
        "{% block content %}\n"
        "<a href=\"{% url 'trusts:privacy' %}\">ok, lower</a>\n"
        '<a href="{% url "ehcp:plan_detail" pk=1 %}">higher</a>\n'
        '{% include "ehcp/_status_tag.html" with tag="x" %}\n'
        '{% include "includes/form.html" %}\n'
        "{% endblock %}\n"
    )
    found = check_template("templates/register/x.html", "register", text, NAMESPACES)
    assert _names(found) == [(4, "url", "ehcp:plan_detail"), (5, "include", "ehcp/_status_tag.html")]
    assert str(found[0]) == (
        "templates/register/x.html:4: register names 'ehcp:plan_detail' (url) of ehcp, "
        "which is not below register in the layers"
    )


def test_siblings_never_name_each_other() -> None:
    text = "{% url 'ehcp:assessment_new' pupil_id=1 as link %}{% extends 'ehcp/plan_detail.html' %}"
    found = check_template("templates/graduated/x.html", "graduated", text, NAMESPACES)
    assert _names(found) == [(1, "url", "ehcp:assessment_new"), (1, "extends", "ehcp/plan_detail.html")]


def test_shared_templates_sit_with_trusts_at_the_bottom() -> None:
    text = "{% url 'trusts:notifications' %}{% url 'account_logout' %}{% url 'register:list' %}"
    found = check_template("templates/base.html", SHARED, text, NAMESPACES)
    assert _names(found) == [(1, "url", "register:list")]
    assert check_template("templates/trusts/x.html", "trusts", '{% extends "base.html" %}', NAMESPACES) == []


def test_literals_given_to_any_tag_count_and_comments_do_not() -> None:
    text = (
        "{% comment %}{% url 'ehcp:plan_detail' %}{% endcomment %}\n"
        "{# {% url 'ehcp:plan_detail' %} #}\n"
        "{% nav_link 'ehcp:deadlines' label='ehcp:not a name' %}\n"
        '{% include some_variable %}{% url "ehcp:x"|default:"" %}\n'
    )
    found = check_template("templates/pupils/x.html", "pupils", text, NAMESPACES)
    assert _names(found) == [(3, "nav_link", "ehcp:deadlines")]


def test_python_url_names_and_template_paths_are_caught() -> None:
    source = (
        '"""Docstring that mentions ehcp:plan_detail in passing."""\n'
        "from django.shortcuts import redirect, render, resolve_url\n"
        "from django.urls import reverse, reverse_lazy\n"
        "\n"
        "def view(request):\n"
        '    reverse("trusts:people")\n'
        '    reverse("register:list")\n'
        "    reverse_lazy(viewname='graduated:cycle')\n"
        '    resolve_url("account_login")\n'
        '    render(request, "register/list.html")\n'
        '    return redirect("ehcp:plan_detail", pk=1)\n'
        'NAV = [("Deadlines", "ehcp:deadlines")]\n'
        'ADMIN = "admin:index"\n'
    )
    found = check_python("pupils/views.py", "pupils", source, NAMESPACES)
    assert _names(found) == [
        (7, "python", "register:list"),
        (8, "python", "graduated:cycle"),
        (10, "python", "register/list.html"),
        (11, "python", "ehcp:plan_detail"),
        (12, "python", "ehcp:deadlines"),
    ]


def test_namespaces_come_from_the_url_conf() -> None:
    namespaces = namespace_apps()
    app_urlconfs = {app for app in APPS if (ROOT / app / "urls.py").exists()}
    assert set(namespaces.values()) == app_urlconfs
    assert "admin" not in namespaces


# The project.


def test_templates_and_url_names_follow_the_layers() -> None:
    found = project_violations()
    new = [str(v) for v in found if v.key not in KNOWN_VIOLATIONS]
    assert new == [], "A template or URL name of a higher app is named:\n" + "\n".join(new)


def test_known_violations_only_shrink() -> None:
    present = {v.key for v in project_violations()}
    gone = sorted(KNOWN_VIOLATIONS - present)
    assert gone == [], "These breaches are fixed: remove them from KNOWN_VIOLATIONS in tests/test_layers.py:\n" + (
        "\n".join(map(str, gone))
    )
