// Refusals arrive as ChatErrors with the server's code, its reason and whether retrying can help; a locked chat that
// unlocks reports the state change with the permissions fetched again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ChatError } from "../../dist/node/index.js";
import { chatClient, control, env, within, STEP_MS } from "./support.mjs";

async function joined(party) {
  const client = chatClient(env.urlA, party.buyer);
  await client.start();
  return { client, conversation: await client.join(party.id) };
}

async function refusal(promise) {
  try {
    await within(promise, STEP_MS, "the refusal");
  } catch (error) {
    assert.ok(error instanceof ChatError, `a ChatError, got ${error}`);
    return error;
  }
  assert.fail("the call was accepted but should have been refused");
}

test("a locked chat refuses with ChatLocked, then unlocks with the new permissions", async () => {
  const { client, conversation } = await joined(env.scenario.locked);
  assert.equal(conversation.snapshot.state, "PendingPayment");
  assert.equal(conversation.snapshot.permissions.Write.allowed, false);
  assert.equal(conversation.snapshot.permissions.Write.code, "ChatLocked");

  const error = await refusal(conversation.send("Is it still available?"));
  assert.equal(error.code, "ChatLocked");
  assert.equal(error.retryable, false);
  assert.equal(error.isRefusal, true);
  assert.match(error.reason, /\w/);
  assert.equal(conversation.pendingSends, 0, "a refused send leaves the queue");

  const unlocked = new Promise((resolve) => conversation.on("stateChanged", resolve));
  await control("confirm-locked");
  const { change, snapshot } = await within(unlocked, STEP_MS, "stateChanged");
  assert.equal(change.to, "Open");
  assert.equal(change.trigger, "PaymentConfirmed");
  assert.equal(snapshot.state, "Open");
  assert.equal(snapshot.permissions.Write.allowed, true, "the permissions were fetched again");
  const stored = await within(conversation.send("Paid, thanks"), STEP_MS, "send after unlock");
  assert.equal(stored.text, "Paid, thanks");
  await client.stop();
});

test("a frozen chat refuses with ChatFrozen", async () => {
  const { client, conversation } = await joined(env.scenario.frozen);
  assert.equal(conversation.snapshot.state, "Frozen");
  const error = await refusal(conversation.send("Hello?"));
  assert.equal(error.code, "ChatFrozen");
  assert.equal(error.retryable, false);
  await client.stop();
});

test("a rate-limited send is refused with a retryable RateLimited, and queued sends retry it", async () => {
  const { client, conversation } = await joined(env.scenario.limited);
  // retryRefusals: false shows the refusal itself: the burst allows 3, so one of these 6 is refused.
  const outcomes = await within(Promise.allSettled(
    Array.from({ length: 6 }, (_, n) => conversation.send(`fast ${n}`, { retryRefusals: false }))), STEP_MS, "fast sends");
  const refused = outcomes.filter((o) => o.status === "rejected").map((o) => o.reason);
  assert.ok(refused.length >= 1, "the rate limit refused at least one send");
  for (const error of refused) {
    assert.ok(error instanceof ChatError);
    assert.equal(error.code, "RateLimited");
    assert.equal(error.retryable, true);
  }

  // By default the queue waits the limit out: every send is stored, in order, after RateLimited retries.
  const retries = [];
  conversation.on("retrying", (r) => retries.push(r));
  const stored = await within(Promise.all(Array.from({ length: 5 }, (_, n) => conversation.send(`patient ${n}`))), STEP_MS, "patient sends");
  assert.deepEqual(stored.map((m) => m.text), Array.from({ length: 5 }, (_, n) => `patient ${n}`));
  assert.ok(retries.some((r) => r.error.code === "RateLimited" && r.error.retryable), "RateLimited was retried");
  const retriedIds = new Set(retries.map((r) => r.clientMessageId));
  assert.ok(stored.some((m) => retriedIds.has(m.id)), "a retried send was stored under the id it was first tried with");
  await client.stop();
});

test("calls made while disconnected are refused as Disconnected, retryable", async () => {
  const { client, conversation } = await joined(env.scenario.limited);
  await client.stop();
  const error = await refusal(conversation.markRead());
  assert.equal(error.code, "Disconnected");
  assert.equal(error.retryable, true);
  assert.equal(error.isRefusal, false);
  assert.equal(client.status, "disconnected");
});
