import { test } from "node:test";
import assert from "node:assert/strict";
import { SequenceOrder } from "../../dist/node/index.js";

const entry = (sequence) => ({ id: `m${sequence}`, sequence, kind: "Text" });

test("entries are delivered in sequence order, each once, however they arrive", () => {
  const delivered = [];
  const order = new SequenceOrder(10, (e) => delivered.push(e.sequence));
  const arrivals = [13, 11, 11, 15, 12, 10, 9, 14, 13, 16];
  const results = arrivals.map((s) => order.accept(entry(s)));
  assert.deepEqual(delivered, [11, 12, 13, 14, 15, 16]);
  assert.deepEqual(results, ["held", "delivered", "duplicate", "held", "delivered", "duplicate", "duplicate", "delivered", "duplicate", "delivered"]);
  assert.equal(order.contiguous, 16);
  assert.equal(order.heldCount, 0);
});

test("a gap holds everything after it back", () => {
  const delivered = [];
  const order = new SequenceOrder(0, (e) => delivered.push(e.sequence));
  for (const s of [2, 3, 4]) order.accept(entry(s));
  assert.deepEqual(delivered, []);
  assert.equal(order.heldCount, 3);
  assert.equal(order.contiguous, 0);
  order.accept(entry(1));
  assert.deepEqual(delivered, [1, 2, 3, 4]);
});

test("a random shuffle with duplicates comes out as 1..n", () => {
  const n = 2000;
  const arrivals = [];
  for (let s = 1; s <= n; s++) arrivals.push(s, s);
  for (let i = arrivals.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [arrivals[i], arrivals[j]] = [arrivals[j], arrivals[i]];
  }
  const delivered = [];
  const order = new SequenceOrder(0, (e) => delivered.push(e.sequence));
  for (const s of arrivals) order.accept(entry(s));
  assert.deepEqual(delivered, Array.from({ length: n }, (_, i) => i + 1));
});

test("entries without a usable sequence are ignored", () => {
  const delivered = [];
  const order = new SequenceOrder(0, (e) => delivered.push(e.sequence));
  assert.equal(order.accept({ id: "x", sequence: undefined }), "duplicate");
  assert.equal(order.accept({ id: "y", sequence: 1.5 }), "duplicate");
  assert.deepEqual(delivered, []);
});
