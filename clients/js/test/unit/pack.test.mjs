import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

test("npm pack ships the bundles, the declarations and the README, and nothing else", () => {
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" }));
  const files = packed.files.map((f) => f.path).sort();
  for (const required of ["README.md", "package.json", "dist/node/index.js", "dist/browser/marketplace-chat-client.js", "dist/types/index.d.ts", "dist/types/client.d.ts"]) {
    assert.ok(files.includes(required), `${required} is in the tarball`);
  }
  assert.deepEqual(files.filter((f) => !f.startsWith("dist/") && f !== "README.md" && f !== "package.json"), [], "no sources, tests or scripts");
  assert.equal(packed.name, "@marketplace-chat/client");
});

test("the Node bundle leaves @microsoft/signalr as its only import, the browser bundle imports nothing", async () => {
  const { readFileSync } = await import("node:fs");
  const node = readFileSync(join(root, "dist/node/index.js"), "utf8");
  const imports = [...node.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
  assert.deepEqual([...new Set(imports)], ["@microsoft/signalr"]);
  const browser = readFileSync(join(root, "dist/browser/marketplace-chat-client.js"), "utf8");
  assert.equal(/\bimport\s*[{*\w][^;]*from\s*"/.test(browser), false, "self-contained");
});
