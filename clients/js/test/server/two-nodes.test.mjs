// Two servers on one database, no backplane. The client starts on node A behind a load balancer; mid-burst the balancer
// sends it to node B, where the rest of the burst (sent on A) is never pushed live. The client still ends with every
// message, in order: the reconnect catches up from the contiguous sequence, and the next entry it does receive on B
// reveals the gap, which history fills.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { assertContiguous, chatClient, env, proxy, rawConnection, record, texts, within, STEP_MS } from "./support.mjs";

const BEFORE = 120;
const AFTER = 120;

test("a reconnect to a different node still ends with every message", { timeout: 120_000 }, async () => {
  assert.ok(env.urlB, "CHAT_URL_B names the second node");
  const { id, buyer, seller } = env.scenario.open;
  const balancer = await proxy(env.urlA);
  const client = chatClient(balancer.url, buyer);
  await client.start();
  const conversation = await client.join(id);
  const seen = record(conversation);
  const onA = await rawConnection(env.urlA, seller);
  await within(onA.invoke("Join", id), STEP_MS, "seller joins on A");
  const send = (hub, text) => within(hub.invoke("Send", conversation.conversationId, randomUUID(), text), STEP_MS, text);

  const sent = [];
  for (let n = 0; n < BEFORE; n++) {
    sent.push(await send(onA, `A ${n}`));
    if (n === BEFORE / 2) balancer.switchTo(env.urlB);
  }
  for (let n = 0; n < AFTER; n++) sent.push(await send(onA, `A late ${n}`));

  // Something the client does receive live on B: the seller, now also on B, says one more thing.
  const onB = await rawConnection(env.urlB, seller);
  await within(onB.invoke("Join", id), STEP_MS, "seller joins on B");
  sent.push(await send(onB, "B last"));

  const total = BEFORE + AFTER + 1;
  await seen.until(() => texts(seen.messages).length >= total, `all ${total} messages`, 60_000);
  assertContiguous(assert, seen.messages, "client");
  assert.deepEqual(seen.messages.filter((m) => m.kind === "Text").map((m) => m.id), sent.map((m) => m.id), "every message, in the order stored");

  await Promise.all([onA.stop(), onB.stop(), client.stop()]);
  await balancer.close();
});
