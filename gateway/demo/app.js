// Herald demo: a chat room and a live message-rate chart over the gateway.
//
// It talks WebSocket (/ws) by default and falls back to Server-Sent Events
// (/sse) plus POST /publish when WebSocket fails; the select in the header
// forces one or the other, as does ?transport=ws|sse in the address.
//
// The page's state is in <body data-state="..." data-transport="...">:
// connecting, connected (transport open, subscriptions not yet in place),
// subscribed (every subscription acknowledged), reconnecting, disconnected.
//
// Who is online uses the gateway's presence: over WebSocket the tab joins
// the room's channel under the chat name, and the server's leave on
// disconnect takes it off the list when the tab closes. SSE cannot join, so
// an SSE tab shows the list read-only and says it is not on it.
//
// When the gateway requires tokens, open the page with ?access_token=...
// (or set the herald_token cookie): the page passes the token on to /ws,
// /sse and /publish.
//
// User text reaches the page only through textContent, never as markup.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);

  const TYPING_TTL_MS = 4000; // a typing signal shows this long
  const TYPING_SEND_MS = 1500; // at most one typing signal per this while typing
  const WS_OPEN_TIMEOUT_MS = 3000; // WebSocket must open within this, else SSE
  const MAX_MESSAGES = 200; // chat lines kept on the page
  const PRESENCE_PREFIX = "__presence__:"; // companion channel of presence events
  const CHART_SECONDS = 60;

  const tabId = Math.random().toString(36).slice(2, 10);
  const params = new URLSearchParams(location.search);
  const accessToken = params.get("access_token") || "";

  /** Adds the page's access token, if any, to a gateway URL. */
  function withToken(path) {
    if (!accessToken) return path;
    return path + (path.includes("?") ? "&" : "?") + "access_token=" + encodeURIComponent(accessToken);
  }

  // ---- payloads ----

  /** Decodes standard base64 to text, replacing invalid UTF-8. */
  function decodeBase64(s) {
    const bin = atob(s);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder().decode(bytes);
  }

  /** Parses a JSON object payload, or returns null. */
  function parseObject(text) {
    try {
      const v = JSON.parse(text);
      return v && typeof v === "object" && !Array.isArray(v) ? v : null;
    } catch {
      return null;
    }
  }

  /** Encodes a channel for a URL path, keeping its slashes. */
  function channelPath(channel) {
    return channel.split("/").map(encodeURIComponent).join("/");
  }

  // ---- transports ----
  //
  // A transport has kind, label, open() (a promise), sync(wanted) (a
  // promise resolved once the subscriptions in wanted are in place),
  // publish(channel, text) (a promise of the receiver count) and close().
  // It reports to the app through app.deliver, app.lost, app.reconnecting,
  // app.resubscribed and app.note.

  /** WebSocket at /ws: one JSON request per frame, one reply per request. */
  class WebSocketTransport {
    constructor(app) {
      this.app = app;
      this.kind = "ws";
      this.label = "WebSocket";
      this.nextId = 1;
      this.pending = new Map(); // id -> {resolve, reject}
      this.have = { channels: new Set(), patterns: new Set() };
      this.joined = null; // {channel, name, done}: the presence this connection asked for
      this.nameless = false; // the gateway joins us as the token's sub: send no name
      this.closed = false;
      this.ws = null;
    }

    open() {
      return new Promise((resolve, reject) => {
        const scheme = location.protocol === "https:" ? "wss://" : "ws://";
        const ws = new WebSocket(scheme + location.host + withToken("/ws"));
        this.ws = ws;
        let opened = false;
        const timer = setTimeout(() => {
          if (!opened) {
            ws.close();
            reject(new Error("WebSocket did not open within " + WS_OPEN_TIMEOUT_MS / 1000 + " s"));
          }
        }, WS_OPEN_TIMEOUT_MS);
        ws.onopen = () => {
          opened = true;
          clearTimeout(timer);
          resolve();
        };
        ws.onmessage = (e) => this.receive(e.data);
        ws.onclose = (e) => {
          clearTimeout(timer);
          for (const p of this.pending.values()) p.reject(new Error("connection closed"));
          this.pending.clear();
          if (!opened) {
            reject(new Error("WebSocket failed (close code " + e.code + ")"));
          } else if (!this.closed) {
            this.app.lost(this, "WebSocket closed (" + e.code + (e.reason ? ": " + e.reason : "") + ")");
          }
        };
      });
    }

    receive(raw) {
      const m = parseObject(raw);
      if (!m) return;
      if (m.type === "message") {
        const text = typeof m.data === "string" ? m.data : decodeBase64(m.data_b64 || "");
        this.app.deliver(m.channel, m.pattern, text);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) {
        if (m.type === "error") this.app.note("server: " + m.code + ": " + m.text);
        return;
      }
      this.pending.delete(m.id);
      if (m.type === "error") p.reject(Object.assign(new Error(m.code + ": " + m.text), { code: m.code, text: m.text }));
      else p.resolve(m);
    }

    request(msg) {
      return new Promise((resolve, reject) => {
        if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
          reject(new Error("not connected"));
          return;
        }
        const id = this.nextId++;
        this.pending.set(id, { resolve, reject });
        this.ws.send(JSON.stringify(Object.assign({ id }, msg)));
      });
    }

    sync(wanted) {
      const missing = (a, b) => [...a].filter((x) => !b.has(x));
      const ops = [];
      const send = (type, key, names) => {
        if (names.length) ops.push(this.request({ type, [key]: names }));
      };
      send("subscribe", "channels", missing(wanted.channels, this.have.channels));
      send("unsubscribe", "channels", missing(this.have.channels, wanted.channels));
      send("psubscribe", "patterns", missing(wanted.patterns, this.have.patterns));
      send("punsubscribe", "patterns", missing(this.have.patterns, wanted.patterns));
      this.have = { channels: new Set(wanted.channels), patterns: new Set(wanted.patterns) };
      return Promise.all(ops);
    }

    async publish(channel, text) {
      const reply = await this.request({ type: "publish", channel, data: text });
      return reply.receivers;
    }

    /**
     * Makes this connection present in channel as name, first leaving what
     * it joined before (another room, or the same under another name).
     * Resolves to the identity the gateway acknowledged. Requests go out in
     * call order, so the gateway sees the leaves and joins in that order.
     */
    join(channel, name) {
      const was = this.joined;
      if (was && was.channel === channel && was.name === name) return was.done;
      if (was) this.request({ type: "leave", channel: was.channel }).catch(() => {});
      const mine = { channel, name, done: null };
      this.joined = mine;
      const req = this.nameless ? { type: "join", channel } : { type: "join", channel, name };
      mine.done = this.request(req)
        .catch((err) => {
          // With tokens the identity is the token's sub, and another name
          // is refused: join as the sub, and send no name from now on.
          const tokenName = err.code === "forbidden" && /^name must be/.test(err.text || "");
          if (!tokenName || this.joined !== mine) throw err;
          this.nameless = true;
          return this.request({ type: "join", channel });
        })
        .then((ack) => ack.as)
        .catch((err) => {
          if (this.joined === mine) this.joined = null;
          throw err;
        });
      return mine.done;
    }

    close() {
      this.closed = true;
      if (this.ws) this.ws.close(1000);
    }
  }

  /**
   * Server-Sent Events at /sse for receiving, POST /publish for sending.
   * A stream's subscriptions are fixed, so a change opens a new stream.
   */
  class SSETransport {
    constructor(app) {
      this.app = app;
      this.kind = "sse";
      this.label = "SSE + POST /publish";
      this.es = null;
      this.key = "";
      this.ready = Promise.resolve();
      this.closed = false;
    }

    open() {
      return Promise.resolve();
    }

    sync(wanted) {
      const channels = [...wanted.channels].sort();
      const patterns = [...wanted.patterns].sort();
      const key = JSON.stringify([channels, patterns]);
      if (key === this.key && this.es) return this.ready;
      this.key = key;
      if (this.es) this.es.close();
      this.es = null;
      if (!channels.length && !patterns.length) return (this.ready = Promise.resolve());
      const q = new URLSearchParams();
      for (const c of channels) q.append("channel", c);
      for (const p of patterns) q.append("pattern", p);
      const es = new EventSource(withToken("/sse?" + q.toString()));
      this.es = es;
      let first = true;
      this.ready = new Promise((resolve, reject) => {
        es.addEventListener("ready", () => {
          if (es !== this.es) return;
          if (first) {
            first = false;
            resolve();
          } else {
            this.app.resubscribed(this);
          }
        });
        es.addEventListener("gap", () => {
          if (es === this.es) this.app.note("reconnected: messages may have been missed");
        });
        es.addEventListener("close", (e) => {
          const info = parseObject(e.data);
          if (es === this.es) this.app.note("server ended the stream: " + (info && info.reason ? info.reason : "unknown reason"));
        });
        es.onmessage = (e) => {
          if (es !== this.es) return;
          const i = e.data.indexOf("\n");
          const meta = parseObject(i < 0 ? e.data : e.data.slice(0, i));
          if (!meta) return;
          let text = i < 0 ? "" : e.data.slice(i + 1);
          if (meta.encoding === "base64") text = decodeBase64(text);
          this.app.deliver(meta.channel, meta.pattern, text);
        };
        es.onerror = () => {
          if (es !== this.es || this.closed) return;
          if (es.readyState === EventSource.CLOSED) {
            reject(new Error("SSE stream refused"));
            this.app.lost(this, "SSE stream closed");
          } else {
            this.app.reconnecting(this);
          }
        };
      });
      return this.ready;
    }

    async publish(channel, text) {
      const resp = await fetch(withToken("/publish/" + channelPath(channel)), {
        method: "POST",
        headers: { "Content-Type": "text/plain;charset=utf-8" },
        body: text,
      });
      const body = await resp.json().catch(() => ({}));
      if (!resp.ok) throw new Error((body.code || resp.status) + ": " + (body.error || resp.statusText));
      return body.receivers;
    }

    close() {
      this.closed = true;
      if (this.es) this.es.close();
    }
  }

  // ---- the app: one transport, the subscriptions the page wants ----

  const app = {
    transport: null,
    choice: "auto",
    fellBack: false, // auto mode gave up on WebSocket
    retries: 0,
    retryTimer: 0,
    syncGeneration: 0,

    setState(state) {
      document.body.dataset.state = state;
      $("state").textContent = state;
    },

    showTransport() {
      const t = this.transport;
      document.body.dataset.transport = t ? t.kind : "";
      let text = t ? t.label : "—";
      if (t && t.kind === "sse" && this.fellBack) text += " (WebSocket failed)";
      $("transport").textContent = text;
    },

    /** The channels and patterns the page's panels need. */
    wanted() {
      const w = { channels: new Set([chat.channel(), chat.typingChannel(), presence.companion()]), patterns: new Set() };
      if (dash.isPattern) w.patterns.add(dash.name);
      else w.channels.add(dash.name);
      return w;
    },

    async connect() {
      clearTimeout(this.retryTimer);
      if (this.transport) this.transport.close();
      this.transport = null;
      this.showTransport();
      presence.offline();
      this.setState(this.retries ? "reconnecting" : "connecting");
      let t;
      if (this.choice === "sse" || (this.choice === "auto" && this.fellBack)) {
        t = new SSETransport(this);
      } else {
        t = new WebSocketTransport(this);
        try {
          this.transport = t;
          await t.open();
        } catch (err) {
          if (this.transport !== t) return;
          this.transport = null;
          if (this.choice !== "auto") {
            this.lost(t, err.message);
            return;
          }
          this.note(err.message + "; falling back to SSE");
          this.fellBack = true;
          t = new SSETransport(this);
        }
      }
      this.transport = t;
      this.showTransport();
      this.setState("connected");
      this.sync();
    },

    /**
     * Brings the transport's subscriptions to what the page wants, then
     * the tab's presence in the chat room.
     */
    async sync() {
      const t = this.transport;
      if (!t) return;
      const gen = ++this.syncGeneration;
      const presenceGen = presence.begin(chat.channel());
      this.setState("connected");
      try {
        await t.sync(this.wanted());
      } catch (err) {
        if (t === this.transport) this.note("subscribing failed: " + err.message);
        return;
      }
      if (t !== this.transport || gen !== this.syncGeneration) return;
      this.retries = 0;
      this.notesShown.clear();
      this.setState("subscribed");
      presence.follow(t, presenceGen, chat.name);
    },

    lost(t, reason) {
      if (t !== this.transport && this.transport !== null) return;
      this.transport = null;
      t.close();
      this.showTransport();
      this.setState("disconnected");
      presence.offline();
      this.note(reason);
      this.explainRefusal();
      const delay = Math.min(10000, 1000 * 2 ** this.retries++);
      this.retryTimer = setTimeout(() => this.connect(), delay);
    },

    /** Asks the gateway why it might refuse this page, and says so. */
    async explainRefusal() {
      try {
        const resp = await fetch(withToken("/numsub"));
        if (resp.status !== 401 && resp.status !== 403) return;
        const body = await resp.json().catch(() => ({}));
        let text = "the gateway refused this page: " + (body.error || resp.statusText);
        if (!accessToken) text += " (if it needs a token, open this page with ?access_token=…)";
        this.note(text);
      } catch {
        // the gateway is unreachable; the reason above says enough
      }
    },

    reconnecting(t) {
      if (t === this.transport) this.setState("reconnecting");
    },

    resubscribed(t) {
      if (t !== this.transport) return;
      this.notesShown.clear();
      this.setState("subscribed");
    },

    notesShown: new Set(), // since the page was last subscribed

    /** Shows a status line in the chat, once per outage. */
    note(text) {
      if (this.notesShown.has(text)) return;
      this.notesShown.add(text);
      chat.system(text);
    },

    deliver(channel, pattern, text) {
      if (pattern) {
        if (dash.isPattern && pattern === dash.name) dash.record(channel, text);
        return;
      }
      if (channel === chat.channel()) chat.receive(text);
      if (channel === chat.typingChannel()) chat.typing(text);
      if (channel === presence.companion()) presence.event(text);
      if (!dash.isPattern && channel === dash.name) dash.record(channel, text);
    },

    publish(channel, text) {
      if (!this.transport) return Promise.reject(new Error("not connected"));
      return this.transport.publish(channel, text);
    },
  };

  // ---- chat ----

  const chat = {
    name: "",
    room: "lobby",
    typers: new Map(), // tab id -> {name, until}
    lastTypingSent: 0,

    channel() {
      return "chat:" + this.room;
    },
    typingChannel() {
      return "typing:" + this.room;
    },

    init() {
      const stored = (k) => {
        try {
          return localStorage.getItem(k);
        } catch {
          return null;
        }
      };
      this.name = params.get("name") || stored("herald.name") || "guest-" + Math.floor(1000 + Math.random() * 9000);
      this.room = params.get("room") || stored("herald.room") || "lobby";
      $("name").value = this.name;
      $("room").value = this.room;
      this.showChannels();

      $("chat-settings").addEventListener("submit", (e) => {
        e.preventDefault();
        const name = $("name").value.trim();
        const room = $("room").value.trim();
        if (!name || !room) return;
        const moved = room !== this.room;
        const renamed = name !== this.name;
        this.name = name;
        this.room = room;
        try {
          localStorage.setItem("herald.name", name);
          localStorage.setItem("herald.room", room);
        } catch {
          // storage may be off; the names still apply to this tab
        }
        this.showChannels();
        if (moved) {
          $("messages").replaceChildren();
          this.typers.clear();
          this.renderTyping();
          this.system("joined " + this.channel());
        }
        if (moved || renamed) app.sync(); // subscriptions, then presence under the new name
      });

      $("send").addEventListener("submit", (e) => {
        e.preventDefault();
        const input = $("text");
        const text = input.value.trim();
        if (!text) return;
        input.value = "";
        this.lastTypingSent = 0;
        app
          .publish(this.channel(), JSON.stringify({ from: this.name, text, tab: tabId }))
          .then((n) => {
            $("send-status").textContent = "delivered to " + n + (n === 1 ? " receiver" : " receivers");
          })
          .catch((err) => {
            $("send-status").textContent = "not sent: " + err.message;
          });
      });

      $("text").addEventListener("input", () => {
        const now = Date.now();
        if (!$("text").value.trim() || now - this.lastTypingSent < TYPING_SEND_MS) return;
        this.lastTypingSent = now;
        app.publish(this.typingChannel(), JSON.stringify({ from: this.name, tab: tabId })).catch(() => {});
      });

      setInterval(() => this.renderTyping(), 500);
    },

    showChannels() {
      $("chat-channel").textContent = this.channel();
      $("typing-channel").textContent = this.typingChannel();
      $("presence-channel").textContent = PRESENCE_PREFIX + this.channel();
    },

    /** Shows a chat payload: {from, text, tab} JSON, or any other text as is. */
    receive(payload) {
      const m = parseObject(payload);
      const from = m && typeof m.from === "string" ? m.from : "";
      const text = m && typeof m.text === "string" ? m.text : payload;
      const mine = !!m && m.tab === tabId;
      if (m && typeof m.tab === "string") this.typers.delete(m.tab);
      this.renderTyping();

      const li = document.createElement("li");
      li.className = mine ? "message mine" : "message";
      const time = document.createElement("time");
      time.textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
      const who = document.createElement("span");
      who.className = from ? "from" : "from anonymous";
      who.textContent = from || "(no name)";
      const body = document.createElement("span");
      body.className = "text";
      body.textContent = text;
      li.append(time, who, body);
      this.append(li);
    },

    system(text) {
      const li = document.createElement("li");
      li.className = "system";
      li.textContent = text;
      this.append(li);
    },

    append(li) {
      const list = $("messages");
      const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
      list.append(li);
      while (list.children.length > MAX_MESSAGES) list.firstElementChild.remove();
      if (atBottom) list.scrollTop = list.scrollHeight;
    },

    /** Records a typing signal {from, tab}; this tab's own are ignored. */
    typing(payload) {
      const m = parseObject(payload);
      if (!m || typeof m.from !== "string" || m.tab === tabId) return;
      const key = typeof m.tab === "string" ? m.tab : "name:" + m.from;
      this.typers.set(key, { name: m.from, until: Date.now() + TYPING_TTL_MS });
      this.renderTyping();
    },

    renderTyping() {
      const now = Date.now();
      const names = [];
      for (const [key, v] of this.typers) {
        if (v.until <= now) this.typers.delete(key);
        else if (!names.includes(v.name)) names.push(v.name);
      }
      let text = "";
      if (names.length === 1) text = names[0] + " is typing…";
      else if (names.length === 2) text = names[0] + " and " + names[1] + " are typing…";
      else if (names.length > 2) text = names[0] + ", " + names[1] + " and " + (names.length - 2) + " more are typing…";
      const el = $("typing");
      if (el.textContent !== text) el.textContent = text;
    },
  };

  // ---- presence: who is online in the chat room ----
  //
  // The gateway lists a channel's members at GET /presence/{channel} and
  // publishes {"event":"join"|"leave","channel","id"} on its companion
  // channel. The page subscribes to the companion channel first, then
  // fetches the list, then applies the events that came meanwhile over it:
  // the last event of an identity is newer than anything the list could
  // miss, so no change falls between the list and the events.

  const presence = {
    channel: "chat:lobby", // the channel whose members are shown
    members: new Set(),
    early: null, // identity -> last event while the list loads; null once live
    generation: 0, // a newer begin() or offline() discards older loads
    mode: "off", // "ws": this tab joined; "sse": read-only; "off": not connected; "error"
    self: "", // the identity this tab joined as
    note: "",

    companion() {
      return PRESENCE_PREFIX + this.channel;
    },

    /** Starts following channel anew; events wait for the list. */
    begin(channel) {
      this.generation++;
      if (channel !== this.channel) {
        this.channel = channel;
        this.members = new Set();
        this.self = "";
        this.render();
      }
      this.early = new Map();
      return this.generation;
    },

    /** Joins over WebSocket (SSE cannot), then loads the list. */
    async follow(t, generation, name) {
      let mode = "sse";
      let self = "";
      let note = "Presence needs WebSocket: this tab is not on the list.";
      if (t.join) {
        try {
          self = await t.join(this.channel, name);
          mode = "ws";
          note = "";
        } catch (err) {
          mode = "error";
          note = "Could not join: " + err.message;
        }
      }
      let members = null;
      try {
        const resp = await fetch(withToken("/presence/" + channelPath(this.channel)));
        const body = await resp.json().catch(() => ({}));
        if (!resp.ok) throw new Error((body.code || resp.status) + ": " + (body.error || resp.statusText));
        members = Array.isArray(body.members) ? body.members : [];
      } catch (err) {
        mode = "error";
        note = "Could not list who is online: " + err.message;
      }
      if (generation !== this.generation) return;
      if (members) {
        this.members = new Set(members);
        for (const [id, event] of this.early) this.apply(id, event);
        this.early = null;
      }
      this.mode = mode;
      this.self = self;
      this.note = note;
      this.render();
    },

    /** Clears the list while the page has no transport. */
    offline() {
      this.generation++;
      this.members = new Set();
      this.early = null;
      this.mode = "off";
      this.self = "";
      this.note = "Not connected.";
      this.render();
    },

    /** Takes a join or leave event from the companion channel. */
    event(payload) {
      const m = parseObject(payload);
      if (!m || m.channel !== this.channel || typeof m.id !== "string") return;
      if (m.event !== "join" && m.event !== "leave") return;
      if (this.early) {
        this.early.set(m.id, m.event);
        return;
      }
      if (this.mode === "off") return;
      this.apply(m.id, m.event);
      this.render();
    },

    apply(id, event) {
      if (event === "join") this.members.add(id);
      else this.members.delete(id);
    },

    render() {
      const items = [...this.members].sort().map((id) => {
        const li = document.createElement("li");
        li.dataset.id = id;
        li.textContent = id;
        if (id === this.self) {
          li.className = "me";
          const you = document.createElement("span");
          you.className = "you";
          you.textContent = " (you)";
          li.append(you);
        }
        return li;
      });
      if (this.self) items.sort((a, b) => (b.dataset.id === this.self) - (a.dataset.id === this.self));
      $("members").replaceChildren(...items);
      $("online-count").textContent = this.mode === "off" ? "" : String(this.members.size);
      let note = this.note;
      if (!note && !this.members.size) note = "Nobody is here yet.";
      $("presence-note").textContent = note;
      $("presence").dataset.mode = this.mode;
    },
  };

  // ---- dashboard: messages per second on a canvas ----

  const dash = {
    name: "metrics:*",
    isPattern: true,
    counts: new Map(), // unix second -> messages
    total: 0,

    init() {
      this.set(params.get("watch") || "metrics:*");
      $("dash-channel").value = this.name;
      $("dash-settings").addEventListener("submit", (e) => {
        e.preventDefault();
        const v = $("dash-channel").value.trim();
        if (!v || v === this.name) return;
        this.set(v);
        this.counts.clear();
        this.total = 0;
        $("total").textContent = "0";
        $("last").textContent = "—";
        app.sync();
      });
      setInterval(() => this.draw(), 250);
      window.addEventListener("resize", () => this.draw());
      this.draw();
    },

    /** Watches a channel, or a pattern when the name has glob characters. */
    set(name) {
      this.name = name;
      this.isPattern = /[*?[]/.test(name);
    },

    record(channel, text) {
      const sec = Math.floor(Date.now() / 1000);
      this.counts.set(sec, (this.counts.get(sec) || 0) + 1);
      this.total++;
      $("total").textContent = String(this.total);
      const shown = text.length > 60 ? text.slice(0, 60) + "…" : text;
      $("last").textContent = channel + " = " + shown;
    },

    draw() {
      const canvas = $("chart");
      const dpr = window.devicePixelRatio || 1;
      const cssWidth = canvas.clientWidth || 560;
      const cssHeight = canvas.clientHeight || 220;
      if (canvas.width !== Math.round(cssWidth * dpr) || canvas.height !== Math.round(cssHeight * dpr)) {
        canvas.width = Math.round(cssWidth * dpr);
        canvas.height = Math.round(cssHeight * dpr);
      }
      const ctx = canvas.getContext("2d");
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, cssWidth, cssHeight);

      const now = Math.floor(Date.now() / 1000);
      for (const sec of this.counts.keys()) {
        if (sec <= now - CHART_SECONDS) this.counts.delete(sec);
      }
      const values = [];
      for (let s = now - CHART_SECONDS + 1; s <= now; s++) values.push(this.counts.get(s) || 0);
      // The current second is still filling; the rate is the last full one.
      $("rate").textContent = String(values[values.length - 2]);

      const max = niceMax(Math.max(1, ...values));
      const left = 40, right = 10, top = 10, bottom = 24;
      const w = cssWidth - left - right;
      const h = cssHeight - top - bottom;
      const styles = getComputedStyle(document.documentElement);
      const grid = styles.getPropertyValue("--grid").trim() || "#e3e6ea";
      const ink = styles.getPropertyValue("--muted").trim() || "#6b7280";
      const accent = styles.getPropertyValue("--accent").trim() || "#d9480f";

      ctx.font = "11px system-ui, sans-serif";
      ctx.fillStyle = ink;
      ctx.strokeStyle = grid;
      ctx.lineWidth = 1;
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      const ticks = gridLines(max);
      for (let i = 0; i <= ticks; i++) {
        const y = Math.round(top + h - (h * i) / ticks) + 0.5;
        ctx.beginPath();
        ctx.moveTo(left, y);
        ctx.lineTo(left + w, y);
        ctx.stroke();
        ctx.fillText(String((max * i) / ticks), left - 6, y);
      }
      ctx.textBaseline = "top";
      const labels = [[0, "-60 s"], [0.5, "-30 s"], [1, "now"]];
      for (const [f, label] of labels) {
        ctx.textAlign = f === 0 ? "left" : f === 1 ? "right" : "center";
        ctx.fillText(label, left + w * f, top + h + 6);
      }

      const slot = w / values.length;
      const barWidth = Math.max(1, slot - 2);
      values.forEach((v, i) => {
        if (!v) return;
        const bh = (h * v) / max;
        ctx.globalAlpha = i === values.length - 1 ? 0.45 : 1;
        ctx.fillStyle = accent;
        ctx.fillRect(left + i * slot + 1, top + h - bh, barWidth, bh);
      });
      ctx.globalAlpha = 1;
    },
  };

  /** Rounds up to 1, 2 or 5 times a power of ten, for the chart's scale. */
  function niceMax(v) {
    const p = 10 ** Math.floor(Math.log10(v));
    for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
    return 10 * p;
  }

  /** How many steps divide the scale max (from niceMax) into whole numbers. */
  function gridLines(max) {
    if (max < 5) return max; // 1 or 2: one line per message
    const lead = max / 10 ** Math.floor(Math.log10(max));
    return lead === 2 ? 4 : 5;
  }

  // ---- start ----

  function start() {
    chat.init();
    dash.init();
    const select = $("transport-choice");
    let choice = params.get("transport");
    if (!["auto", "ws", "sse"].includes(choice)) {
      try {
        choice = localStorage.getItem("herald.transport");
      } catch {
        choice = null;
      }
    }
    app.choice = ["auto", "ws", "sse"].includes(choice) ? choice : "auto";
    select.value = app.choice;
    select.addEventListener("change", () => {
      app.choice = select.value;
      app.fellBack = false;
      app.retries = 0;
      try {
        localStorage.setItem("herald.transport", app.choice);
      } catch {
        // storage may be off
      }
      app.connect();
    });
    app.connect();
  }

  start();
})();
