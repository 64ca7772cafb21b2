"""Text that cannot break XML or inject HTML: cleaning, escaping, CDATA, identifiers and reproducible zips."""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO

#: Characters XML 1.0 forbids (C0 controls but tab and newlines, lone surrogates, U+FFFE/U+FFFF) and
#: the C1 controls and DEL, which XML allows but no one means in a title or a name.
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_IDENT = re.compile(r"[^A-Za-z0-9_.-]+")
#: The date every zip entry carries (the earliest a zip can hold), so the same input gives the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def clean(text: str) -> str:
    """``text`` without the characters XML cannot carry (each becomes U+FFFD), so that any string serialises."""
    return _NOT_XML.sub("\ufffd", text)


def xml_text(text: str) -> str:
    """Character data for an XML element: ``&``, ``<`` and ``>`` escaped, forbidden characters replaced."""
    return html.escape(clean(text), quote=False)


def xml_attr(text: str) -> str:
    """An XML or HTML attribute value, quotes included: ``xml_attr('a"b')`` is ``"a&quot;b"``."""
    return (
        '"'
        + html.escape(clean(text), quote=True).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
        + '"'
    )


def cdata(text: str) -> str:
    """A CDATA section holding ``text``; a ``]]>`` inside is split across two sections, so it cannot end it early."""
    return "<![CDATA[" + clean(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def element(tag: str, content: str = "", **attributes: str) -> str:
    """``<tag a="…">content</tag>`` with escaped attributes; ``content`` is markup the caller has made safe."""
    attrs = "".join(f" {name.rstrip('_')}={xml_attr(value)}" for name, value in attributes.items())
    return f"<{tag}{attrs}>{content}</{tag}>" if content else f"<{tag}{attrs}/>"


def text_element(tag: str, text: str, **attributes: str) -> str:
    """An element whose content is plain text (escaped here)."""
    attrs = "".join(f" {name.rstrip('_')}={xml_attr(value)}" for name, value in attributes.items())
    return f"<{tag}{attrs}>{xml_text(text)}</{tag}>"


#: Classes that tell MathJax (2 and 3) and Moodle's filters to leave an element's text alone.
NO_MATH = "tex2jax_ignore mathjax_ignore nolink"


def plain_html(text: str) -> str:
    """Untrusted plain text (a title, a student's name) as inert HTML: escaped, and marked so that no
    math renderer typesets a ``\\(…\\)`` hidden in it (MathJax's ``\\href`` could otherwise make a link)."""
    return f'<span class="{NO_MATH}">{html.escape(clean(text), quote=True)}</span>'


def identifier(*parts: object) -> str:
    """An ASCII identifier (XML NMTOKEN, Moodle idnumber, QTI ident) from ``parts``, joined by ``-``."""
    joined = "-".join(_IDENT.sub("_", str(part)).strip("_") or "x" for part in parts)
    return joined if joined[:1].isalpha() else "s" + joined


@dataclass(frozen=True)
class Member:
    """One file of a zip: its path inside, its bytes, and whether it is executable."""

    path: str
    data: bytes
    executable: bool = False


def zip_bytes(members: Iterable[Member]) -> bytes:
    """A zip of ``members`` in the order given, with fixed dates and modes: the same members, the same bytes."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.path, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so that the mode below is read
            info.external_attr = ((0o100755 if member.executable else 0o100644) & 0xFFFF) << 16
            archive.writestr(info, member.data)
    return buffer.getvalue()
