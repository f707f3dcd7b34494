"""gunicorn's logs in Waypoint's format (backend/logs.py): JSON lines when ``LOG_FORMAT=json``, with
the request id Django put on the response, and without credentials or personal data: device
tokens travel in URLs (``/key/{token}/``, Enketo's ``?st=``) and are masked, query strings (the
``st`` token, a DPO's reason) and client addresses are not written."""

from gunicorn.glogging import Logger

from backend.logs import JsonFormatter, log_format, mask


class TokenMaskingLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.json = log_format() == "json"
        if self.json:
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    if getattr(handler, "_gunicorn", False):
                        handler.setFormatter(JsonFormatter())

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "{raw_uri}e", "{path_info}e", "{query_string}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = mask(atoms[key])
        return atoms

    def access(self, resp, req, environ, request_time) -> None:
        if not self.json:
            super().access(resp, req, environ, request_time)
            return
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        request_id = atoms.get("{x-request-id}o")
        self.access_log.info(
            "%s %s %s",
            atoms["m"],
            atoms["U"],
            atoms["s"],
            extra={
                "request_id": request_id if request_id not in (None, "-") else None,
                "method": atoms["m"],
                "path": atoms["U"],
                "status": int(atoms["s"]),
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "bytes": atoms["B"] or 0,
            },
        )
