import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { TcpProxy } from './tcp-proxy';

/** Connects, sends `text`, and resolves with what came back (the echo server answers in kind). */
async function roundTrip(port: number, text: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(text);
  const [data] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  return data.toString('utf8');
}

async function connectError(port: number): Promise<string | undefined> {
  const socket = connect(port, '127.0.0.1');
  const [error] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
  return error.code;
}

describe('TcpProxy (fault tests cut a dependency through it)', () => {
  let echo: Server;
  let echoPort: number;
  let proxy: TcpProxy | undefined;

  beforeAll(async () => {
    echo = createServer((socket) => {
      socket.on('data', (data) => socket.write(`echo:${data.toString('utf8')}`));
      // The proxy resets this side too when it cuts.
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoPort = (echo.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it('forwards, resets open connections and refuses new ones while cut, and forwards again on the same port when restored', async () => {
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: echoPort });
    expect(await roundTrip(proxy.port, 'one')).toBe('echo:one');

    const open: Socket = connect(proxy.port, '127.0.0.1');
    await once(open, 'connect');
    const errored = once(open, 'error').then(([error]) => (error as NodeJS.ErrnoException).code);
    // The proxy has the connection once it answered through it.
    open.write('two');
    await once(open, 'data');
    await proxy.cut();
    expect(await errored).toBe('ECONNRESET');
    expect(open.destroyed).toBe(true);
    expect(await connectError(proxy.port)).toBe('ECONNREFUSED');
    expect(proxy.stats()).toMatchObject({ accepted: 2, open: 0 });
    expect(proxy.stats().reset).toBeGreaterThanOrEqual(2);

    await proxy.restore();
    expect(await roundTrip(proxy.port, 'three')).toBe('echo:three');
  });

  it('starts refusing with `listening: false` (a dependency down at start-up) until restored', async () => {
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: echoPort }, { listening: false });
    expect(proxy.isOpen).toBe(false);
    expect(await connectError(proxy.port)).toBe('ECONNREFUSED');
    await proxy.restore();
    expect(await roundTrip(proxy.port, 'up')).toBe('echo:up');
  });

  it('rewrites a URL to go through it, keeping credentials and path', async () => {
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: echoPort }, { listening: false });
    expect(proxy.rewrite('postgres://postgres@127.0.0.1:5432/test?x=1')).toBe(`postgres://postgres@127.0.0.1:${proxy.port}/test?x=1`);
    expect(proxy.rewrite('amqp://guest:guest@localhost:5672')).toBe(`amqp://guest:guest@127.0.0.1:${proxy.port}`);
  });
});
