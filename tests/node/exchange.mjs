// A buyer and a seller chatting through the official @microsoft/signalr JavaScript client, run under Node by
// tests/Marketplace.Chat.IntegrationTests/Node/NodeClientShould.cs.
//
//   node exchange.mjs <baseUrl> <transactionId> <buyerId> <sellerId>
//
// Protocol with the C# test, on stdout (diagnostics go to stderr):
//   READY             both joined and a Send was refused as ChatLocked: the test confirms the payment now
//   RESULT {json}     everything checked; the summary the test asserts on
// Exit code 0 when every check passed; 1 (after printing the error) on any failure or after 20 s.
import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";
import { HttpTransportType, HubConnectionBuilder, HubConnectionState, LogLevel } from "@microsoft/signalr";

const OVERALL_TIMEOUT_MS = 20_000;
const STEP_TIMEOUT_MS = 8_000;
const BUYER_TEXT = "Bonjour";
const SELLER_TEXT = "Bonjour, l'article est disponible";

const [baseUrl, transactionId, buyerId, sellerId] = process.argv.slice(2);
if (!baseUrl || !transactionId || !buyerId || !sellerId) {
  console.error("usage: node exchange.mjs <baseUrl> <transactionId> <buyerId> <sellerId>");
  process.exit(2);
}

const overall = setTimeout(() => fail(new Error(`timed out after ${OVERALL_TIMEOUT_MS / 1000} s`)), OVERALL_TIMEOUT_MS);
const connections = [];

/** Rejects when the promise has not settled within ms. */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function check(condition, message) {
  if (!condition) {
    throw new Error("check failed: " + message);
  }
}

/** Writes one line to stdout and resolves once it is flushed. */
function emit(line) {
  return new Promise((resolve) => process.stdout.write(line + "\n", resolve));
}

function fail(error) {
  console.error("FAILED " + (error?.stack ?? error));
  process.exit(1);
}

/** Events of one name on one connection, in arrival order; next() finds a past one or waits for a future one. */
class EventLog {
  constructor(name) {
    this.name = name;
    this.all = [];
    this.waiters = [];
  }

  add(event) {
    this.all.push(event);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(event)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  }

  next(predicate, what) {
    const seen = this.all.find(predicate);
    if (seen) {
      return Promise.resolve(seen);
    }

    const promise = new Promise((resolve) => this.waiters.push({ predicate, resolve }));
    return within(promise, STEP_TIMEOUT_MS, `${this.name}: ${what}`);
  }
}

/** Connects as a user, the way a browser app would: negotiate, then WebSockets, with the token from accessTokenFactory. */
async function connect(name, userId) {
  const hub = new HubConnectionBuilder()
    .withUrl(new URL("/chat/transactions", baseUrl).href, {
      accessTokenFactory: () => userId,
      transport: HttpTransportType.WebSockets,
    })
    .withAutomaticReconnect()
    .configureLogging({
      log: (level, message) => {
        if (level >= LogLevel.Warning) {
          console.error(`[${name}] ${LogLevel[level]}: ${message}`);
        }
      },
    })
    .build();

  const client = { name, userId, hub, reconnects: 0, closed: false, events: {} };
  for (const event of ["MessageReceived", "MessageChanged", "StateChanged", "Typing", "ReadReceipt", "Presence", "ParticipantJoined"]) {
    const log = new EventLog(`${name} ${event}`);
    client.events[event] = log;
    hub.on(event, (payload) => log.add(payload));
  }

  hub.onreconnecting((error) => {
    client.reconnects++;
    console.error(`[${name}] reconnecting: ${error?.message ?? "no error"}`);
  });
  hub.onclose((error) => {
    client.closed = true;
    console.error(`[${name}] closed: ${error?.message ?? "no error"}`);
  });

  connections.push(client);
  await within(hub.start(), STEP_TIMEOUT_MS, `${name} start`);
  check(hub.state === HubConnectionState.Connected, `${name} is connected`);
  return client;
}

function invoke(client, method, ...args) {
  return within(client.hub.invoke(method, ...args), STEP_TIMEOUT_MS, `${client.name} ${method}`);
}

/** Invokes a method that must be refused and returns the refusal code from "HubException: <Code>: <reason>". */
async function refusal(client, method, ...args) {
  try {
    await invoke(client, method, ...args);
  } catch (error) {
    const match = /HubException: ([A-Za-z]+): /.exec(error?.message ?? "");
    check(match, `${client.name} ${method} was refused with a chat code, got: ${error?.message}`);
    return { code: match[1], message: error.message };
  }

  throw new Error(`${client.name} ${method} was accepted but should have been refused`);
}

/** Which WebSocket constructor the client used (private fields of the client, read defensively: diagnostics only). */
function webSocketImplementation(client) {
  const ctor = client.hub.connection?._options?.WebSocket;
  if (!ctor) {
    return "unknown";
  }

  const require = createRequire(import.meta.url);
  const ws = createRequire(require.resolve("@microsoft/signalr"))("ws");
  if (ctor === ws) {
    return `ws ${createRequire(require.resolve("@microsoft/signalr"))("ws/package.json").version}`;
  }

  return ctor === globalThis.WebSocket ? "global WebSocket" : ctor.name || "other";
}

const texts = (client) => client.events.MessageReceived.all.filter((m) => m.kind === "Text");

async function main() {
  const buyer = await connect("buyer", buyerId);
  const seller = await connect("seller", sellerId);

  const buyerView = await invoke(buyer, "Join", transactionId);
  const sellerView = await invoke(seller, "Join", transactionId);
  check(buyerView.conversationId === sellerView.conversationId, "buyer and seller joined the same conversation");
  check(buyerView.state === "PendingPayment", `the chat waits for payment, state is ${buyerView.state}`);
  check(buyerView.yourRole === "Buyer" && sellerView.yourRole === "Seller", `roles are ${buyerView.yourRole}/${sellerView.yourRole}`);
  check(buyerView.permissions?.Write?.allowed === false, `writing is not allowed yet: ${JSON.stringify(buyerView.permissions?.Write)}`);
  const conversationId = buyerView.conversationId;

  const locked = await refusal(buyer, "Send", conversationId, randomUUID(), "Is it still available?");
  check(locked.code === "ChatLocked", `the early Send was refused as ChatLocked, got ${locked.code}`);

  await emit("READY");

  const [buyerUnlocked, sellerUnlocked] = await Promise.all([
    buyer.events.StateChanged.next((s) => s.to === "Open", "StateChanged to Open"),
    seller.events.StateChanged.next((s) => s.to === "Open", "StateChanged to Open"),
  ]);
  check(buyerUnlocked.conversationId === conversationId, "the buyer's unlock is for this conversation");

  const hello = await invoke(buyer, "Send", conversationId, randomUUID(), BUYER_TEXT);
  check(hello.senderId === buyerId && hello.senderRole === "Buyer", `the buyer sent "${BUYER_TEXT}": ${JSON.stringify(hello)}`);
  await Promise.all([
    buyer.events.MessageReceived.next((m) => m.id === hello.id, "the buyer's message"),
    seller.events.MessageReceived.next((m) => m.id === hello.id, "the buyer's message"),
  ]);

  const reply = await invoke(seller, "Send", conversationId, randomUUID(), SELLER_TEXT);
  check(reply.senderId === sellerId && reply.senderRole === "Seller", `the seller replied: ${JSON.stringify(reply)}`);
  check(reply.sequence > hello.sequence, `the reply comes after the question (${hello.sequence} < ${reply.sequence})`);
  await Promise.all([
    buyer.events.MessageReceived.next((m) => m.id === reply.id, "the seller's reply"),
    seller.events.MessageReceived.next((m) => m.id === reply.id, "the seller's reply"),
  ]);

  for (const client of [buyer, seller]) {
    const received = texts(client).map((m) => m.text);
    check(JSON.stringify(received) === JSON.stringify([BUYER_TEXT, SELLER_TEXT]), `${client.name} received ${JSON.stringify(received)}`);
  }

  const unread = await invoke(buyer, "MarkRead", conversationId, reply.sequence);
  check(unread === 0, `the buyer has nothing left to read, unread is ${unread}`);
  const receipt = await seller.events.ReadReceipt.next(
    (r) => r.userId === buyerId && r.sequence === reply.sequence, "the buyer's read receipt");

  const summary = {
    conversationId,
    transport: buyer.hub.connection?.transport?.constructor?.name ?? "unknown",
    webSocket: webSocketImplementation(buyer),
    // HttpConnection.connectionId comes from the negotiate response; it stays undefined when negotiation is skipped.
    negotiated: typeof buyer.hub.connection?.connectionId === "string",
    node: process.version,
    refusal: locked,
    unlocked: { buyer: buyerUnlocked.trigger, seller: sellerUnlocked.trigger },
    buyer: { texts: texts(buyer).map((m) => ({ text: m.text, senderId: m.senderId, sequence: m.sequence })) },
    seller: { texts: texts(seller).map((m) => ({ text: m.text, senderId: m.senderId, sequence: m.sequence })) },
    readReceipt: { userId: receipt.userId, sequence: receipt.sequence, seenBy: sellerId },
    unread,
    reconnects: buyer.reconnects + seller.reconnects,
  };
  check(!buyer.closed && !seller.closed, "no connection closed during the exchange");

  await Promise.all(connections.map((c) => within(c.hub.stop(), STEP_TIMEOUT_MS, `${c.name} stop`)));
  await emit("RESULT " + JSON.stringify(summary));
}

try {
  await main();
  clearTimeout(overall);
  process.exit(0);
} catch (error) {
  fail(error);
}
