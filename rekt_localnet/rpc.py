"""JSON-RPC over HTTP: one POST endpoint, single requests and batches, node-shaped errors.

aiohttp must not decompress request bodies itself: driftpy's `find_all_market_and_oracles`
labels plain JSON `content-encoding: gzip`. The handler inflates a body only when it
really starts with the gzip magic bytes.
"""

import gzip
import json
import logging

from aiohttp import web

from rekt_localnet import rpc_accounts, rpc_admin, rpc_chain, rpc_drift_admin, rpc_signatures, rpc_transactions
from rekt_localnet.node import Node
from rekt_localnet.wire import INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, RpcError

log = logging.getLogger(__name__)

METHODS = {
    **rpc_accounts.METHODS,
    **rpc_chain.METHODS,
    **rpc_admin.METHODS,
    **rpc_transactions.METHODS,
    **rpc_drift_admin.METHODS,
    **rpc_signatures.METHODS,
}
INTERNAL_ERROR = -32603
GZIP_MAGIC = b"\x1f\x8b"
MAX_BODY_BYTES = 50 * 1024 * 1024


def _error(code: int, message: str, request_id: object = None) -> dict:
    return {"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": request_id}


def answer(node: Node, request: object) -> dict | None:
    """The response to one JSON-RPC request object (None for a notification, which has no id)."""
    if not isinstance(request, dict) or request.get("jsonrpc") != "2.0" or not isinstance(request.get("method"), str):
        request_id = request.get("id") if isinstance(request, dict) else None
        return _error(INVALID_REQUEST, "Invalid request", request_id)
    if "id" not in request:
        return None
    request_id, name = request["id"], request["method"]
    method = METHODS.get(name)
    if method is None:
        return _error(METHOD_NOT_FOUND, f"Method not found: {name}", request_id)
    params = request.get("params", [])
    if params is None:
        params = []
    if not isinstance(params, list):
        return _error(INVALID_REQUEST, "Invalid request: params must be an array", request_id)
    try:
        return {"jsonrpc": "2.0", "result": method(node, params), "id": request_id}
    except RpcError as error:
        return {"jsonrpc": "2.0", "error": error.to_json(), "id": request_id}
    except Exception:
        log.exception("RPC method %s failed", name)
        return _error(INTERNAL_ERROR, "Internal error", request_id)


def _body_json(body: bytes, content_encoding: str) -> object:
    if content_encoding.lower() == "gzip" and body.startswith(GZIP_MAGIC):
        body = gzip.decompress(body)
    return json.loads(body)


def http_app(node: Node) -> web.Application:
    """The aiohttp application answering JSON-RPC at `/`."""

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        try:
            payload = _body_json(body, request.headers.get("Content-Encoding", ""))
        except (ValueError, OSError):
            return web.json_response(_error(PARSE_ERROR, "Parse error"))
        if isinstance(payload, list):
            if not payload:
                return web.json_response(_error(INVALID_REQUEST, "Invalid request"))
            answers = [response for item in payload if (response := answer(node, item)) is not None]
            return web.json_response(answers, dumps=_dumps)
        response = answer(node, payload)
        return web.json_response(response, dumps=_dumps) if response is not None else web.Response(status=204)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post("/", handle)
    return app


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))
