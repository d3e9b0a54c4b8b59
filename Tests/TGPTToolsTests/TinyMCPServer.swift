/// A small MCP server in Python, for what the real one cannot show: `isError`, JSON-RPC errors,
/// a call that never ends, a crash during a call, a server that asks the client something,
/// two pages of tools, and servers that exit at start, refuse or never answer.
///
/// `python3 tiny.py MODE LOG`: MODE is `normal`, `exit-at-start`, `refuse` or `silent`; every
/// line the server receives is appended to LOG.
enum TinyMCPServer {
  static let script = #"""
    import json, sys

    mode, log = sys.argv[1], sys.argv[2]

    def send(message):
        sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def result(id, value):
        send({"jsonrpc": "2.0", "id": id, "result": value})

    def text(id, words, is_error=False):
        result(id, {"content": [{"type": "text", "text": words}], "isError": is_error})

    if mode == "exit-at-start":
        sys.stderr.write("tiny: cannot open my database\n")
        sys.exit(7)

    tools = [{"name": name, "description": "test tool " + name, "inputSchema": {"type": "object"}}
             for name in ["echo", "fail", "slow", "crash", "ask", "rpcerror"]]
    asked_by = None
    for line in sys.stdin:
        with open(log, "a") as f:
            f.write(line)
        message = json.loads(line)
        method, id = message.get("method"), message.get("id")
        if mode == "silent":
            continue
        if method == "initialize":
            if mode == "refuse":
                send({"jsonrpc": "2.0", "id": id, "error": {"code": -32602, "message": "unsupported protocol version"}})
                continue
            result(id, {"protocolVersion": "2025-06-18", "capabilities": {"tools": {}},
                        "serverInfo": {"name": "tiny", "version": "1"}})
        elif method == "tools/list":
            if (message.get("params") or {}).get("cursor") is None:
                result(id, {"tools": tools[:3] + [{"name": "not valid.name", "inputSchema": {"type": "object"}}],
                            "nextCursor": "page-2"})
            else:
                result(id, {"tools": tools[3:]})
        elif method == "tools/call":
            name, arguments = message["params"]["name"], message["params"].get("arguments")
            if name == "echo":
                result(id, {"content": [
                    {"type": "text", "text": json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))},
                    {"type": "text", "text": "second"},
                    {"type": "image", "mimeType": "image/png", "data": "iVBORw0K"}]})
            elif name == "fail":
                text(id, "it failed", is_error=True)
            elif name == "crash":
                sys.exit(3)
            elif name == "ask":
                asked_by = id
                send({"jsonrpc": "2.0", "id": "s1", "method": "roots/list"})
            elif name == "rpcerror":
                send({"jsonrpc": "2.0", "id": id, "error": {"code": -32000, "message": "no such thing"}})
            # "slow" is never answered.
        elif method is None and message.get("id") == "s1":
            text(asked_by, "the client said %s" % json.dumps(message.get("error", message.get("result"))))
    """#
}
