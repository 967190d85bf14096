// compare.mjs - compares infer_probe's JSON (the in-process engine) with
// llamacpp.mjs's (llama.cpp) for each model: identical tokenization of
// every text, identical prompt tokens, identical greedy continuation,
// next-token log-probabilities (the top k of either side and the given
// ids) within TOL.  Prints one line per model and a table of the largest
// differences; exits 1 when any model disagrees.
//
// Usage: node compare.mjs TOL DIR MODEL_NAME...
// (DIR holds NAME.osafe.json and NAME.llamacpp.json.)
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [tolArg, dir, ...names] = process.argv.slice(2);
const tol = Number(tolArg);
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
  let maxLp = 0, greedyOk = 0, promptsOk = 0;
  ours.prompts.forEach((p, i) => {
    const q = theirs.prompts[i];
    if (!same(p.tokens, q.tokens)) {
      problems.push(`prompt ${i}: prompt tokens differ`);
      return;
    }
    promptsOk++;
    if (same(p.greedy, q.greedy)) greedyOk++;
    else problems.push(`prompt ${i}: greedy differs at ${firstDiff(p.greedy, q.greedy)}: osafe ${JSON.stringify(p.greedy)} llama.cpp ${JSON.stringify(q.greedy)}`);
    const a = new Map(p.top), b = new Map(q.top);
    p.given.forEach((v, k) => a.set(`g${k}`, v));
    q.given.forEach((v, k) => b.set(`g${k}`, v));
    // an id in one side's top k must be in the other's with the same value
    const ids = new Set([...p.top.map((x) => x[0]), ...q.top.map((x) => x[0])]);
    for (const id of ids) {
      if (!a.has(id) || !b.has(id)) {
        problems.push(`prompt ${i}: token ${id} in the top ${p.top.length} of one side only`);
        continue;
      }
      maxLp = Math.max(maxLp, Math.abs(a.get(id) - b.get(id)));
    }
    p.given.forEach((v, k) => { maxLp = Math.max(maxLp, Math.abs(v - q.given[k])); });
  });
  if (maxLp > tol) problems.push(`log-probabilities differ by up to ${maxLp.toExponential(2)} (> ${tol})`);
  const status = problems.length ? "DIFFERS" : "matches";
  console.log(`${name}: ${status}: tokenization ${ours.texts.length - problems.filter((x) => x.startsWith("text")).length}/${ours.texts.length}, ` +
              `greedy ${greedyOk}/${ours.prompts.length}, max |logprob diff| ${maxLp.toExponential(2)}`);
  for (const p of problems.slice(0, 6)) console.log(`    ${p}`);
  if (problems.length) bad++;
}

for (const n of names) compareModel(n);
console.log(`${names.length - bad} of ${names.length} models match llama.cpp (tolerance ${tol})`);
process.exit(bad ? 1 : 0);
