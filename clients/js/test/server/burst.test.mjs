// 500 messages from the other party while the receiver's socket is force-closed 5 times at random moments:
// the application sees every message exactly once, in sequence order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { assertContiguous, chatClient, env, forceClose, rawConnection, record, texts, within, STEP_MS } from "./support.mjs";

const COUNT = 500;
const DROPS = 5;
const IN_FLIGHT = 8;

test("a burst with five forced socket drops reaches the application exactly once and in order", { timeout: 120_000 }, async () => {
  const { id, buyer, seller } = env.scenario.open;
  const receiver = chatClient(env.urlA, buyer);
  let reconnects = 0;
  receiver.on("status", (s) => { if (s === "reconnecting") reconnects++; });
  await receiver.start();
  const conversation = await receiver.join(id);
  const seen = record(conversation);
  const sender = await rawConnection(env.urlA, seller);
  await within(sender.invoke("Join", id), STEP_MS, "sender joins");

  // Random moments: after a random number of acknowledged sends, spread over the burst.
  const dropAt = new Set();
  while (dropAt.size < DROPS) dropAt.add(20 + Math.floor(Math.random() * (COUNT - 40)));
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
      if (dropAt.has(acknowledged) && forceClose(receiver)) drops++;
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));

  await seen.until(() => texts(seen.messages).length >= COUNT, `all ${COUNT} messages (have ${texts(seen.messages).length})`, 60_000);
  assert.equal(drops, DROPS, "the socket was force-closed five times");
  assert.ok(reconnects >= DROPS, `the client reconnected after every drop (${reconnects} reconnects)`);
  assertContiguous(assert, seen.messages, "receiver");
  const received = texts(seen.messages);
  assert.equal(received.length, COUNT);
  assert.deepEqual([...received].sort(), sent.map((m) => m.text).sort(), "every sent text arrived once");
  const bySequence = [...sent].sort((a, b) => a.sequence - b.sequence).map((m) => m.id);
  assert.deepEqual(seen.messages.filter((m) => m.kind === "Text").map((m) => m.id), bySequence, "in the order the server stored them");
  assert.equal(conversation.lastSequence, Math.max(...sent.map((m) => m.sequence)));

  await sender.stop();
  await receiver.stop();
});
