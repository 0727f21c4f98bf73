"""Run the workbench with uvicorn; decide on the token for non-loopback binds."""

from __future__ import annotations

import secrets
from pathlib import Path

from .app import Settings, create_app
from .security import MIN_TOKEN_CHARS, is_loopback

__all__ = ["resolve_token", "serve"]


def resolve_token(host: str, token: str | None) -> tuple[str | None, bool]:
    """The token to require, and whether it was generated.

    Loopback binds need none unless one is given; any other bind requires
    one, so a fresh random token is made when none is given.

    Raises
    ------
    ValueError
        If a given token is shorter than :data:`~.security.MIN_TOKEN_CHARS`
        characters (the message names ``--token``).
    """
    if token is not None:
        if len(token) < MIN_TOKEN_CHARS:
            raise ValueError(
                f"--token: too short ({len(token)} characters); use at least "
                f"{MIN_TOKEN_CHARS}, or omit --token to have one generated"
            )
        if token.strip() != token or any(c.isspace() or not c.isprintable() for c in token):
            raise ValueError("--token: must not contain spaces or control characters")
        return token, False
    if is_loopback(host):
        return None, False
    return secrets.token_urlsafe(24), True


def serve(
    workspace: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    max_running: int = 1,
    log_level: str = "warning",
    echo=print,
) -> None:
    """Serve the workbench until interrupted.

    Parameters
    ----------
    workspace : Path
        Store directory of scenarios and runs (created if missing).
    host, port : str, int
        Bind address; anything but loopback requires a token.
    token : str, optional
        Token to require; generated (and printed) for non-loopback binds.
    max_running : int
        Runs executing at once; others queue.
    """
    import uvicorn

    token, generated = resolve_token(host, token)
    settings = Settings(workspace=Path(workspace), host=host, token=token, max_running=max_running)
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    if token:
        echo(f"nansei workbench: {url}?token={token}")
        if generated:
            echo("a token was generated because the server binds a non-loopback address")
    else:
        echo(f"nansei workbench: {url}")
    echo(f"workspace: {Path(workspace).resolve()}")
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
