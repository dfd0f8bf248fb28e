// Buyer and seller, each in two tabs, all four sending at once (with two forced drops in the middle): every client
// delivers the same entries, exactly once, in sequence order, and every send is stored once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertContiguous, chatClient, env, forceClose, record, texts } from "./support.mjs";

const PER_SENDER = 60;

test("concurrent senders on both sides are delivered in sequence order to everyone", { timeout: 120_000 }, async () => {
  const { id, buyer, seller } = env.scenario.open;
  const tabs = [
    { name: "buyer tab 1", user: buyer }, { name: "buyer tab 2", user: buyer },
    { name: "seller tab 1", user: seller }, { name: "seller tab 2", user: seller },
  ];
  for (const tab of tabs) {
    tab.client = chatClient(env.urlA, tab.user);
    await tab.client.start();
    tab.conversation = await tab.client.join(id);
    tab.seen = record(tab.conversation);
  }

  let acknowledged = 0;
  const sends = tabs.flatMap((tab) => Array.from({ length: PER_SENDER }, (_, n) =>
    tab.conversation.send(`${tab.name} #${n}`).then((stored) => {
      acknowledged++;
      // Two drops while sends are in flight: the queued sends are retried under their ids after the reconnect.
      if (acknowledged === 50) forceClose(tabs[0].client);
      if (acknowledged === 150) forceClose(tabs[2].client);
      return stored;
    })));
  const stored = await Promise.all(sends);
  const total = tabs.length * PER_SENDER;
  assert.equal(new Set(stored.map((m) => m.id)).size, total, "every send resolved to its own stored message");
  assert.equal(new Set(stored.map((m) => m.sequence)).size, total, "and its own sequence");

  const expected = [...stored].sort((a, b) => a.sequence - b.sequence).map((m) => m.id);
  for (const tab of tabs) {
    await tab.seen.until(() => texts(tab.seen.messages).length >= total, `${tab.name} has all ${total} messages`);
    assertContiguous(assert, tab.seen.messages, tab.name);
    assert.deepEqual(tab.seen.messages.filter((m) => m.kind === "Text").map((m) => m.id), expected, `${tab.name} delivers in sequence order`);
  }
  for (const tab of tabs) {
    const own = tab.seen.messages.filter((m) => m.text?.startsWith(tab.name + " #")).map((m) => m.text);
    assert.deepEqual(own, Array.from({ length: PER_SENDER }, (_, n) => `${tab.name} #${n}`), `${tab.name}'s own messages keep the order they were written in`);
  }
  await Promise.all(tabs.map((tab) => tab.client.stop()));
});
