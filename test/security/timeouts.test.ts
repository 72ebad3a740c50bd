import { connect, type Socket } from 'node:net';
import type { Application } from '../../src/app/container';
import { startTestApp, tokenOf } from '../support/app';

interface Trickle {
  /** What the server answered before it closed the connection. */
  readonly answer: string;
  /** How many of the bytes the client meant to send went out before the server closed. */
  readonly sent: number;
  readonly total: number;
  readonly elapsedMs: number;
}

/**
 * A slow client on a real socket: `head` at once (if any), then `trickled` one byte every
 * `everyMs` until it is all sent or the server closes the connection.
 */
function trickle(port: number, head: string, trickled: string, everyMs: number): Promise<Trickle> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => undefined); // a reset after the server's close: the close below reports it
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, sent, total: trickled.length, elapsedMs: Date.now() - started });
    });
    socket.on('connect', () => {
      if (head) socket.write(head);
      timer = setInterval(() => {
        if (sent >= trickled.length) {
          clearInterval(timer);
          reject(new Error(`the server took all ${sent} bytes without cutting the connection (answer: ${answer.slice(0, 100)})`));
          socket.destroy();
          return;
        }
        socket.write(trickled[sent] ?? '');
        sent += 1;
      }, everyMs);
    });
  });
}

describe('slow requests are cut at the configured timeouts (real sockets)', () => {
  let app: Application;
  let port: number;

  beforeAll(async () => {
    app = await startTestApp({ env: { HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_HEADERS_TIMEOUT_MS: '800' } });
    const url = await app.http.listen({ host: '127.0.0.1', port: 0 });
    port = Number(new URL(url).port);
  });
  afterAll(async () => app.stop());

  it('cuts a body trickled byte by byte (408) long before it is complete, before any credential is checked', async () => {
    const body = JSON.stringify({ title: 'Slow', description: 'x'.repeat(200) });
    const head = [
      'POST /api/tasks HTTP/1.1',
      'Host: 127.0.0.1',
      `Authorization: Bearer ${tokenOf('alice')}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      '',
    ].join('\r\n');
    // One byte every 100 ms: the whole body would take over 20 s.
    const result = await trickle(port, head, body, 100);
    expect(result.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.sent).toBeLessThan(result.total);
    // Cut within the configured 1 s (node checks every second at most: see serverTimeouts).
    expect(result.sent * 100).toBeLessThan(1_000 + 1_000 + 500);
  });

  it('cuts headers trickled byte by byte at HTTP_HEADERS_TIMEOUT_MS', async () => {
    const head = `GET /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'y'.repeat(200)}\r\n\r\n`;
    const result = await trickle(port, '', head, 100);
    expect(result.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.sent).toBeLessThan(result.total);
  });

  it('answers a request that arrives in time as usual', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/api/tasks`, { headers: { authorization: `Bearer ${tokenOf('alice')}` } });
    expect(response.status).toBe(200);
  });
});
