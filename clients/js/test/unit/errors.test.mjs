import { test } from "node:test";
import assert from "node:assert/strict";
import { ChatError, toChatError } from "../../dist/node/index.js";

test("a HubException's trailing 'Code: reason' becomes code and reason", () => {
  const error = toChatError(new Error("An unexpected error occurred invoking 'Send' on the server. HubException: ChatLocked: The chat unlocks when payment is confirmed."));
  assert.ok(error instanceof ChatError);
  assert.equal(error.code, "ChatLocked");
  assert.equal(error.reason, "The chat unlocks when payment is confirmed.");
  assert.equal(error.retryable, false);
  assert.equal(error.isRefusal, true);
});

test("a reason may contain colons and line breaks", () => {
  const error = toChatError(new Error("HubException: InvalidArgument: Bad value: x\nsecond line"));
  assert.equal(error.code, "InvalidArgument");
  assert.equal(error.reason, "Bad value: x\nsecond line");
});

test("Unavailable and RateLimited are retryable, other refusals are not", () => {
  for (const code of ["Unavailable", "RateLimited"]) assert.equal(toChatError(new Error(`HubException: ${code}: later`)).retryable, true, code);
  for (const code of ["ChatFrozen", "MessageTooLong", "NotYourMessage", "QuotaExceeded"]) assert.equal(toChatError(new Error(`HubException: ${code}: no`)).retryable, false, code);
});

test("a lost connection is Disconnected and a server failure without a refusal is ServerError", () => {
  const lost = toChatError(new Error("Invocation canceled due to the underlying connection being closed."));
  assert.equal(lost.code, "Disconnected");
  assert.equal(lost.retryable, true);
  assert.equal(lost.isRefusal, false);
  const failed = toChatError(new Error("An unexpected error occurred invoking 'Send' on the server."));
  assert.equal(failed.code, "ServerError");
  assert.equal(failed.retryable, false);
});
