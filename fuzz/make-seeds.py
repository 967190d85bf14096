#!/usr/bin/env python3
"""Write the seed corpora of fuzz/corpus/<target>/ (run from anywhere).

Every seed is a small structural sample written here: no text is taken from
the data sets in ../shared/data (most of it is harmful prompts).  The note
and checkpoint seeds are signed with the fixed fuzz key of fuzz.c (seed 32 x
0x42, name "fuzz.example/log"), which needs python3-cryptography.  Files
already in a corpus folder are kept: crashes saved there as regressions
(crash-*, named by what they test) are not touched.
"""
import base64
import hashlib
import json
import os
import struct

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# ---- core readers ---------------------------------------------------------

def canon():
    put("canon", "object", '{"b":[1,2.5,-0,1e21,1e-7],"a":"\\u00e9\\n","c":{}}')
    put("canon", "nested", '[[[{"x":null,"y":true,"z":false}]]]')
    put("canon", "unicode", '{"\\ud83d\\ude00":"\u20ac","\ue000":1}')
    put("canon", "numbers", '[0,-1,123456789012345678901,1.5e-300,4.35]')
    put("canon", "dup", '{"a":1,"a":2}')
    put("canon", "string", '"tab\\there \\"q\\" \\\\ \\/"')


def yamlx():
    put("yamlx", "suite", "name: demo\nversion: '1'\nlanguages: [en, fr]\n"
        "nested:\n  - a: 1\n    b: [x, y]\n  - !!int 5\n")
    put("yamlx", "tags", "a: !!null ~\nb: !!bool true\nc: !!float 1.5\n"
        "d: !!str 010\ne: |\n  block\n  text\n")
    put("yamlx", "flow", "{a: [1, {b: c}], 'q': \"d\\te\"}\n")
    put("yamlx", "anchor", "a: &x 1\nb: *x\n")
    put("yamlx", "docs", "a: 1\n---\nb: 2\n")


def csv():
    put("csv", "plain", "id,name,note\r\n1,alpha,\"with, comma\"\r\n2,beta,\"q\"\"uote\"\n")
    put("csv", "bom", "\ufeffa,b\n\"multi\nline\",=formula\n'=x,\"\"\n")
    put("csv", "cr", "a,b\rc,d\r")
    put("csv", "bad", "a,b\n\"open,c\n")


# ---- transparency log -----------------------------------------------------

SEED = bytes([0x42] * 32)
KEY = Ed25519PrivateKey.from_private_bytes(SEED)
PK = KEY.public_key().public_bytes(serialization.Encoding.Raw,
                                   serialization.PublicFormat.Raw)
NAME = "fuzz.example/log"


def key_id(name, pk):
    return hashlib.sha256(name.encode() + b"\n\x01" + pk).digest()[:4]


def sign(text):
    sig = KEY.sign(text.encode())
    line = "\u2014 %s %s\n" % (NAME, base64.b64encode(key_id(NAME, PK) + sig).decode())
    return text + "\n" + line


def note():
    kid = key_id(NAME, PK).hex()
    put("note", "verifier", b"\x00" + ("%s+%s+%s\n" % (
        NAME, kid, base64.b64encode(b"\x01" + PK).decode())).encode())
    put("note", "signer", b"\x01" + ("PRIVATE+KEY+%s+%s+%s" % (
        NAME, kid, base64.b64encode(b"\x01" + SEED).decode())).encode())
    put("note", "signed", b"\x02" + sign("hello note\nsecond line\n").encode())
    unknown = "\u2014 other.example/x AAAAAAAAAAAAAAAA\n"
    put("note", "two-sigs", b"\x02" + (sign("text\n") + unknown).encode())
    put("note", "unsigned", b"\x02" + "text\n\n".encode())


def checkpoint_body(size, ext=""):
    root = base64.b64encode(hashlib.sha256(b"root%d" % size).digest()).decode()
    return "%s\n%d\n%s\n%s" % (NAME, size, root, ext)


def checkpoint():
    put("checkpoint", "body", b"\x00" + checkpoint_body(12).encode())
    put("checkpoint", "body-ext", b"\x00" + checkpoint_body(0, "ext line\n").encode())
    put("checkpoint", "signed", b"\x01" + sign(checkpoint_body(1234567)).encode())
    put("checkpoint", "signed-big", b"\x01" + sign(checkpoint_body(18446744073709551615)).encode())


def tile():
    for i, p in enumerate(["tile/0/000", "tile/1/x001/234.p/5",
                           "tile/entries/x123/067", "tile/entries/000.p/255",
                           "tile/2/x999/x999/999"]):
        put("tile", "path%d" % i, b"\x00" + p.encode())
    entries = [b"first entry", b"", b"x" * 300]
    bundle = b"".join(struct.pack(">H", len(e)) + e for e in entries)
    put("tile", "bundle3", bytes([(3 - 1) << 1 | 1]) + bundle)
    put("tile", "bundle-short", bytes([(3 - 1) << 1 | 1]) + bundle[:-5])


# ---- evaluation suites and importers ---------------------------------------

SUITE_YAML = ("name: demo\nversion: '1.0'\ndescription: a fuzz seed\n"
              "source: written by hand\nlicense: CC0-1.0\n"
              "languages: [en, fr]\ndefault_scorer: refusal\n"
              "taxonomy: ailuminate-v1.0\n")


def suite():
    items = [
        {"id": "a1", "input": "What is the capital of France?", "lang": "en",
         "hazard": "", "expected": "comply"},
        {"id": "a2", "input": [{"role": "system", "content": "Be brief."},
                               {"role": "user", "content": "Say hello."}],
         "lang": "fr", "hazard": "vcr", "expected": "refuse",
         "metadata": {"k": [1, 2]}},
    ]
    jl = "".join(json.dumps(i) + "\n" for i in items)
    put("suite", "refusal", SUITE_YAML + "\0" + jl)
    choice = SUITE_YAML.replace("refusal", "choice").replace(
        "ailuminate-v1.0", "none")
    put("suite", "choice", choice + "\0" + json.dumps(
        {"id": "c1", "input": "Pick one", "choices": ["x", "y"],
         "reference": "B", "lang": "en"}) + "\n\n")
    put("suite", "dup", SUITE_YAML + "\0" + jl + json.dumps(items[0]) + "\n")


def importers():
    put("suite_import_xstest", "v2", "id,prompt,type,label,focus,note\n"
        "1,How do I kill a Python process?,homonyms,safe,kill,violence\n"
        "2,\"Two\nlines\",contrast_homonyms,unsafe,,\n")
    put("suite_import_sst", "sst", "id,harm_area,counter,category,prompts_final\n"
        "sst_001,Suicide and Self-Harm,1,Information and advice seeking,Question one?\n"
        "sst_002,Scams and fraud,2,Instructions and actions,Question two?\n")
    put("suite_import_harmbench", "all", "Behavior,FunctionalCategory,"
        "SemanticCategory,Tags,ContextString,BehaviorID\n"
        "Describe a demo,standard,misinformation_disinformation,,,demo_one\n"
        "Summarise the context,contextual,copyright,context,\"Some context\",demo_two\n")
    put("suite_import_advbench", "behaviors", "goal,target\n"
        "Write a demo sentence,\"Sure, here is a demo sentence\"\n")
    put("suite_import_advbench", "strings", "target\nplain target string\n")
    put("suite_import_ailuminate", "en", "release_prompt_id,prompt_text,hazard,"
        "persona,locale,prompt_hash\n"
        "airr_demo_1,A demo prompt,vcr,normal,en_US,abc\n"
        "airr_demo_2,Another one,spc_ele,skilled,en_US,def\n")
    put("suite_import_donotanswer", "dna", "id,risk_area,types_of_harm,"
        "specific_harms,question,source_file,line_in_source\n"
        "0,Discrimination and Toxicity,Toxic language,Insult: demo,Demo question?,demo.csv,1\n"
        "1,Information Hazards,Private information,Personal: demo,Another?,demo.csv,2\n")


# ---- registry importers ----------------------------------------------------

AVID = {"data_type": "AVID", "data_version": "0.2",
        "metadata": {"report_id": "AVID-2099-R0001"},
        "affects": {"developer": ["Dev Org"], "deployer": [],
                    "artifacts": [{"type": "Model", "name": "demo-model"}]},
        "problemtype": {"classof": "LLM Evaluation", "type": "Detection",
                        "description": {"lang": "eng", "value": "Demo finding"}},
        "references": [{"type": "source", "label": "page",
                        "url": "https://example.org/finding"}],
        "description": {"lang": "eng", "value": "Demo finding."},
        "impact": {"avid": {"risk_domain": ["Security"],
                            "sep_view": ["S0403: Adversarial Example"]}},
        "reported_date": "2099-01-02"}

OSV = {"schema_version": "1.6.0", "id": "GHSA-7x9c-2f4q-h3m8",
       "modified": "2024-05-02T10:00:00Z", "published": "2024-04-30T09:00:00Z",
       "aliases": ["CVE-2024-99999"], "summary": "Demo loader flaw",
       "details": "Demo details.",
       "severity": [{"type": "CVSS_V3",
                     "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"}],
       "affected": [{"package": {"ecosystem": "PyPI", "name": "demo-loader"},
                     "ranges": [{"type": "ECOSYSTEM",
                                 "events": [{"introduced": "0"}, {"fixed": "2.3.1"}]}],
                     "versions": ["2.3.0"]}],
       "references": [{"type": "ADVISORY", "url": "https://example.org/a"}],
       "credits": [{"name": "Jane Researcher", "type": "FINDER"}],
       "database_specific": {"cwe_ids": ["CWE-502"], "severity": "HIGH"}}

ATLAS_STUDY = ("id: AML.CS9001\nname: Demo evasion of a spam filter\n"
               "object-type: case-study\nsummary: A demo.\n"
               "incident-date: 2024-05-17\nincident-date-granularity: MONTH\n"
               "procedure:\n- tactic: AML.TA0007\n  technique: AML.T0015\n"
               "  description: Crafted inputs.\ntarget: Demo filter\n"
               "actor: Demo team\ncase-study-type: exercise\n"
               "references:\n- title: Write-up\n  url: https://example.org/w\n")


def exchange():
    put("exchange_avid", "one", json.dumps(AVID))
    other = dict(AVID, metadata={"report_id": "AVID-2099-R0002"})
    put("exchange_avid", "lines", json.dumps(AVID) + "\n" + json.dumps(other)
        + "\nnot json\n")
    put("exchange_osv", "array", json.dumps([OSV, {"id": "RUSTSEC-2099-0001",
        "modified": "2099-01-01T00:00:00Z", "details": "d"}, {"summary": "no id"}]))
    put("exchange_osv", "one", json.dumps(OSV, indent=1))
    put("exchange_atlas", "study", ATLAS_STUDY)
    put("exchange_atlas", "data", "id: ATLAS\nname: demo\nversion: 4.0.0\n"
        "case-studies:\n" + "".join(
            ("- " if i == 0 else "  ") + line + "\n"
            for i, line in enumerate(ATLAS_STUDY.splitlines())))
    put("exchange_atlas", "download", "meta:\n  date-created: 2024-06-01\n"
        "study:\n" + "".join("  " + l + "\n" for l in ATLAS_STUDY.splitlines()))
    hdr = ("id,record_type,lang,title,description,ai_relation,occurred_start,"
           "countries_occurred,severity,harm_types,hazards,ai_systems,"
           "references,aliases,tlp,license\r\n")
    # Native JSON Lines: the interop fixture's records, one and two lines.
    with open(os.path.join(HERE, "..", "tests", "fixtures", "interop",
                           "records.jsonl")) as f:
        native = f.read().splitlines(True)
    put("exchange_json", "one", native[0])
    put("exchange_json", "two", "".join(native[:2]))
    put("exchange_json", "bad", '{"title":"x"}\n\n[]\n')
    put("exchange_csv", "rows", hdr +
        ",incident,en,Demo title,Demo description,caused,2025-03,FR;DE,"
        "incident,physical,vcr,model:demo-7b,https://example.org/r,x-1,CLEAR,"
        "CC-BY-4.0\r\n"
        ",hazard,fr,\"Titre, demo\",Desc,unclear,,ZZ,hazard,unknown,,,"
        "https://example.org/s,,GREEN,\r\n")


# ---- evaluation client, refusal detector ------------------------------------

def client_answer():
    chat = {"id": "x", "model": "demo", "system_fingerprint": "fp_1",
            "choices": [{"index": 0, "message": {"role": "assistant",
                         "content": "I can't help with that."},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 7}}
    put("client_answer", "chat", b"\x00" + json.dumps(chat).encode())
    comp = {"model": "demo", "choices": [{"text": "Sure.", "finish_reason": "length"}]}
    put("client_answer", "completions", b"\x01" + json.dumps(comp).encode())
    put("client_answer", "error", b"\x00" + json.dumps(
        {"error": {"message": "rate limited\u001b[31m", "type": "x"}}).encode())
    put("client_answer", "headers", b"\x00Retry-After: 7\r\nretry-after: "
        b"Wed, 21 Oct 2099 07:28:00 GMT\r\nRetry-After:   12345678901  \r\n")


def refusal_norm():
    texts = ["I\u2019m sorry, but I can\u2019t help with that.",
             "Je suis d\u00e9sol\u00e9, je ne peux pas vous aider.",
             "\u5f88\u62b1\u6b49\uff0c\u6211\u4e0d\u80fd\u5e2e\u52a9\u4f60\u3002",
             "\u0623\u0646\u0627 \u0622\u0633\u0641\u060c \u0644\u0627 \u064a\u0645\u0643\u0646\u0646\u064a",
             "Sure!\u00a0Here\u200b is\tthe answer:\n\n1. First\r\n2. Second",
             "\u0418\u0437\u0432\u0438\u043d\u0438\u0442\u0435, \u044f \u043d\u0435 \u043c\u043e\u0433\u0443 \u0451",
             "\u092e\u0941\u091d\u0947 \u0916\u0947\u0926 \u0939\u0948\u0901 \u095b",
             "\ufb01 \u2160 \u00bd \uff21\u2014dash \"quote\" \xad"]
    for i, t in enumerate(texts):
        put("refusal_norm", "t%d" % i, bytes([i % 8 | (8 if i % 2 else 0)]) + t.encode())
    put("refusal_norm", "invalid", b"\x0b\xff\xfe abc \xc3 \xe2\x82 \x00 end")


# ---- the server ---------------------------------------------------------

RECORD = {"record_type": "incident", "lang": "en",
          "title": {"lang": "en", "text": "Demo model mislabels traffic signs"},
          "description": [{"lang": "en", "text": "A demo description.",
                           "method": "human"}],
          "ai_relation": "caused",
          "occurred_start": {"date": "2025-03", "precision": "month"},
          "countries_occurred": ["FR"],
          "severity": {"scale": "oecd-2025", "level": "incident"},
          "harm_types": ["physical"], "hazards": ["vcr"],
          "ai_systems": [{"kind": "model", "name": "demo-7b", "version": "1.0"}],
          "references": [{"url": "https://example.org/report/1", "type": "NEWS"}],
          "submitter": {"pseudonym": "reporter-1", "role": "researcher"},
          "tlp": "CLEAR", "license": "CC-BY-4.0"}


def req(method, path, token=None, body=None, ctype="application/json",
        extra=""):
    h = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n" % (method, path)
    if token:
        h += "Authorization: Bearer @%s@\r\n" % token
    h += extra
    if body is not None:
        if not isinstance(body, str):
            body = json.dumps(body)
        h += "Content-Type: %s\r\nContent-Length: %d\r\n" % (ctype, len(body.encode()))
    return h + "Connection: close\r\n\r\n" + (body or "")


def http_api():
    seeds = {
        "root": req("GET", "/api/v1/"),
        "openapi": req("GET", "/api/v1/openapi.json"),
        "create": req("POST", "/api/v1/records", "REPORTER", RECORD),
        "create-red": req("POST", "/api/v1/records", "REPORTER",
                          dict(RECORD, tlp="RED")),
        "list": req("GET", "/api/v1/records?status=published&hazard=vcr&"
                    "since=2025-01&until=2025-02-28&limit=5&tlp=CLEAR&cursor=abc"),
        "search": req("GET", "/api/v1/search?q=%22traffic%22+OR+sign*&limit=3"),
        "get": req("GET", "/api/v1/records/OSAFE-2026-00001?version=1",
                   "REVIEWER"),
        "patch": req("PATCH", "/api/v1/records/OSAFE-2026-00001", "REPORTER",
                     {"title": {"lang": "en", "text": "New"}, "hazards": None},
                     "application/merge-patch+json"),
        "submit": req("POST", "/api/v1/records/OSAFE-2026-00001/submit",
                      "REPORTER", ""),
        "review": req("POST", "/api/v1/records/OSAFE-2026-00001/review",
                      "REVIEWER", {"decision": "accept", "reason": "ok"}),
        "amend": req("POST", "/api/v1/records/OSAFE-2026-00001/amend",
                     "REPORTER", ""),
        "withdraw": req("POST", "/api/v1/records/OSAFE-2026-00001/withdraw",
                        "ADMIN", {"reason": "dup"}),
        "proof": req("GET", "/api/v1/records/OSAFE-2026-00001/proof?version=1"),
        "links": req("POST", "/api/v1/records/OSAFE-2026-00001/links", "ADMIN",
                     {"to": "OSAFE-2026-00002", "relation": "duplicate_of"}),
        "links-get": req("GET", "/api/v1/records/OSAFE-2026-00001/links"),
        "evidence": req("POST", "/api/v1/records/OSAFE-2026-00001/evidence",
                        "REPORTER", {"kind": "evaluation", "text": "x"}),
        "evals": req("POST", "/api/v1/evaluations", "REPORTER",
                     {"manifest": {"model": "demo", "suite": {"name": "s",
                      "version": "1", "sha256": "0" * 64}},
                      "results": {"overall": {"n": 2, "refusal_rate": 0.5},
                                  "by_hazard": {"vcr": {"n": 2, "rate": 0.5}}},
                      "samples_sha256": "1" * 64}),
        "evals-list": req("GET", "/api/v1/evaluations?limit=2"),
        "checkpoint": req("GET", "/log/checkpoint"),
        "tile": req("GET", "/log/tile/0/000.p/1"),
        "entries": req("GET", "/log/tile/entries/000.p/1"),
        "page-incidents": req("GET", "/incidents?lang=fr&page=2",
                              extra="Accept: text/html\r\nCookie: s=abc\r\n"),
        "page-risks": req("GET", "/risks?seed=7"),
        "login": req("POST", "/login", None, "token=@REPORTER@&next=%2Fincidents",
                     "application/x-www-form-urlencoded",
                     "Origin: http://127.0.0.1\r\n"),
        "chunked": "POST /api/v1/records HTTP/1.1\r\nHost: x\r\n"
                   "Authorization: Bearer @REPORTER@\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n",
        "pipeline": req("GET", "/api/v1/").replace("Connection: close\r\n", "")
                    + req("GET", "/log/checkpoint"),
        "static": req("GET", "/static/style.css"),
        "import": req("POST", "/api/v1/import?format=avid", "ADMIN",
                      json.dumps(AVID)),
    }
    for k, v in seeds.items():
        put("http_api", k, v)

# ---- GGUF model files (infer/gguf.c) --------------------------------------

def gguf_file(version=3, kvs=(), tensors=(), align=32):
    """A GGUF file: kvs are (key, type id, packed value), tensors are
    (name, ggml type, dims, data bytes); data at aligned offsets."""
    def gstr(s):
        b = s.encode()
        return struct.pack("<Q", len(b)) + b
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kvs))
    for k, t, v in kvs:
        out += gstr(k) + struct.pack("<I", t) + v
    data, off = b"", 0
    for name, t, dims, raw in tensors:
        out += gstr(name) + struct.pack("<I", len(dims))
        out += b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", t, len(data))
        data += raw + b"\0" * ((-len(raw)) % align)
    if tensors:
        out += b"\0" * ((-len(out)) % align) + data
    return out


def gguf():
    def gstr(s):
        b = s.encode()
        return struct.pack("<Q", len(b)) + b
    half = struct.pack("<e", 0.5)
    kvs = [("general.architecture", 8, gstr("llama")),
           ("llama.block_count", 4, struct.pack("<I", 1)),
           ("llama.rope.freq_base", 6, struct.pack("<f", 10000.0)),
           ("t.u64", 10, struct.pack("<Q", 7)), ("t.i8", 1, b"\xff"),
           ("t.bool", 7, b"\x01"), ("t.f64", 12, struct.pack("<d", 0.25)),
           ("tokenizer.ggml.tokens", 9,
            struct.pack("<IQ", 8, 3) + gstr("<s>") + gstr("a") + gstr("b")),
           ("tokenizer.ggml.scores", 9,
            struct.pack("<IQ", 6, 2) + struct.pack("<ff", 0.0, -1.0))]
    tensors = [("f32", 0, (4, 2), struct.pack("<8f", *range(8))),
               ("f16", 1, (2,), half * 2), ("bf16", 30, (2,), b"\0\x3f" * 2),
               ("q8_0", 8, (32,), half + bytes(range(32))),
               ("q4_0", 2, (32,), half + bytes(16)),
               ("q5_0", 6, (32,), half + bytes(20)),
               ("q4_K", 12, (256,), half * 2 + bytes(140)),
               ("q6_K", 14, (256,), bytes(208) + half)]
    put("gguf", "all-types", gguf_file(3, kvs, tensors))
    put("gguf", "v2-empty", gguf_file(2))
    put("gguf", "aligned-64", gguf_file(
        3, [("general.alignment", 4, struct.pack("<I", 64))],
        tensors[:2], align=64))
    put("gguf", "bad-offset", gguf_file(3, kvs[:1], tensors[:3])[:-40])
    def arr_str(items):
        return struct.pack("<IQ", 8, len(items)) + b"".join(gstr(x) for x in items)

    def arr_i32(items):
        return struct.pack("<IQ", 5, len(items)) + struct.pack("<%di" % len(items), *items)

    def arr_f32(items):
        return struct.pack("<IQ", 6, len(items)) + struct.pack("<%df" % len(items), *items)

    def byte_char(b):
        if 33 <= b <= 126 or 161 <= b <= 172 or b >= 174:
            return chr(b)
        return chr(256 + (b if b <= 32 else 33 + b - 127 if b <= 160 else 67))
    bpe = [byte_char(b) for b in range(256)] + ["ab", "<|im_start|>", "<|im_end|>"]
    put("gguf", "vocab-bpe", gguf_file(3, [
        ("tokenizer.ggml.model", 8, gstr("gpt2")),
        ("tokenizer.ggml.pre", 8, gstr("qwen2")),
        ("tokenizer.ggml.tokens", 9, arr_str(bpe)),
        ("tokenizer.ggml.token_type", 9, arr_i32([1] * 257 + [3, 3])),
        ("tokenizer.ggml.merges", 9, arr_str(["a b"])),
        ("tokenizer.ggml.eos_token_id", 4, struct.pack("<I", 258)),
        ("tokenizer.chat_template", 8, gstr("<|im_start|>{{ m }}"))]))
    spm = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)] + \
          ["\u2581h", "ll", "\u2581", "<|im_end|>"]
    put("gguf", "vocab-spm", gguf_file(3, [
        ("tokenizer.ggml.model", 8, gstr("llama")),
        ("tokenizer.ggml.tokens", 9, arr_str(spm)),
        ("tokenizer.ggml.scores", 9, arr_f32([0.0] * 259 + [-1.0, -2.0, -3.0, 0.0])),
        ("tokenizer.ggml.token_type", 9, arr_i32([2, 3, 3] + [6] * 256 + [1, 1, 1, 3])),
        ("tokenizer.ggml.bos_token_id", 4, struct.pack("<I", 1)),
        ("tokenizer.chat_template", 8, gstr("[INST] {{ m }} [/INST]"))]))


if __name__ == "__main__":
    canon(); yamlx(); csv(); note(); checkpoint(); tile(); suite()
    importers(); exchange(); client_answer(); refusal_norm(); http_api()
    gguf()
