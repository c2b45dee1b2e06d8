import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { onParentGone, send, type FromBaselines, type ToBaselines } from '../lib/ipc.js';

/**
 * The two ceilings, in a process of their own (as the services are):
 *  - node:http answering GETs with bodies copied byte for byte from the real gateway, and
 *    echoing POST bodies back with 201, as a create would;
 *  - a raw TCP server answering length-prefixed frames (see RawFrameClient).
 */

const bodies = new Map<string, Buffer>();

const http = createHttpServer((req, res) => {
  if (req.method === 'POST') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.end(body);
    });
    return;
  }
  const body = bodies.get(req.url ?? '');
  if (!body) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});
http.keepAliveTimeout = 60_000;

const MAX_REPLY = 4 * 1024 * 1024;
const filler = Buffer.alloc(MAX_REPLY, 0x78);

const tcp = createTcpServer((socket: Socket) => {
  socket.setNoDelay(true);
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 8) {
      const bodyLength = buffered.readUInt32BE(0);
      const replyLength = Math.min(buffered.readUInt32BE(4), MAX_REPLY);
      if (buffered.length < 8 + bodyLength) return;
      const body = buffered.subarray(8, 8 + bodyLength);
      buffered = buffered.subarray(8 + bodyLength);
      const header = Buffer.allocUnsafe(4);
      header.writeUInt32BE(replyLength, 0);
      const reply = replyLength === bodyLength ? body : filler.subarray(0, replyLength);
      socket.write(Buffer.concat([header, reply], 4 + replyLength));
    }
  });
  socket.on('error', () => socket.destroy());
});

process.on('message', (message: ToBaselines) => {
  switch (message.type) {
    case 'bodies':
      for (const [path, body] of Object.entries(message.bodies)) bodies.set(path, Buffer.from(body, 'utf8'));
      void send<FromBaselines>({ type: 'bodies-set' });
      break;
    case 'stop':
      shutdown();
      break;
  }
});

function shutdown(): void {
  http.closeAllConnections();
  http.close();
  tcp.close();
  process.exit(0);
}
onParentGone(shutdown);

http.listen(0, '127.0.0.1', () => {
  tcp.listen(0, '127.0.0.1', () => {
    void send<FromBaselines>({
      type: 'listening',
      httpPort: (http.address() as AddressInfo).port,
      tcpPort: (tcp.address() as AddressInfo).port,
    });
  });
});
