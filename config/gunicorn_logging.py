"""gunicorn's access log without invitation tokens (config/logs.py): every atom
of the log line (request line, path, query, Referer and the other headers) is
masked before it is formatted."""

from __future__ import annotations

from gunicorn.glogging import Logger

from config.logs import mask_invitation_tokens


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: mask_invitation_tokens(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
