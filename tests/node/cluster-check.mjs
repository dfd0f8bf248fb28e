// End-to-end check of the sample running as a cluster (scripts/cluster.sh --check): a buyer signed in on node 1 and the
// seller signed in on node 2 chat live through Redis, with the official @microsoft/signalr client under Node.
//
//   node cluster-check.mjs <node1 url> <node2 url>
//
// Exit code 0 when every step passed; 1 (after printing the failing step) otherwise or after 60 s.
import { randomUUID } from "node:crypto";
import { HttpTransportType, HubConnectionBuilder, LogLevel } from "@microsoft/signalr";

const [node1, node2] = process.argv.slice(2);
if (!node1 || !node2) {
  console.error("usage: node cluster-check.mjs <node1 url> <node2 url>");
  process.exit(2);
}

setTimeout(() => { console.error("cluster check: timed out after 60 s"); process.exit(1); }, 60_000).unref();
const within = (promise, what, ms = 15_000) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms / 1000} s`)), ms))]);

async function signIn(base, userId) {
  const response = await fetch(`${base}/api/account/demo-login`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ userId }),
  });
  if (!response.ok) throw new Error(`demo login of ${userId} on ${base}: HTTP ${response.status}`);
  return response.headers.getSetCookie().map(c => c.split(";")[0]).join("; ");
}

async function post(base, cookie, path) {
  const response = await fetch(`${base}${path}`, { method: "POST", headers: { "Content-Type": "application/json", Cookie: cookie }, body: "{}" });
  if (!response.ok) throw new Error(`POST ${path} on ${base}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

async function connect(base, cookie) {
  const connection = new HubConnectionBuilder()
    .withUrl(`${base}/chat/transactions`, { headers: { Cookie: cookie }, transport: HttpTransportType.WebSockets, skipNegotiation: true })
    .configureLogging(LogLevel.Error)
    .build();
  await connection.start();
  return connection;
}

const next = (connection, event, match) => new Promise(resolve => {
  const handler = payload => { if (match(payload)) { connection.off(event, handler); resolve(payload); } };
  connection.on(event, handler);
});

try {
  const buyerCookie = await signIn(node1, "camille");
  const sellerCookie = await signIn(node2, "sophie");
  const order = await post(node1, buyerCookie, "/api/listings/vase/buy");
  const buyer = await connect(node1, buyerCookie);
  const seller = await connect(node2, sellerCookie);
  const chat = await buyer.invoke("Join", order.id);
  await seller.invoke("Join", order.id);
  console.log(`cluster check: order ${order.id}, buyer on ${node1}, seller on ${node2}`);

  const unlocked = next(seller, "StateChanged", s => s.to === "Open");
  await post(node1, buyerCookie, `/api/fakepay/checkout/${order.id}/pay`);
  await within(unlocked, "StateChanged (payment confirmed on node 1) on node 2");
  console.log("cluster check: payment confirmed on node 1 reached the seller on node 2");

  const id = randomUUID();
  const received = next(seller, "MessageReceived", m => m.id === id);
  await buyer.invoke("Send", chat.conversationId, id, "Bonjour from node 1");
  await within(received, "message from node 1 on node 2");
  const typing = next(buyer, "Typing", t => t.isTyping);
  await seller.invoke("Typing", chat.conversationId, true);
  await within(typing, "typing from node 2 on node 1");
  const reply = randomUUID();
  const back = next(buyer, "MessageReceived", m => m.id === reply);
  await seller.invoke("Send", chat.conversationId, reply, "Bonjour from node 2");
  await within(back, "reply from node 2 on node 1");
  console.log("cluster check: messages and typing crossed both ways");

  const offline = next(seller, "Presence", p => p.userId === "camille" && !p.isOnline);
  await buyer.stop();
  await within(offline, "buyer offline on node 2");
  await seller.stop();
  console.log("cluster check: OK");
  process.exit(0);
} catch (error) {
  console.error("cluster check FAILED: " + (error?.stack ?? error));
  process.exit(1);
}
