"""`crosspost web`: the team's workspace in a browser, served by uvicorn on the configured
database. Plain HTTP on loopback by default; TLS belongs to a reverse proxy in front."""

from __future__ import annotations

from typing import Annotated

import typer

from crosspost.cli.runtime import console, handle_errors, runtime


@handle_errors
def web(
    host: Annotated[str, typer.Option("--host", help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port")] = 8000,
    behind_tls: Annotated[
        bool,
        typer.Option(
            "--behind-tls",
            envvar="CROSSPOST_WEB_BEHIND_TLS",
            help="Served over HTTPS by a reverse proxy: the session cookie gets Secure",
        ),
    ] = False,
) -> None:
    """Open the web workspace (sign in with a user from `crosspost users add`)."""
    import uvicorn

    from crosspost.web.app import create_app, settle_memory

    _check_free(host, port)
    app = create_app(runtime.config, factory=runtime.factory, secure_cookies=behind_tls)
    settle_memory()
    console.print(f"crosspost web on http://{host}:{port}/ (Ctrl-C stops it)", highlight=False)
    # X-Forwarded-For is believed from a proxy on this machine only (uvicorn's default list),
    # so the login throttle counts the real client's address behind it.
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
        log_level="info",
    )


def _check_free(host: str, port: int) -> None:
    """Refuse a port in use (or an address not of this machine) in one line, before starting."""
    import socket

    from crosspost.errors import UserError

    try:
        with socket.create_server((host, port), reuse_port=False) as probe:
            probe.close()
    except OSError as exc:
        reason = (exc.strerror or str(exc)).split(" (while")[0]
        raise UserError(
            f"cannot listen on {host}:{port} ({reason}); "
            "stop what holds it or pick another with --port / --host"
        ) from None
