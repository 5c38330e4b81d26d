import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { RealtimeRelay, type RelayEnd, type RelayLimits } from './realtime-relay';

/**
 * attendee ⇄ [clientSide | relay | upstream] ⇄ upstreamPeer, all real sockets on loopback: the relay is
 * the only thing in between, so what the ends see is what it forwarded.
 */
async function rig(limits?: RelayLimits) {
  const servers: WebSocketServer[] = [];
  const listen = async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    servers.push(server);
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const accepted = new Promise<WebSocket>((resolve) => server.once('connection', (ws: WebSocket) => resolve(ws)));
    return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, accepted };
  };
  const opened = (ws: WebSocket) => new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));

  const up = await listen();
  const upstream = new WebSocket(up.url, { perMessageDeflate: false });
  const [upstreamPeer] = await Promise.all([up.accepted, opened(upstream)]);
  const front = await listen();
  const attendee = new WebSocket(front.url, { perMessageDeflate: false });
  const [clientSide] = await Promise.all([front.accepted, opened(attendee)]);

  const frames: { data: Buffer; isBinary: boolean }[] = [];
  let end: RelayEnd | undefined;
  const relays: RealtimeRelay[] = [];
  const ended = new Promise<RelayEnd>((resolve) => {
    const sut = new RealtimeRelay(clientSide, upstream, { onUpstreamFrame: (data, isBinary) => frames.push({ data, isBinary }), onEnd: (e) => resolve((end = e)) }, limits);
    sut.start([{ data: Buffer.from('{"type":"session.created"}'), isBinary: false }]);
    relays.push(sut);
  });
  const closeAll = async () => {
    for (const ws of [attendee, upstream, clientSide, upstreamPeer]) ws.terminate();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  };
  return { sut: relays[0]!, attendee, upstreamPeer, clientSide, upstream, frames, ended, end: () => end, closeAll };
}

function received(ws: WebSocket, count: number): Promise<{ data: Buffer; isBinary: boolean }[]> {
  const out: { data: Buffer; isBinary: boolean }[] = [];
  return new Promise((resolve) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      out.push({ data, isBinary });
      if (out.length === count) resolve(out);
    });
  });
}

const closeOf = (ws: WebSocket) => new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));

describe(RealtimeRelay.name, () => {
  it('forwards the early frames first, then frames both ways verbatim, text as text and binary as binary', async () => {
    const r = await rig();
    try {
      const atAttendee = received(r.attendee, 3);
      const atUpstream = received(r.upstreamPeer, 2);

      r.upstreamPeer.send('{"type":"session.updated"}');
      r.upstreamPeer.send(Buffer.from([0, 1, 2]));
      r.attendee.send('{"type":"session.update"}');
      r.attendee.send(Buffer.from([9]), { binary: true });

      const down = await atAttendee;
      const up = await atUpstream;
      expect(down.map((f) => [f.data.toString('hex'), f.isBinary])).toEqual([
        [Buffer.from('{"type":"session.created"}').toString('hex'), false],
        [Buffer.from('{"type":"session.updated"}').toString('hex'), false],
        ['000102', true],
      ]);
      expect(up.map((f) => [f.data.toString(), f.isBinary])).toEqual([['{"type":"session.update"}', false], ['\t', true]]);
      expect(r.frames).toHaveLength(3);
    } finally {
      await r.closeAll();
    }
  });

  it('passes the attendee\'s close code and reason to the upstream', async () => {
    const r = await rig();
    try {
      const upstreamClosed = closeOf(r.upstreamPeer);

      r.attendee.close(4001, 'done here');

      expect(await upstreamClosed).toEqual({ code: 4001, reason: 'done here' });
      expect(await r.ended).toEqual({ by: 'client', code: 4001, reason: 'done here' });
    } finally {
      await r.closeAll();
    }
  });

  it('passes the upstream\'s close code on, and turns a dropped upstream into 1011', async () => {
    const clean = await rig();
    const dropped = await rig();
    try {
      const cleanClosed = closeOf(clean.attendee);
      const droppedClosed = closeOf(dropped.attendee);

      clean.upstreamPeer.close(1000, 'bye');
      dropped.upstreamPeer.terminate();

      expect(await cleanClosed).toEqual({ code: 1000, reason: 'bye' });
      expect(await droppedClosed).toEqual({ code: 1011, reason: 'upstream connection lost' });
      expect((await dropped.ended).by).toBe('upstream');
    } finally {
      await clean.closeAll();
      await dropped.closeAll();
    }
  });

  it('sends last words ahead of the proxy\'s own close, and closes the upstream normally', async () => {
    const r = await rig();
    try {
      const words = received(r.attendee, 2);
      const attendeeClosed = closeOf(r.attendee);
      const upstreamClosed = closeOf(r.upstreamPeer);

      r.sut.end(1008, 'session_expired', '{"type":"error"}');

      expect((await words)[1]?.data.toString()).toBe('{"type":"error"}');
      expect(await attendeeClosed).toEqual({ code: 1008, reason: 'session_expired' });
      expect(await upstreamClosed).toEqual({ code: 1000, reason: 'session ended by the proxy' });
      expect(await r.ended).toEqual({ by: 'proxy', code: 1008, reason: 'session_expired' });
    } finally {
      await r.closeAll();
    }
  });

  it('pauses the upstream while the attendee is not reading, then delivers every frame in order', async () => {
    const limits = { highWaterBytes: 256 * 1024, lowWaterBytes: 64 * 1024 };
    const r = await rig(limits);
    try {
      const frame = (i: number) => JSON.stringify({ type: 'response.output_audio.delta', i, delta: 'A'.repeat(64 * 1024) });
      const total = 400;
      r.attendee.pause();
      let maxBuffered = 0;
      let pausedSeen = false;
      const watch = setInterval(() => {
        maxBuffered = Math.max(maxBuffered, r.clientSide.bufferedAmount);
        pausedSeen ||= r.upstream.isPaused;
      }, 1);

      for (let i = 0; i < total; i++) r.upstreamPeer.send(frame(i));
      const deadline = Date.now() + 5_000;
      while (!pausedSeen && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      // +1: the early session.created the rig starts with.
      const all = received(r.attendee, total + 1);
      r.attendee.resume();
      const got = await all;
      clearInterval(watch);

      expect(pausedSeen).toBe(true);
      expect(maxBuffered).toBeLessThan(limits.highWaterBytes + 2 * 70 * 1024);
      expect(got.slice(1).map((f) => (JSON.parse(f.data.toString()) as { i: number }).i)).toEqual(Array.from({ length: total }, (_, i) => i));
      expect(r.upstream.isPaused).toBe(false);
    } finally {
      await r.closeAll();
    }
  });
});
