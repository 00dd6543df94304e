"""What an uploaded asset is (PRJ-50, PRJ-51): size, MIME type and pixel size.

The MIME type comes from the file name's extension and must be on the allow-list; the content
must then look like that type (magic bytes, UTF-8 text, an SVG root), so a script or an HTML
page cannot be stored under an image's name. Sizes are the bytes actually received. Pillow
reads the pixel size of raster images from their headers, without decoding the pixels.
"""

import codecs
import posixpath
import re
from dataclasses import dataclass

import orjson
from PIL import Image, UnidentifiedImageError

from projects import conf
from projects.errors import InvalidAsset
from projects.models import AssetFileType

MIME_BY_EXTENSION = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "svg": "image/svg+xml",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "ttf": "font/ttf",
    "otf": "font/otf",
    "pdf": "application/pdf",
    "txt": "text/plain",
    "md": "text/markdown",
    "markdown": "text/markdown",
    "json": "application/json",
    "csv": "text/csv",
}
PILLOW_FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/avif": "AVIF",
}
TEXT_TYPES = {"text/plain", "text/markdown", "text/csv", "application/json", "image/svg+xml"}
AVIF_BRANDS = (b"avif", b"avis")
HEAD_BYTES = 4096
_SVG_ROOT = re.compile(
    rb"^(\xef\xbb\xbf)?\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?(<!--.*?-->\s*)*"
    rb"<svg[\s>]",
    re.DOTALL | re.IGNORECASE,
)


def _is_iso_media(head, *, image):
    return head[4:8] == b"ftyp" and (head[8:12] in AVIF_BRANDS) == image


MAGIC = {
    "image/png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "image/gif": lambda head: head[:6] in (b"GIF87a", b"GIF89a"),
    "image/webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    "image/avif": lambda head: _is_iso_media(head, image=True),
    "image/svg+xml": lambda head: _SVG_ROOT.match(head) is not None,
    "video/mp4": lambda head: _is_iso_media(head, image=False),
    "video/webm": lambda head: head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64],
    "font/woff": lambda head: head.startswith(b"wOFF"),
    "font/woff2": lambda head: head.startswith(b"wOF2"),
    "font/ttf": lambda head: head[:4] in (b"\x00\x01\x00\x00", b"true"),
    "font/otf": lambda head: head.startswith(b"OTTO"),
    "application/pdf": lambda head: head.startswith(b"%PDF-"),
}


@dataclass(frozen=True)
class AssetInfo:
    mime_type: str
    file_type: str
    file_size: int
    width: int | None = None
    height: int | None = None


def asset_filename(upload_name):
    """The base name of what the client called the file (`..\\a/b.png` → `b.png`)."""
    return posixpath.basename((upload_name or "").replace("\\", "/"))


def file_type_for(mime_type):
    major = mime_type.split("/", 1)[0]
    if major in ("image", "video", "font"):
        return major
    return AssetFileType.DOCUMENT


def inspect_upload(upload, filename):
    """The asset's metadata, or InvalidAsset (400) if it breaks PRJ-50 or PRJ-51."""
    limit = conf.get("ASSET_MAX_BYTES")
    if upload.size > limit:
        raise InvalidAsset(f"The file is larger than {limit // (1024 * 1024)} MiB.")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    mime_type = MIME_BY_EXTENSION.get(extension)
    if mime_type is None:
        allowed = ", ".join(sorted(MIME_BY_EXTENSION))
        raise InvalidAsset(f"This type of file is not accepted. Allowed extensions: {allowed}.")
    head = _head(upload)
    if mime_type in TEXT_TYPES and not _is_text(upload, json=mime_type == "application/json"):
        raise InvalidAsset(f"The file is not valid UTF-8 text of type .{extension}.")
    if mime_type in MAGIC and not MAGIC[mime_type](head):
        raise InvalidAsset(f"The file's content is not a .{extension} file.")
    width = height = None
    if mime_type in PILLOW_FORMATS:
        width, height = _pixel_size(upload, PILLOW_FORMATS[mime_type], extension)
    return AssetInfo(mime_type, file_type_for(mime_type), upload.size, width, height)


def _head(upload):
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def _is_text(upload, *, json):
    """Strict UTF-8 without NUL, read in chunks; JSON must also parse."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        if json:
            upload.seek(0)
            orjson.loads(upload.read())
    except (UnicodeDecodeError, orjson.JSONDecodeError):
        return False
    finally:
        upload.seek(0)
    return True


def _pixel_size(upload, pillow_format, extension):
    upload.seek(0)
    try:
        with Image.open(upload, formats=[pillow_format]) as image:
            width, height = image.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        raise InvalidAsset(f"The file is not a readable .{extension} image.") from None
    finally:
        upload.seek(0)
    if width <= 0 or height <= 0:
        raise InvalidAsset(f"The file is not a readable .{extension} image.")
    return width, height
