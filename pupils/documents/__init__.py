"""Documents on a pupil's record: what may be uploaded, who may see them, and every download audited.

A file is accepted for what its bytes are, never for its name or the browser's content type: a renamed
program is refused, and a PNG called "report.pdf" is kept as the PNG it is (and downloads as .png).
PDFs and images are known by their signatures; Word files by their real structure (`identify`): a .docx
must be an Open XML package whose main part is a Word document, a .doc a compound file with a Word stream.
Macros are refused, and so are zip bombs, judged from the zip's directory before anything is unpacked.
Every refusal says what the file is and what to do (the name only chooses the words, never the decision).
Files are stored under random names (`models.document_path`) and only ever served by a checked view.
"""

from .access import (
    RecordDocuments,
    documents_for_record,
    documents_of,
    documents_shared_with_parents,
    documents_visible_to,
    record_download,
)
from .identify import identify, sniff_kind
from .kinds import (
    ACCEPT_ATTRIBUTE,
    ACCEPTED_KINDS,
    DEFAULT_MAX_BYTES,
    DOC,
    DOCX,
    EXCEL,
    JPEG,
    OFFICE_MAX_PARTS,
    OFFICE_MAX_UNPACKED_BYTES,
    PDF,
    PNG,
    POWERPOINT,
    WORD,
    FileKind,
    human_size,
    logger,
    max_document_bytes,
)
from .uploads import check_upload, clean_file_name, download_name, may_upload, upload_document

__all__ = [
    "ACCEPTED_KINDS",
    "ACCEPT_ATTRIBUTE",
    "DEFAULT_MAX_BYTES",
    "DOC",
    "DOCX",
    "EXCEL",
    "FileKind",
    "JPEG",
    "OFFICE_MAX_PARTS",
    "OFFICE_MAX_UNPACKED_BYTES",
    "PDF",
    "PNG",
    "POWERPOINT",
    "RecordDocuments",
    "WORD",
    "check_upload",
    "clean_file_name",
    "documents_for_record",
    "documents_of",
    "documents_shared_with_parents",
    "documents_visible_to",
    "download_name",
    "human_size",
    "identify",
    "logger",
    "max_document_bytes",
    "may_upload",
    "record_download",
    "sniff_kind",
    "upload_document",
]
