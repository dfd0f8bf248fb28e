// Uploads from Node: a streamed multipart body with progress as it is pulled, cancellation through an AbortSignal,
// typed refusals from the endpoint's ProblemDetails, then the attachment sent as a message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ChatError } from "../../dist/node/index.js";
import { chatClient, env, rawConnection, within, STEP_MS } from "./support.mjs";

const photo = () => readFileSync(join(env.corpus, "photo_wine.jpg"));

test("an upload reports progress, then sendAttachment sends it", async () => {
  const { id, buyer, seller } = env.scenario.open;
  const client = chatClient(env.urlA, buyer);
  await client.start();
  const conversation = await client.join(id);
  const other = await rawConnection(env.urlA, seller);
  await other.invoke("Join", id);
  const live = new Promise((resolve) => other.on("MessageReceived", (m) => { if (m.kind === "Image") resolve(m); }));

  const bytes = photo();
  const progress = [];
  const info = await within(conversation.upload(new Blob([bytes], { type: "image/jpeg" }), {
    fileName: "wine.jpg",
    onProgress: (p) => progress.push(p),
  }), STEP_MS, "upload");
  assert.ok(progress.length >= 3, `several progress events (${progress.length})`);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i].loaded >= progress[i - 1].loaded, "progress never goes back");
  assert.equal(progress.at(-1).loaded, bytes.length);
  assert.equal(progress.at(-1).total, bytes.length);
  assert.equal(progress.at(-1).fraction, 1);
  assert.equal(info.kind, "Image");
  assert.equal(info.fileName, "wine.jpg");
  assert.equal(info.sha256, createHash("sha256").update(bytes).digest("hex"), "the server stored exactly these bytes");

  const message = await within(conversation.sendAttachment(info, "Le vin, comme promis"), STEP_MS, "sendAttachment");
  assert.equal(message.kind, "Image");
  assert.equal(message.attachment.id, info.id);
  assert.equal(message.text, "Le vin, comme promis");
  const received = await within(live, STEP_MS, "the other party receives the image");
  assert.equal(received.id, message.id);

  const viaSendFile = await within(conversation.sendFile(readFileSync(join(env.corpus, "lettre_fr.txt")), { fileName: "lettre.txt" }), STEP_MS, "sendFile");
  assert.equal(viaSendFile.kind, "File");
  await other.stop();
  await client.stop();
});

test("an upload can be cancelled", async () => {
  const { id, buyer } = env.scenario.open;
  const client = chatClient(env.urlA, buyer);
  await client.start();
  const conversation = await client.join(id);
  const abort = new AbortController();
  let events = 0;
  const upload = conversation.upload(photo(), {
    fileName: "cancelled.jpg",
    signal: abort.signal,
    onProgress: () => { if (++events === 1) abort.abort(); },
  });
  await assert.rejects(within(upload, STEP_MS, "cancelled upload"), (error) => {
    assert.ok(error instanceof ChatError);
    assert.equal(error.code, "Cancelled");
    assert.equal(error.retryable, false);
    return true;
  });
  await client.stop();
});

test("a refused upload rejects with the endpoint's code and status", async () => {
  const { id, buyer } = env.scenario.open;
  const client = chatClient(env.urlA, buyer);
  await client.start();
  const conversation = await client.join(id);
  await assert.rejects(within(conversation.upload(readFileSync(join(env.corpus, "html_as.png")), { fileName: "html_as.png" }), STEP_MS, "refused upload"), (error) => {
    assert.ok(error instanceof ChatError);
    assert.equal(error.code, "AttachmentTypeNotAllowed");
    assert.equal(error.status, 415);
    assert.equal(error.retryable, false);
    return true;
  });
  await client.stop();
});
