// Sends made while the client is offline are queued, keep their ids, and are stored and delivered once after the reconnect.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertContiguous, chatClient, env, proxy, rawConnection, record, texts, until, within, STEP_MS } from "./support.mjs";

test("sends made while disconnected are delivered once after reconnect", { timeout: 60_000 }, async () => {
  const { id, buyer, seller } = env.scenario.open;
  const network = await proxy(env.urlA);
  const client = chatClient(network.url, buyer);
  await client.start();
  const conversation = await client.join(id);
  const seen = record(conversation);
  const other = await rawConnection(env.urlA, seller);
  await within(other.invoke("Join", id), STEP_MS, "seller joins");
  const theirs = [];
  other.on("MessageReceived", (m) => theirs.push(m));

  network.offline();
  await until((check, offs) => offs.push(client.on("status", check)), () => client.status !== "connected", STEP_MS, "the client notices it is offline");
  let settled = 0;
  const sends = ["one", "two", "three", "four"].map((text) => conversation.send(`offline ${text}`).finally(() => settled++));
  await other.invoke("Send", conversation.conversationId, crypto.randomUUID(), "while you were away");
  assert.equal(conversation.pendingSends, 4, "the sends wait in the queue");
  assert.equal(settled, 0, "nothing resolved while offline");

  network.online();
  const stored = await within(Promise.all(sends), STEP_MS, "the queued sends are acknowledged after the reconnect");
  assert.deepEqual(stored.map((m) => m.text), ["offline one", "offline two", "offline three", "offline four"]);
  assert.ok(stored.every((m, i) => i === 0 || m.sequence === stored[i - 1].sequence + 1), "stored in the order written");

  await seen.until(() => texts(seen.messages).length >= 5, "the client has its sends and the message it missed");
  assertContiguous(assert, seen.messages, "client");
  assert.deepEqual(texts(seen.messages), ["while you were away", "offline one", "offline two", "offline three", "offline four"]);

  const history = await other.invoke("History", conversation.conversationId, null, 0, 100);
  const offline = history.messages.filter((m) => m.text?.startsWith("offline "));
  assert.equal(offline.length, 4, "each queued send is stored exactly once");
  assert.deepEqual(offline.map((m) => m.id), stored.map((m) => m.id), "under the id the client generated");
  await until((check) => other.on("MessageReceived", check), () => theirs.filter((m) => m.text?.startsWith("offline ")).length >= 4, STEP_MS, "the other party got them live");

  await other.stop();
  await client.stop();
  await network.close();
});
