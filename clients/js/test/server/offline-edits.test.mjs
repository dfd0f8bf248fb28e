// The other party edits one message and deletes another while this client is offline: after the reconnect the
// application gets both changes (from the log's Edit/Deletion entries, or, on a server without them, from the snapshot).
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { assertContiguous, chatClient, env, proxy, rawConnection, record, texts, until, within, STEP_MS } from "./support.mjs";

test("an edit and a deletion made while offline are applied after reconnect", { timeout: 60_000 }, async () => {
  const { id, buyer, seller } = env.scenario.open;
  const network = await proxy(env.urlA);
  const client = chatClient(network.url, buyer);
  await client.start();
  const conversation = await client.join(id);
  const seen = record(conversation);
  const other = await rawConnection(env.urlA, seller);
  await within(other.invoke("Join", id), STEP_MS, "seller joins");
  const cid = conversation.conversationId;
  const first = await other.invoke("Send", cid, randomUUID(), "Le prix est 40 €");
  const second = await other.invoke("Send", cid, randomUUID(), "Mon numéro : 06 12 34 56 78");
  const third = await other.invoke("Send", cid, randomUUID(), "À bientôt");
  await seen.until(() => texts(seen.messages).length >= 3, "the three messages");

  network.offline();
  await until((check, offs) => offs.push(client.on("status", check)), () => client.status !== "connected", STEP_MS, "offline");
  await within(other.invoke("Edit", cid, first.id, "Le prix est 35 €"), STEP_MS, "edit");
  await within(other.invoke("Delete", cid, second.id), STEP_MS, "delete");
  assert.equal(seen.changes.length, 0, "nothing reached the offline client");

  network.online();
  await seen.until(() => seen.changes.some((m) => m.id === first.id) && seen.changes.some((m) => m.id === second.id), "both changes after the reconnect");
  const edited = seen.changes.filter((m) => m.id === first.id).at(-1);
  const deleted = seen.changes.filter((m) => m.id === second.id).at(-1);
  assert.equal(edited.text, "Le prix est 35 €");
  assert.ok(edited.editedAt, "the edit carries its time");
  assert.equal(deleted.isDeleted, true);
  assert.equal(deleted.text, null, "the deleted text is gone");
  assert.ok(!seen.changes.some((m) => m.id === third.id), "the untouched message did not change");
  assert.equal(texts(seen.messages).length, 3, "edits and deletions are not new messages");
  assertContiguous(assert, seen.entries, "entries");
  // The append-only log's contract: the edit and the deletion are entries of their own, caught up by history.
  assert.ok(seen.entries.some((e) => e.kind === "Edit" && e.targetId === first.id && e.text === "Le prix est 35 €"), "the Edit entry was delivered");
  assert.ok(seen.entries.some((e) => e.kind === "Deletion" && e.targetId === second.id && e.text === null), "the Deletion entry was delivered, without the text");

  await other.stop();
  await client.stop();
  await network.close();
});
