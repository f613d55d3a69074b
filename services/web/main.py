"""`python -m services.web`: the web application on uvicorn (HTTPS when WEGWIJS_WEB_TLS_* are set)."""
from __future__ import annotations

import uvicorn

from services.plumbing.settings import Settings
from services.web.app import create_app
from services.web.config import WebSettings


def main() -> None:
    web, settings = WebSettings(), Settings()
    app = create_app(web, settings)
    tls = {"ssl_certfile": str(web.tls_cert_file), "ssl_keyfile": str(web.tls_key_file)} if web.tls else {}
    uvicorn.run(app, host=web.host, port=web.port, log_level=settings.log_level, access_log=False,
                server_header=False, proxy_headers=False, **tls)
