"""Attachment names as Collect means them.

The XML names a file (``<photo>1712.jpg</photo>``) and the multipart part carries it, but
Django's parser cleans the part's file name before Waypoint sees it: HTML entities decoded,
anything up to a slash or backslash dropped, unprintable characters removed, and a name over
255 characters cut (keeping its extension). Android may also hand over the name in another
Unicode normal form (NFD from a file system, NFC in the XML). Both sides are therefore put
through the same normalisation before they are compared.
"""

import html
import os
import unicodedata

NAME_MAX = 255  # what Django's UploadedFile keeps of a name


def name_key(name: str) -> str:
    """The form of a file name both the XML's and the part's reduce to."""
    name = html.unescape(name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable())
    name = unicodedata.normalize("NFC", name)
    if len(name) > NAME_MAX:  # as django.core.files.uploadedfile.UploadedFile._set_name
        stem, ext = os.path.splitext(name)
        ext = ext[:NAME_MAX]
        name = stem[: NAME_MAX - len(ext)] + ext
    return name


def parts_matched(
    expected: list[str], files: dict[str, bytes]
) -> tuple[dict[str, bytes], list[str]]:
    """The parts under the XML's own names, and the names of parts that match none."""
    by_key = {name_key(name): name for name in expected}
    matched: dict[str, bytes] = {}
    unmatched: list[str] = []
    for sent, data in files.items():
        if sent in by_key.values():
            matched[sent] = data
        elif (target := by_key.get(name_key(sent))) is not None:
            matched[target] = data
        else:
            unmatched.append(sent)
    return matched, unmatched
