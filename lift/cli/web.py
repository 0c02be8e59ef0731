"""``lift web ...``: serve the chat page; check that the HTTP API can be protected."""
from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("web", help="web chat page and API credentials")
    sub = p.add_subparsers(dest="web_command", required=True)
    serve = sub.add_parser("serve", help="serve the chat page and the dashboard (prints their URLs)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: LIFT_WEB_PORT")
    serve.set_defaults(func=_cmd_serve)
    check = sub.add_parser("check-auth", help="fail unless the HTTP API can be protected")
    check.set_defaults(func=_cmd_check)


def _cmd_serve(args) -> int:
    from lift.config import get_settings
    from lift.web.server import make_server, page_url

    settings = get_settings()
    server = make_server(settings, args.host, args.port)
    print(f"Lift chat page: {page_url(server)}", flush=True)
    if settings.dashboard_token:
        print(f"Lift dashboard: {page_url(server)}dashboard (sign in with LIFT_DASHBOARD_TOKEN)", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


def _cmd_check(args) -> int:
    from lift.config import get_settings
    from lift.web.server import check_api_auth

    check_api_auth(get_settings())
    print("HTTP API credentials: ok")
    return 0
