// Typed events: typing (throttled by the client), presence, read receipts, notifications.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chatClient, env, within, STEP_MS } from "./support.mjs";

const next = (target, event, predicate = () => true) =>
  within(new Promise((resolve) => { const off = target.on(event, (e) => { if (predicate(e)) { off(); resolve(e); } }); }), STEP_MS, event);

test("typing is throttled client-side; presence, read receipts and notifications arrive typed", async () => {
  const { id, buyer, seller } = env.scenario.open;
  const buyerClient = chatClient(env.urlA, buyer, { typingIntervalMs: 60_000, typingIdleMs: 200 });
  await buyerClient.start();
  const buyerChat = await buyerClient.join(id);
  const sellerClient = chatClient(env.urlA, seller);
  await sellerClient.start();

  const online = next(buyerChat, "presence", (p) => p.userId === seller && p.isOnline);
  const sellerChat = await sellerClient.join(id);
  assert.equal((await online).conversationId, buyerChat.conversationId);
  assert.ok(buyerChat.snapshot.online.includes(seller), "the snapshot's online list follows presence");

  // Twenty keystrokes: one Typing(true) on the wire, then Typing(false) once the buyer is idle.
  const calls = [];
  const invoke = buyerClient.connection.invoke.bind(buyerClient.connection);
  buyerClient.connection.invoke = (method, ...args) => { if (method === "Typing") calls.push(args[1]); return invoke(method, ...args); };
  const started = next(sellerChat, "typing", (t) => t.userId === buyer && t.isTyping);
  const stopped = next(sellerChat, "typing", (t) => t.userId === buyer && !t.isTyping);
  for (let i = 0; i < 20; i++) buyerChat.typing();
  await started;
  await stopped;
  assert.deepEqual(calls, [true, false], "one Typing(true) for twenty keystrokes, then one Typing(false)");

  const notified = next(sellerClient, "notification", (n) => n.notification.conversationId === buyerChat.conversationId);
  const message = await within(buyerChat.send("Bonjour"), STEP_MS, "send");
  const push = await notified;
  assert.equal(push.notification.kind, "NewTransactionMessage");
  assert.equal(push.notification.messageId, message.id);
  assert.ok(push.unreadCount >= 1);

  const receipt = next(buyerChat, "readReceipt", (r) => r.userId === seller);
  await within(new Promise((resolve) => { if (sellerChat.lastSequence >= message.sequence) resolve(); else sellerChat.on("message", (m) => { if (m.id === message.id) resolve(); }); }), STEP_MS, "seller has the message");
  assert.equal(await sellerChat.markRead(), 0);
  assert.equal((await receipt).sequence, message.sequence);
  assert.equal(buyerChat.snapshot.participants.find((p) => p.userId === seller).lastReadSequence, message.sequence);

  const offline = next(buyerChat, "presence", (p) => p.userId === seller && !p.isOnline);
  await sellerClient.stop();
  await offline;
  assert.ok(!buyerChat.snapshot.online.includes(seller));
  await buyerClient.stop();
});
