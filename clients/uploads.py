"""What a client document may be: 20 MB at most, one of the office/image/archive/text types, its bytes
matching its extension (the check itself is mrm.core.uploads, shared with brief attachments)."""
from mrm.core import uploads

MAX_UPLOAD_SIZE = 20 * 1024 * 1024
ALLOWED_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "png", "jpg", "jpeg", "txt", "csv")
ALLOWED_TYPES = {ext: uploads.FILE_TYPES[ext].content_type for ext in ALLOWED_EXTENSIONS}
ALLOWED_EXTENSIONS_TEXT = "PDF, DOC/DOCX, XLS/XLSX, PPT/PPTX, PNG, JPG, ZIP, TXT, CSV"


def check_upload(upload) -> tuple[str, str]:
    """Validate a client document; returns (extension, content type) or raises ValidationError with the reason."""
    return uploads.check_upload(upload, allowed=ALLOWED_EXTENSIONS, max_size=MAX_UPLOAD_SIZE)
