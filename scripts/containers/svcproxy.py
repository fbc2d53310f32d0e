#!/usr/bin/python3
"""A Service's virtual address in the container run, as kube-proxy gives it: the container
holding the Service's name listens on each Service port and passes every new connection to one
of the ready endpoints, in turn. Endpoints come from a JSON file the controller rewrites as
readiness changes ({"<port>": ["ip:targetPort", ...]}); a connection already passed on stays
where it is when its endpoint leaves, as with conntrack. No ready endpoint: the connection is
closed at once, as kube-proxy's REJECT does.

usage: svcproxy.py ENDPOINTS_FILE PORT..."""

import asyncio
import json
import os
import sys


class Endpoints:
    def __init__(self, path):
        self.path, self.mtime, self.targets, self.turn = path, None, {}, {}

    def pick(self, port):
        try:
            mtime = os.stat(self.path).st_mtime_ns
            if mtime != self.mtime:
                with open(self.path) as f:
                    self.targets = json.load(f)
                self.mtime = mtime
        except (OSError, ValueError):
            pass  # keep the last good list while the file is being replaced
        targets = self.targets.get(str(port), [])
        if not targets:
            return None
        i = self.turn.get(port, 0) % len(targets)
        self.turn[port] = i + 1
        host, _, p = targets[i].rpartition(":")
        return host, int(p)


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.write_eof()
        except (OSError, RuntimeError):
            writer.close()


async def serve(endpoints, port, reader, writer):
    target = endpoints.pick(port)
    if target is None:
        writer.close()
        return
    try:
        up_reader, up_writer = await asyncio.wait_for(asyncio.open_connection(*target), 10)
    except (OSError, asyncio.TimeoutError):
        writer.close()
        return
    await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
    writer.close()
    up_writer.close()


async def main(path, ports):
    endpoints = Endpoints(path)
    servers = []
    for port in ports:
        servers.append(await asyncio.start_server(
            lambda r, w, port=port: serve(endpoints, port, r, w), "0.0.0.0", port, reuse_address=True))
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], [int(p) for p in sys.argv[2:]]))
