// Helpers for the scenarios that run against a real chat server (started by the C# test JavaScriptClientShould, which
// passes CHAT_URL_A, CHAT_URL_B, CHAT_CONTROL_URL, CHAT_SCENARIO and CHAT_CORPUS in the environment).
import net from "node:net";
import { HubConnectionBuilder, HttpTransportType, LogLevel } from "@microsoft/signalr";
import { ChatClient } from "../../dist/node/index.js";

export const STEP_MS = 20_000;

export const env = {
  urlA: required("CHAT_URL_A"),
  urlB: process.env.CHAT_URL_B,
  control: process.env.CHAT_CONTROL_URL,
  scenario: JSON.parse(process.env.CHAT_SCENARIO ?? "{}"),
  corpus: process.env.CHAT_CORPUS,
};

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: these scenarios are run by the C# test JavaScriptClientShould.`);
  return value;
}

const quiet = { log: (level, message) => { if (level >= LogLevel.Error && !/WebSocket closed|connection being closed|Server timeout|fetch failed|Failed to start the connection|negotiation/i.test(message)) console.error(message); } };

/** A package client for a user, on the transaction hub of a base URL. */
export function chatClient(baseUrl, userId, options = {}) {
  return new ChatClient({
    url: new URL("/chat/transactions", baseUrl).href,
    accessTokenFactory: () => userId,
    reconnectDelays: [0, 100, 250, 500],
    transport: HttpTransportType.WebSockets,
    logger: quiet,
    ...options,
  });
}

/** The official SignalR client with nothing added: the "other party" that sends, edits and deletes. */
export async function rawConnection(baseUrl, userId) {
  const hub = new HubConnectionBuilder()
    .withUrl(new URL("/chat/transactions", baseUrl).href, { accessTokenFactory: () => userId, transport: HttpTransportType.WebSockets })
    .configureLogging(quiet)
    .build();
  await within(hub.start(), STEP_MS, `${userId} start`);
  return hub;
}

/** Drops a client's WebSocket the way a network failure does (no close handshake). */
export function forceClose(client) {
  const socket = client.connection.connection?.transport?._webSocket;
  if (!socket) return false;
  if (typeof socket.terminate === "function") socket.terminate();
  else socket.close();
  return true;
}

/** Rejects when the promise has not settled within ms. */
export function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves when predicate() holds, re-checked whenever one of the subscribed events fires; rejects after ms. */
export function until(subscribe, predicate, ms, what) {
  return within(new Promise((resolve) => {
    if (predicate()) return resolve();
    const offs = [];
    const check = () => { if (predicate()) { offs.forEach((off) => off()); resolve(); } };
    subscribe(check, offs);
  }), ms, what);
}

/** Collects what the application sees of a conversation. */
export function record(conversation) {
  const seen = { messages: [], entries: [], changes: [], listeners: new Set() };
  const notify = () => seen.listeners.forEach((fn) => fn());
  conversation.on("message", (m) => { seen.messages.push(m); notify(); });
  conversation.on("entry", (m) => { seen.entries.push(m); notify(); });
  conversation.on("change", (m) => { seen.changes.push(m); notify(); });
  seen.until = (predicate, what, ms = STEP_MS) => until((check, offs) => { seen.listeners.add(check); offs.push(() => seen.listeners.delete(check)); }, predicate, ms, what);
  return seen;
}

/** Calls one of the C# test's host actions (confirm a payment, open a dispute...). */
export async function control(action) {
  const response = await fetch(new URL(action, env.control), { method: "POST" });
  if (!response.ok) throw new Error(`control ${action}: HTTP ${response.status} ${await response.text()}`);
}

/** Checks that entries are exactly once and gap-free in sequence order from their first. */
export function assertContiguous(assert, entries, what) {
  for (let i = 1; i < entries.length; i++) {
    assert.equal(entries[i].sequence, entries[i - 1].sequence + 1, `${what}: entry ${i} has sequence ${entries[i].sequence} after ${entries[i - 1].sequence}`);
  }
  assert.equal(new Set(entries.map((m) => m.id)).size, entries.length, `${what}: an entry was delivered twice`);
}

/**
 * A TCP proxy in front of the chat server: the client connects through it, and the test drops every connection
 * (network failure), refuses new ones for a while (offline), or sends them to another node (load balancer).
 */
export async function proxy(targetUrl) {
  let target = new URL(targetUrl);
  let refusing = false;
  const sockets = new Set();
  const server = net.createServer((client) => {
    if (refusing) return client.destroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const dropAll = () => { for (const s of sockets) s.destroy(); sockets.clear(); };
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    /** Cuts every open connection. */
    drop: dropAll,
    /** Cuts every connection and refuses new ones until {@link online}. */
    offline() { refusing = true; dropAll(); },
    online() { refusing = false; },
    /** Sends new connections to another node and cuts the open ones. */
    switchTo(url) { target = new URL(url); dropAll(); },
    close() { dropAll(); return new Promise((resolve) => server.close(resolve)); },
  };
}

export const texts = (messages) => messages.filter((m) => m.kind === "Text").map((m) => m.text);
