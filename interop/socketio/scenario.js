// Two Socket.IO servers sharing one Redis-compatible server through
// @socket.io/redis-adapter, as a Socket.IO deployment scales out.
//
// Usage: node scenario.js HOST:PORT   (or HERALD_ADDR=HOST:PORT node scenario.js)
//
// For each adapter (classic createAdapter: PSUBSCRIBE, SUBSCRIBE, PUBLISH,
// PUBSUB NUMSUB; sharded createShardedAdapter: SSUBSCRIBE, SPUBLISH, PUBSUB
// SHARDNUMSUB) and each client library (redis v4, redis v5 in RESP3, ioredis)
// it checks that
//   - serverCount() sees both servers,
//   - a broadcast from server 1 reaches the clients of server 2, binary and
//     non-ASCII payloads intact,
//   - a room broadcast reaches the room's members on both servers and nobody
//     else,
//   - fetchSockets() returns the sockets of both servers, with their data and
//     rooms,
//   - (sharded) a room's shard channel is dropped when a server's last member
//     of the room leaves,
//   - serverCount() drops to 1 once server 2 closes.
// It prints one line per check and exits 1 on the first failure of any
// combination (after trying the others), 2 on a usage error, 0 when all pass.
// Everything is bounded: each wait by stepTimeoutMs, the whole run by
// overallTimeoutMs.
"use strict";

const http = require("node:http");
const { Server } = require("socket.io");
const { io: connectClient } = require("socket.io-client");
const { createAdapter, createShardedAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");
const { createClient: createClientV5 } = require("redis5");
const { Redis } = require("ioredis");

const stepTimeoutMs = 3000;
const overallTimeoutMs = 30000;
const room = "news";

const addr = process.argv[2] || process.env.HERALD_ADDR;
if (!addr || !/^[^:]+:\d+$/.test(addr)) {
  console.error("usage: node scenario.js HOST:PORT (or set HERALD_ADDR)");
  process.exit(2);
}
const [host, portText] = addr.split(":");
const port = Number(portText);

setTimeout(() => {
  console.error(`FAIL: the whole run took longer than ${overallTimeoutMs} ms against ${addr}`);
  process.exit(1);
}, overallTimeoutMs);

// Client libraries: each returns a connected [pubClient, subClient] pair and a
// way to close them, as the adapter's README sets them up.
const libraries = {
  async redis(errors) {
    const pubClient = createClient({ socket: { host, port, reconnectStrategy: false } });
    const subClient = pubClient.duplicate();
    for (const c of [pubClient, subClient]) c.on("error", (err) => errors.push(`redis client: ${err.message}`));
    await Promise.all([pubClient.connect(), subClient.connect()]);
    return {
      pubClient,
      subClient,
      close: () => quitAll([pubClient, subClient], (c) => c.isOpen && c.quit(), (c) => c.isOpen && c.disconnect()),
    };
  },
  // node-redis v5 speaking RESP3 (HELLO 3): pub/sub messages arrive as
  // push frames, on connections that may still send commands.
  async "redis5-resp3"(errors) {
    const pubClient = createClientV5({ RESP: 3, socket: { host, port, reconnectStrategy: false } });
    const subClient = pubClient.duplicate();
    for (const c of [pubClient, subClient]) c.on("error", (err) => errors.push(`redis v5 client: ${err.message}`));
    await Promise.all([pubClient.connect(), subClient.connect()]);
    const info = String(await pubClient.sendCommand(["CLIENT", "INFO"]));
    check(/ resp=3\b/.test(info), `redis v5 with RESP: 3 did not get RESP3: CLIENT INFO says ${info.trim()}`);
    return {
      pubClient,
      subClient,
      close: () => quitAll([pubClient, subClient], (c) => c.isOpen && c.close(), (c) => c.isOpen && c.destroy()),
    };
  },
  async ioredis(errors) {
    const options = { host, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null };
    const pubClient = new Redis(options);
    const subClient = pubClient.duplicate();
    for (const c of [pubClient, subClient]) c.on("error", (err) => errors.push(`ioredis client: ${err.message}`));
    await Promise.all([pubClient.connect(), subClient.connect()]);
    return {
      pubClient,
      subClient,
      close: () => quitAll([pubClient, subClient], (c) => c.quit(), (c) => c.disconnect()),
    };
  },
};

// quitAll closes clients with QUIT, so that the replies to commands still
// under way (the adapter's unsubscribes on close are not awaited) arrive
// first, and drops the connections if that does not end in time.
async function quitAll(clients, quit, drop) {
  try {
    await withTimeout("QUIT", Promise.all(clients.map(quit)));
  } catch {
    clients.forEach(drop);
  }
}

const adapters = {
  classic: (pub, sub) => createAdapter(pub, sub, { requestsTimeout: stepTimeoutMs }),
  sharded: (pub, sub) => createShardedAdapter(pub, sub),
};

// waitFor polls cond until it returns a truthy value, and throws what
// describe() says once stepTimeoutMs passes.
async function waitFor(what, cond, describe = () => "") {
  const deadline = Date.now() + stepTimeoutMs;
  for (;;) {
    const v = await withTimeout(what, Promise.resolve(cond()));
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${stepTimeoutMs} ms waiting for ${what}${describe()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function withTimeout(what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${stepTimeoutMs} ms: ${what}`)), stepTimeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

// startServer starts a Socket.IO server on 127.0.0.1 at a free port. A
// client's auth says its name and, optionally, a room to join.
async function startServer(name, library, adapter, errors) {
  const redis = await withTimeout(`${name}: connect the Redis clients`, libraries[library](errors));
  const httpServer = http.createServer();
  const io = new Server(httpServer, { adapter: adapters[adapter](redis.pubClient, redis.subClient) });
  io.on("connection", (socket) => {
    socket.data.name = socket.handshake.auth.name;
    socket.data.server = name;
    if (socket.handshake.auth.room) socket.join(socket.handshake.auth.room);
  });
  await new Promise((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(0, "127.0.0.1", resolve);
  });
  return {
    name,
    io,
    redis,
    url: `http://127.0.0.1:${httpServer.address().port}`,
    closed: false,
    async close() {
      if (this.closed) return;
      this.closed = true;
      await withTimeout(`${name}: close`, new Promise((resolve) => io.close(() => resolve())));
      await redis.close();
    },
  };
}

// connect opens a client of server and records the events it receives.
async function connect(server, name, roomToJoin) {
  const socket = connectClient(server.url, {
    transports: ["websocket"],
    reconnection: false,
    auth: { name, room: roomToJoin },
  });
  const client = { name, socket, events: [] };
  socket.onAny((event, ...args) => client.events.push({ event, args }));
  await withTimeout(
    `client ${name} connects to ${server.name}`,
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    }),
  );
  return client;
}

const received = (client, event) => client.events.filter((e) => e.event === event);
const eventNames = (client) => ` (${client.name} got: ${JSON.stringify(client.events.map((e) => e.event))})`;

async function runCombination(adapter, library) {
  const label = `${adapter}/${library}`;
  const errors = [];
  const servers = [];
  const clients = [];
  const pass = (what) => console.log(`ok   ${label}: ${what}`);
  try {
    const s1 = await startServer("server1", library, adapter, errors);
    servers.push(s1);
    const s2 = await startServer("server2", library, adapter, errors);
    servers.push(s2);

    // Server count: both adapters are subscribed, as each one's
    // serverCount (PUBSUB NUMSUB or SHARDNUMSUB) says.
    for (const s of servers) {
      let last;
      await waitFor(
        `${s.name}'s serverCount() to be 2`,
        async () => (last = await s.io.of("/").adapter.serverCount()) === 2,
        () => ` (last: ${last})`,
      );
    }
    pass("serverCount() is 2 on both servers");

    // a on server 1; b (in the room) and c on server 2; d (in the room) on
    // server 1.
    const a = await connect(s1, "a");
    const b = await connect(s2, "b", room);
    const c = await connect(s2, "c");
    const d = await connect(s1, "d", room);
    clients.push(a, b, c, d);

    if (adapter === "sharded") {
      // The sharded adapter's default "dynamic" mode gives each room its own
      // shard channel, subscribed when a server's first socket joins. A
      // broadcast races that SSUBSCRIBE (on another connection), with Redis
      // as with Herald, so wait until both servers hold it.
      const channel = s1.io.of("/").adapter.dynamicChannel(room);
      let last;
      await waitFor(
        `PUBSUB SHARDNUMSUB ${channel} to be 2`,
        async () => (last = await shardNumSub(s1.redis.pubClient, library, channel)) === 2,
        () => ` (last: ${last})`,
      );
    }

    // Broadcast from server 1 reaches every client, server 2's through Redis.
    const payload = { text: "héllo ✓", bin: Buffer.from([0, 1, 2, 0xfe, 0xff]) };
    s1.io.emit("hello", payload);
    for (const cl of clients) {
      await waitFor(`${cl.name} to receive the broadcast "hello"`, () => received(cl, "hello").length > 0, () => eventNames(cl));
      const [got] = received(cl, "hello")[0].args;
      check(got.text === payload.text, `${cl.name} got text ${JSON.stringify(got.text)}, want ${JSON.stringify(payload.text)}`);
      check(
        Buffer.from(got.bin).equals(payload.bin),
        `${cl.name} got bytes ${Buffer.from(got.bin).toString("hex")}, want ${payload.bin.toString("hex")}`,
      );
    }
    pass("a broadcast from server 1 reaches the clients of both servers, payload intact");

    // Same the other way round.
    s2.io.emit("hello2", 2);
    for (const cl of clients) {
      await waitFor(`${cl.name} to receive the broadcast "hello2"`, () => received(cl, "hello2").length > 0, () => eventNames(cl));
    }
    pass("a broadcast from server 2 reaches the clients of both servers");

    // Room broadcast from server 1, then a broadcast to all as a marker: once
    // a client has the marker, a room message meant for it would have come
    // first (one publisher connection; one adapter subscriber connection per
    // server; one client connection).
    s1.io.to(room).emit("room-news", "for the room");
    s1.io.emit("marker");
    for (const cl of clients) {
      await waitFor(`${cl.name} to receive "marker"`, () => received(cl, "marker").length > 0, () => eventNames(cl));
    }
    for (const cl of [b, d]) {
      check(received(cl, "room-news").length === 1, `room member ${cl.name} did not get the room broadcast${eventNames(cl)}`);
    }
    for (const cl of [a, c]) {
      check(received(cl, "room-news").length === 0, `${cl.name}, not in the room, got the room broadcast${eventNames(cl)}`);
    }
    pass(`a room broadcast from server 1 reaches the room's members on both servers (b, d) and no one else`);

    // Room broadcast from server 2, too.
    s2.io.to(room).emit("room-news-2");
    s2.io.emit("marker2");
    for (const cl of clients) {
      await waitFor(`${cl.name} to receive "marker2"`, () => received(cl, "marker2").length > 0, () => eventNames(cl));
    }
    for (const cl of [b, d]) check(received(cl, "room-news-2").length === 1, `room member ${cl.name} missed "room-news-2"${eventNames(cl)}`);
    for (const cl of [a, c]) check(received(cl, "room-news-2").length === 0, `${cl.name} got "room-news-2"${eventNames(cl)}`);
    pass("a room broadcast from server 2 reaches the room's members only");

    // fetchSockets across servers, from each side.
    for (const s of servers) {
      const all = await withTimeout(`${s.name}: fetchSockets()`, s.io.fetchSockets());
      const got = all.map((sock) => `${sock.data.name}@${sock.data.server}`).sort();
      const want = ["a@server1", "b@server2", "c@server2", "d@server1"];
      check(JSON.stringify(got) === JSON.stringify(want), `${s.name}: fetchSockets() gave ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      const ids = new Set(all.map((sock) => sock.id));
      for (const cl of clients) check(ids.has(cl.socket.id), `${s.name}: fetchSockets() lacks ${cl.name}'s id ${cl.socket.id}`);

      const inRoom = await withTimeout(`${s.name}: in(room).fetchSockets()`, s.io.in(room).fetchSockets());
      const roomNames = inRoom.map((sock) => sock.data.name).sort();
      check(JSON.stringify(roomNames) === '["b","d"]', `${s.name}: in("${room}").fetchSockets() gave ${JSON.stringify(roomNames)}, want ["b","d"]`);
      for (const sock of inRoom) check(sock.rooms.has(room), `${s.name}: ${sock.data.name}'s rooms ${JSON.stringify([...sock.rooms])} lack "${room}"`);
    }
    pass("fetchSockets() and in(room).fetchSockets() return the sockets of both servers, from either side");

    // A remote socket fetched on server 1 can be told to join a room and be
    // sent to there.
    const [remoteC] = (await withTimeout("fetchSockets() for c", s1.io.fetchSockets())).filter((sock) => sock.data.name === "c");
    remoteC.emit("direct", "to c");
    await waitFor("c to receive an emit through its remote socket", () => received(c, "direct").length > 0, () => eventNames(c));
    pass("a remote socket from fetchSockets() on server 1 can be emitted to");

    // Server count drops once server 2 goes (its adapter unsubscribes, its
    // connections close).
    for (const cl of [b, c]) cl.socket.disconnect();
    let last;
    if (adapter === "sharded") {
      // b was server 2's last member of the room: its adapter drops the
      // room's shard channel (SUNSUBSCRIBE).
      const channel = s1.io.of("/").adapter.dynamicChannel(room);
      await waitFor(
        `PUBSUB SHARDNUMSUB ${channel} to drop to 1 once server 2's last room member left`,
        async () => (last = await shardNumSub(s1.redis.pubClient, library, channel)) === 1,
        () => ` (last: ${last})`,
      );
      pass("the room's shard channel is unsubscribed once server 2's last member leaves");
    }
    await s2.close();
    await waitFor(
      "server1's serverCount() to drop to 1 after server 2 closed",
      async () => (last = await s1.io.of("/").adapter.serverCount()) === 1,
      () => ` (last: ${last})`,
    );
    pass("serverCount() drops to 1 once server 2 closes");

    check(errors.length === 0, `client errors: ${errors.join("; ")}`);
    return true;
  } catch (err) {
    console.log(`FAIL ${label}: ${err && err.message ? err.message : err}`);
    if (errors.length) console.log(`     ${label}: client errors: ${errors.join("; ")}`);
    return false;
  } finally {
    for (const cl of clients) cl.socket.disconnect();
    for (const s of servers) await s.close().catch((err) => console.log(`     ${label}: closing ${s.name}: ${err.message}`));
  }
}

// shardNumSub asks PUBSUB SHARDNUMSUB for channel on the publishing client.
async function shardNumSub(pubClient, library, channel) {
  const reply =
    library !== "ioredis"
      ? await pubClient.sendCommand(["PUBSUB", "SHARDNUMSUB", channel])
      : await pubClient.call("PUBSUB", "SHARDNUMSUB", channel);
  return Number(reply[1]);
}

async function main() {
  const started = Date.now();
  console.log(`Socket.IO redis-adapter scenario against ${addr}`);
  let ok = true;
  for (const adapter of Object.keys(adapters)) {
    for (const library of Object.keys(libraries)) {
      ok = (await runCombination(adapter, library)) && ok;
    }
  }
  if (!ok) {
    console.log("FAIL: see the lines above");
    process.exit(1);
  }
  console.log(`PASS: all combinations, in ${Date.now() - started} ms`);
  process.exit(0);
}

main().catch((err) => {
  console.error(`FAIL: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
