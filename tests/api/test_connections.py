"""The server holds 1,000 concurrent keep-alive connections, and keeps
serving 256 busy ones, in every threading mode it ships (one poll() thread,
or an epoll pool). libmicrohttpd's single-thread epoll loop stalls when a
multiple of 128 connections are busy; these tests catch such a stall."""
import asyncio

import pytest

REQUEST = b"GET /healthz HTTP/1.1\r\nHost: mercato\r\n\r\n"
BODY = b'{"status":"ok"}'
# A liveness bound, not a speed check: a stalled server runs into it.
STALL_SECONDS = 60


async def client(port, rounds, opened, start):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    opened.append(writer)
    await start.wait()
    try:
        for _ in range(rounds):
            writer.write(REQUEST)
            await writer.drain()
            data = b""
            while BODY not in data:
                chunk = await reader.read(4096)
                assert chunk, "connection closed"
                data += chunk
            assert data.startswith(b"HTTP/1.1 200 OK")
    finally:
        writer.close()


async def load(port, connections, rounds):
    opened, start = [], asyncio.Event()
    tasks = [asyncio.ensure_future(client(port, rounds, opened, start)) for _ in range(connections)]
    while len(opened) < connections and not any(t.done() for t in tasks):
        await asyncio.sleep(0)  # yield to the event loop until every socket is connected
    start.set()
    await asyncio.wait_for(asyncio.gather(*tasks), STALL_SECONDS)
    return len(opened)


@pytest.mark.parametrize("threads", ["1", "4"])
@pytest.mark.parametrize("connections,rounds", [(1000, 3), (256, 40)])
def test_keepalive_connections(make_server, threads, connections, rounds):
    srv = make_server("sqlite", {"MERCATO_THREADS": threads})
    assert asyncio.run(load(srv.port, connections, rounds)) == connections
    assert srv.proc.poll() is None
