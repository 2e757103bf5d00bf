"""Forms of the common transfer file pages: where a leaver goes, and the CTF an arriving pupil brings."""

from __future__ import annotations

import base64
import binascii

from django import forms

from .ctf import MAX_CTF_BYTES


class SendCtfForm(forms.Form):
    destination_la = forms.CharField(
        label="The new school's LA code",
        help_text="3 digits, from the admissions email or Get Information about Schools.",
        max_length=3,
        error_messages={"required": "Enter the new school's LA code (3 digits)."},
    )
    destination_estab = forms.CharField(
        label="The new school's establishment number",
        help_text="4 digits: the DfE number is the LA code and this number.",
        max_length=4,
        error_messages={"required": "Enter the new school's establishment number (4 digits)."},
    )


class UploadCtfForm(forms.Form):
    file = forms.FileField(
        label="The common transfer file",
        help_text="The .xml file the last school sent (through school-to-school or the MIS).",
        error_messages={"required": "Choose the CTF file to upload."},
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CTF_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB; a CTF for one pupil is far smaller.")
        return bytes(upload.read())


class ConfirmCtfForm(forms.Form):
    """The file read at the preview, sent back with the confirmation: it is read and checked again."""

    ctf = forms.CharField(widget=forms.HiddenInput)

    def clean_ctf(self) -> bytes:
        try:
            return base64.b64decode(self.cleaned_data["ctf"], validate=True)
        except (binascii.Error, ValueError):
            raise forms.ValidationError("The file was lost on the way: upload it again.") from None

    @staticmethod
    def encode(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")
