// llamacpp.mjs - what llama.cpp (as shipped in the npm packages
// node-llama-cpp and @node-llama-cpp/linux-x64, prebuilt CPU binaries, no
// model download) makes of GGUF files: the same JSON as
// tests/tools/infer_probe.c prints for the in-process engine.
//
// Usage: node llamacpp.mjs NODE_MODULES_DIR INPUT.json OUTDIR MODEL.gguf...
// Writes OUTDIR/<model file name>.llamacpp.json for each model.
//
// Tokens: model.tokenize(text, false) (llama_tokenize with add_special and
// parse_special off); a prompt gets the BOS first when the model says so.
// Greedy: llama.cpp's greedy sampler (temperature 0), end-of-generation
// tokens included, n_predict tokens.  Log-probabilities: the log-softmax,
// in double, of the raw logits after the prompt's last token.
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";

const [modulesDir, inputPath, outDir, ...models] = process.argv.slice(2);
if (!modulesDir || !inputPath || !outDir || models.length === 0) {
  console.error("usage: node llamacpp.mjs NODE_MODULES_DIR INPUT.json OUTDIR MODEL.gguf...");
  process.exit(2);
}
const input = JSON.parse(readFileSync(inputPath, "utf8"));
const entry = join(modulesDir, "node-llama-cpp", "dist", "index.js");
const { getLlama, LlamaLogLevel } = await import(pathToFileURL(entry).href);

// Prebuilt CPU binaries only: never build llama.cpp, never use a GPU.
let llama;
try {
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
} catch (err) {
  // no prebuilt binary for this machine: nothing to compare with
  console.error(`llama.cpp cannot be loaded: ${err.message}`);
  process.exit(77);
}

function logSoftmax(logits, nVocab) {
  const lp = new Float64Array(nVocab).fill(-Infinity);
  let mx = -Infinity;
  for (const [, v] of logits) mx = Math.max(mx, v);
  let sum = 0;
  for (const [, v] of logits) sum += Math.exp(v - mx);
  const lse = mx + Math.log(sum);
  for (const [id, v] of logits) lp[id] = v - lse;
  return lp;
}

async function onePrompt(model, sequence, text) {
  const tokens = model.tokenize(text, false);
  if (model.tokens.shouldPrependBosToken && model.tokens.bos != null)
    tokens.unshift(model.tokens.bos);
  await sequence.clearHistory();
  const items = tokens.map((t, i) => i === tokens.length - 1
    ? [t, { generateNext: { token: true, logits: true } }] : t);
  const res = await sequence.controlledEvaluate(items);
  const next = res[res.length - 1].next;
  const lp = logSoftmax(next.logits, model.tokens.vocabSize ?? next.logits.size);
  const order = [...lp.keys()].sort((a, b) => (lp[b] - lp[a]) || (a - b));
  const margin = (logits) => {
    let a = -Infinity, b = -Infinity;
    for (const [, v] of logits) {
      if (v > a) { b = a; a = v; } else if (v > b) b = v;
    }
    return a - b;
  };
  const greedy = [next.token], margins = [margin(next.logits)];
  while (greedy.length < input.n_predict) {
    const r = await sequence.controlledEvaluate(
      [[greedy[greedy.length - 1], { generateNext: { token: true, logits: true } }]]);
    greedy.push(r[0].next.token);
    margins.push(margin(r[0].next.logits));
  }
  return {
    tokens,
    greedy,
    margins,
    top: order.slice(0, input.top_k).map((id) => [id, lp[id]]),
    given: input.ids.map((id) => (id >= 0 && id < lp.length ? lp[id] : null)),
    logprobs: [...lp],
  };
}

for (const path of models) {
  const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  // node-llama-cpp's defaults: f16 KV cache, flash attention "auto" (on,
  // on a CPU).  To tell their roundings apart: CROSSCHECK_KV=F32 keeps the
  // cache in f32, CROSSCHECK_FA=off|on sets flash attention.
  const kv = process.env.CROSSCHECK_KV, fa = process.env.CROSSCHECK_FA;
  const context = await model.createContext({
    contextSize: 256, batchSize: 256, sequences: 1, threads: 1,
    ...(kv ? { experimentalKvCacheKeyType: kv, experimentalKvCacheValueType: kv } : {}),
    ...(fa ? { flashAttention: fa === "on" } : {}),
  });
  const sequence = context.getSequence();
  const out = { texts: input.texts.map((t) => model.tokenize(t, false)), prompts: [] };
  for (const p of input.prompts) out.prompts.push(await onePrompt(model, sequence, p));
  writeFileSync(join(outDir, basename(path) + ".llamacpp.json"), JSON.stringify(out));
  await context.dispose();
  await model.dispose();
}
await llama.dispose();
