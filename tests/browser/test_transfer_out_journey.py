"""A pupil on SEN support leaves the trust: Acorn's SENCO sends the common transfer file from the pupil's
record and downloads it; River's SENCO (another trust) uploads it, checks the SEN history and imports it,
landing on the arrived pupil's record. Axe on every page."""

from __future__ import annotations

import pytest

from tests.register.test_ctf import on_sen_support

from .conftest import navigate, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leavers_ctf_goes_from_one_trust_to_another(live_demo, page, browser, axe_clean, tmp_path) -> None:
    from django.urls import reverse

    pupil = on_sen_support(live_demo)
    sign_in(page, live_demo.url, "senco.acorn@oak.test")
    page.goto(live_demo.url + reverse("pupils:record", args=[pupil.pk]))
    navigate(page, page.get_by_role("link", name="Send the common transfer file"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Send the common transfer file")
    axe_clean(page)
    page.get_by_label("The new school's LA code").fill("885")
    page.get_by_label("The new school's establishment number").fill("2203")
    with page.expect_download() as download:
        page.get_by_role("button", name="Send: download the CTF (XML)").click()
    ctf = tmp_path / download.value.suggested_filename
    download.value.save_as(ctf)
    assert ctf.read_bytes().startswith(b"<?xml") and pupil.upn.encode() in ctf.read_bytes()

    river = browser.new_context().new_page()
    sign_in(river, live_demo.url, "senco.willow@river.test")
    river.goto(live_demo.url + reverse("register:ctf_import"))
    assert river.get_by_role("heading", level=1).inner_text().startswith("Import a common transfer file")
    axe_clean(river)
    river.get_by_label("The common transfer file").set_input_files(str(ctf))
    navigate(river, river.get_by_role("button", name="Upload and check"))
    assert pupil.upn in river.content()
    axe_clean(river)
    navigate(river, river.get_by_role("button", name="Import this SEN history"))
    assert river.get_by_role("heading", level=1).inner_text() == pupil.display_name
    assert "SEN history is imported" in river.content()
    axe_clean(river)
