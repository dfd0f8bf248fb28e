// 500 messages from the other party while the receiver's connection is force-closed 5 times at random moments and
// stays down for a random stretch of the burst (up to 80 messages, more than the snapshot's page, so the client must
// fill from history): the application sees every message exactly once, in sequence order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { assertContiguous, chatClient, env, proxy, rawConnection, record, texts, until, within, STEP_MS } from "./support.mjs";

const COUNT = 500;
const DROPS = 5;
const IN_FLIGHT = 8;

test("a burst with five forced socket drops reaches the application exactly once and in order", { timeout: 120_000 }, async (t) => {
  const { id, buyer, seller } = env.scenario.open;
  const network = await proxy(env.urlA);
  const receiver = chatClient(network.url, buyer);
  let reconnects = 0;
  receiver.on("status", (s) => { if (s === "reconnecting") reconnects++; });
  const calls = {};
  const invoke = receiver.connection.invoke.bind(receiver.connection);
  receiver.connection.invoke = (method, ...args) => { calls[method] = (calls[method] ?? 0) + 1; return invoke(method, ...args); };
  await receiver.start();
  const conversation = await receiver.join(id);
  const seen = record(conversation);
  const sender = await rawConnection(env.urlA, seller);
  await within(sender.invoke("Join", id), STEP_MS, "sender joins");

  // Random moments: drop i happens after 100·i + [5, 25) acknowledged sends and lasts [1, 80) more.
  const dropAt = new Map();
  for (let i = 0; i < DROPS; i++) {
    const at = i * (COUNT / DROPS) + 5 + Math.floor(Math.random() * 20);
    dropAt.set(at, 1 + Math.floor(Math.random() * 79));
  }
  let backAt = -1;
  let acknowledged = 0;
  let drops = 0;
  const sent = [];
  let next = 0;
  async function worker() {
    while (next < COUNT) {
      const n = next++;
      const text = `burst ${String(n).padStart(3, "0")}`;
      const stored = await within(sender.invoke("Send", conversation.conversationId, randomUUID(), text), STEP_MS, `send ${n}`);
      sent.push(stored);
      acknowledged++;
      const outage = dropAt.get(acknowledged);
      if (outage !== undefined) {
        // Cut a live connection each time: if the previous outage has not healed yet, wait for it (the others keep sending).
        await until((check, offs) => offs.push(receiver.on("status", check)), () => receiver.status === "connected", STEP_MS, "reconnected before the next drop");
        network.offline();
        backAt = acknowledged + outage;
        drops++;
      } else if (acknowledged >= backAt && backAt >= 0) {
        backAt = -1;
        network.online();
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  network.online();

  await seen.until(() => texts(seen.messages).length >= COUNT, `all ${COUNT} messages (have ${texts(seen.messages).length})`, 60_000);
  assert.equal(drops, DROPS, "the socket was force-closed five times");
  // Every cut is a real outage (the proxy destroys the sockets and refuses new ones until it is lifted), but a cut that
  // lands while the client is still finishing the previous reconnect's rejoin is healed by the same reconnect, so the
  // client may count fewer reconnects than cuts: at least one, and it must be connected again at the end.
  await until((check, offs) => offs.push(receiver.on("status", check)),
    () => reconnects >= 1 && receiver.status === "connected", STEP_MS, `connected again after the cuts (${reconnects} reconnects)`);
  assert.ok(reconnects >= 1, `the client reconnected after the cuts (${reconnects} reconnects)`);
  assertContiguous(assert, seen.messages, "receiver");
  const received = texts(seen.messages);
  assert.equal(received.length, COUNT);
  assert.deepEqual([...received].sort(), sent.map((m) => m.text).sort(), "every sent text arrived once");
  const bySequence = [...sent].sort((a, b) => a.sequence - b.sequence).map((m) => m.id);
  assert.deepEqual(seen.messages.filter((m) => m.kind === "Text").map((m) => m.id), bySequence, "in the order the server stored them");
  assert.equal(conversation.lastSequence, Math.max(...sent.map((m) => m.sequence)));
  t.diagnostic(`drops ${drops}, outages ${[...dropAt.values()].join("/")} sends long, reconnects ${reconnects}, Join ${calls.Join}, History ${calls.History}`);

  await sender.stop();
  await receiver.stop();
  await network.close();
});
