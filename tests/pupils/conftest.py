"""Fixtures of the pupils tests."""

from __future__ import annotations

from typing import Any

import pytest

from pupils.documents import open_xml


@pytest.fixture(params=["defusedxml", "standard library"])
def xml_parser(request: Any, monkeypatch: Any) -> str:
    """Each check runs with defusedxml and with the fallback used where defusedxml is not installed."""
    if request.param == "standard library":
        monkeypatch.setattr(open_xml, "_defused", None)
    else:
        assert open_xml._defused is not None, "defusedxml==0.7.1 is not installed"
    return str(request.param)
