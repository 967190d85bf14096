// bench_infer_llamacpp.mjs - llama.cpp's prompt and generation speed on a
// GGUF file, as shipped in the npm packages node-llama-cpp and
// @node-llama-cpp/linux-x64 (prebuilt CPU binaries, no GPU, nothing
// built or downloaded), measured like bench/bench_infer.c measures the
// in-process engine: the same prompt ids ((i·7919) mod vocab), the same
// threads, wall seconds and CPU seconds of the whole process.
//
// Usage: node bench_infer_llamacpp.mjs NODE_MODULES_DIR MODEL.gguf THREADS PROMPT GEN
// Prints one line: "llama.cpp threads T: prompt P tokens A tok/s (B per CPU
// second), generation G tokens C tok/s (D per CPU second)".  Generation
// goes through node-llama-cpp's evaluate loop (greedy), so it includes
// its per-token JavaScript overhead.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [modulesDir, modelPath, th, np, ng] = process.argv.slice(2);
if (!modulesDir || !modelPath) {
  console.error("usage: node bench_infer_llamacpp.mjs NODE_MODULES_DIR MODEL.gguf THREADS PROMPT GEN");
  process.exit(2);
}
const threads = Number(th ?? 1), nPrompt = Number(np ?? 32), nGen = Number(ng ?? 16);
const entry = join(modulesDir, "node-llama-cpp", "dist", "index.js");
const { getLlama, LlamaLogLevel } = await import(pathToFileURL(entry).href);
let llama;
try {
  llama = await getLlama({ gpu: false, build: "never", logLevel: process.env.NLC_LOG ? LlamaLogLevel.debug : LlamaLogLevel.error });
} catch (err) {
  console.error(`llama.cpp cannot be loaded: ${err.message}`);
  process.exit(77);
}
const model = await llama.loadModel({ modelPath });
const vocab = model.fileInfo.metadata.tokenizer.ggml.tokens.length;
const ctx = await model.createContext({
  contextSize: nPrompt + nGen + 16, threads, batchSize: Math.max(nPrompt, 1),
  flashAttention: false,
});
const seq = ctx.getSequence();
const prompt = [];
for (let i = 0; i < nPrompt; i++) prompt.push((i * 7919) % vocab);

const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const wall = () => Number(process.hrtime.bigint()) / 1e9;

let w0 = wall(), c0 = cpu();
await seq.evaluateWithoutGeneratingNewTokens(prompt);
let w1 = wall(), c1 = cpu();

await seq.clearHistory();
await seq.evaluateWithoutGeneratingNewTokens(prompt.slice(0, 1));
let got = 0;
const w2 = wall(), c2 = cpu();
for await (const t of seq.evaluate([prompt[1]], { temperature: 0 })) {
  void t;
  if (++got >= nGen) break;
}
const w3 = wall(), c3 = cpu();
console.log(`llama.cpp threads ${threads}: prompt ${nPrompt} tokens ` +
  `${(nPrompt / (w1 - w0)).toFixed(2)} tok/s (${(nPrompt / (c1 - c0)).toFixed(2)} per CPU second), ` +
  `generation ${got} tokens ${(got / (w3 - w2)).toFixed(2)} tok/s ` +
  `(${(got / (c3 - c2)).toFixed(2)} per CPU second)`);
await ctx.dispose();
await model.dispose();
