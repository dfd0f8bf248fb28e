// Builds the package: TypeScript declarations (tsc), an ES module for Node and bundlers (@microsoft/signalr left as an
// import) and a self-contained ES module for browsers (@microsoft/signalr bundled in, for a plain <script type="module">).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
rmSync(join(root, "dist"), { recursive: true, force: true });

execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.json")], { stdio: "inherit" });

const common = { entryPoints: [join(root, "src/index.ts")], bundle: true, format: "esm", target: "es2022", sourcemap: true, logLevel: "warning" };
await build({ ...common, platform: "node", outfile: join(root, "dist/node/index.js"), external: ["@microsoft/signalr"] });
await build({ ...common, platform: "browser", outfile: join(root, "dist/browser/marketplace-chat-client.js"), minify: true });
console.log("built dist/types, dist/node/index.js, dist/browser/marketplace-chat-client.js");
