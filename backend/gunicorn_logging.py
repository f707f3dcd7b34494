"""gunicorn's access log without credentials: device tokens travel in URLs (`/key/{token}/`, and
Enketo's `?st=`), so they are masked before a line is written."""

import re

from gunicorn.glogging import Logger

TOKEN_IN_PATH = re.compile(r"/key/[^/?\s]+")
TOKEN_IN_QUERY = re.compile(r"(^|[?&])st=[^&\s]+")


def mask(text: str) -> str:
    """Mask tokens in a path, a full URI or a bare query string."""
    return TOKEN_IN_QUERY.sub(r"\1st=***", TOKEN_IN_PATH.sub("/key/***", text))


class TokenMaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "{raw_uri}e", "{path_info}e", "{query_string}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = mask(atoms[key])
        return atoms
