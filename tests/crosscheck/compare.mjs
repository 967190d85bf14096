// compare.mjs - compares infer_probe's JSON (the in-process engine) with
// llamacpp.mjs's (llama.cpp) for each model: identical tokenization of
// every text, identical prompt tokens, identical greedy continuation (or a
// divergence at a near-tie: a step where either side's top-1 / top-2
// margin is within the tolerance), next-token log-probabilities (the top k
// of either side and the given ids) within TOL.  A model whose tensor type
// or architecture is a known gap (GAPS.json, keyed by the type at the end
// of the file name or the architecture at its start: the reason, a looser
// tolerance) is held to
// that tolerance instead and reported as such.  Prints one line per model;
// exits 1 when any model is outside its tolerance.
//
// Usage: node compare.mjs TOL GAPS.json|- DIR MODEL_NAME...
// (DIR holds NAME.osafe.json and NAME.llamacpp.json.)
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [tolArg, gapsPath, dir, ...names] = process.argv.slice(2);
const strictTol = Number(tolArg);
const gaps = gapsPath === "-" ? {} : JSON.parse(readFileSync(gapsPath, "utf8")).gaps;
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
let bad = 0;

function firstDiff(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function compareModel(name) {
  const ours = JSON.parse(readFileSync(join(dir, name + ".osafe.json"), "utf8"));
  const theirs = JSON.parse(readFileSync(join(dir, name + ".llamacpp.json"), "utf8"));
  const problems = [];
  ours.texts.forEach((t, i) => {
    if (!same(t, theirs.texts[i])) {
      const d = firstDiff(t, theirs.texts[i]);
      problems.push(`text ${i}: tokens differ at ${d}: osafe ${JSON.stringify(t.slice(d, d + 4))} llama.cpp ${JSON.stringify(theirs.texts[i].slice(d, d + 4))}`);
    }
  });
  const gap = Object.entries(gaps).find(([t]) => name.endsWith(`-${t}.gguf`) ||
                                                  name.startsWith(`${t}-`))?.[1];
  const tol = gap ? gap.logprob_tol : strictTol;
  let maxLp = 0, maxAll = 0, greedyOk = 0, promptsOk = 0, nearTies = 0;
  ours.prompts.forEach((p, i) => {
    const q = theirs.prompts[i];
    if (!same(p.tokens, q.tokens)) {
      problems.push(`prompt ${i}: prompt tokens differ`);
      return;
    }
    promptsOk++;
    const d = firstDiff(p.greedy, q.greedy);
    if (same(p.greedy, q.greedy)) greedyOk++;
    else if (Math.min(p.margins[d], q.margins[d]) <= tol) nearTies++;
    else problems.push(`prompt ${i}: greedy differs at ${firstDiff(p.greedy, q.greedy)}: osafe ${JSON.stringify(p.greedy)} llama.cpp ${JSON.stringify(q.greedy)}`);
    // the top k of either side and the given ids, against the other
    // side's value for the same token (near-ties may order the top k
    // differently without any log-probability being off)
    const ids = new Set([...p.top.map((x) => x[0]), ...q.top.map((x) => x[0])]);
    for (const id of ids)
      maxLp = Math.max(maxLp, Math.abs(p.logprobs[id] - q.logprobs[id]));
    p.given.forEach((v, k) => { maxLp = Math.max(maxLp, Math.abs(v - q.given[k])); });
    p.logprobs.forEach((v, k) => { maxAll = Math.max(maxAll, Math.abs(v - q.logprobs[k])); });
  });
  if (!(maxLp <= tol)) problems.push(`log-probabilities differ by up to ${maxLp.toExponential(2)} (> ${tol})`);
  const status = problems.length ? "DIFFERS" : gap ? `known gap (within ${tol})` : "matches";
  console.log(`${name}: ${status}: tokenization ${ours.texts.length - problems.filter((x) => x.startsWith("text")).length}/${ours.texts.length}, ` +
              `greedy ${greedyOk}/${ours.prompts.length} identical, ${nearTies} near-tie, max |logprob diff| top/given ${maxLp.toExponential(2)}, whole vocabulary ${maxAll.toExponential(2)}`);
  for (const p of problems.slice(0, 6)) console.log(`    ${p}`);
  if (problems.length) bad++;
}

for (const n of names) compareModel(n);
console.log(`${names.length - bad} of ${names.length} models within their tolerance (${strictTol}, or a known gap's in ${gapsPath})`);
for (const [t, g] of Object.entries(gaps)) console.log(`known gap ${t}: ${g.reason}`);
process.exit(bad ? 1 : 0);
