// The official Node.js SDK (tencentcloud-sdk-nodejs-vod, the version pinned in
// bench/node/package.json), driven by bench/run.sh against the same static
// nginx endpoint as bench/bench.lua, with the same CreateAigcSubject request,
// over HTTPS with the connection kept alive. Prints one JSON object.
// CPU figures are user + sys of this process (process.cpuUsage(): getrusage(2),
// every thread of the process, V8's and libuv's included), as bench.lua's are.
//   BENCH_HTTPS=127.0.0.1:PORT NODE_EXTRA_CA_CERTS=ca.pem NODE_PATH=.../node_modules node bench/bench_node.js
"use strict";
const https = require("https");
const tencentcloud = require("tencentcloud-sdk-nodejs-vod");

const HTTPS = process.env.BENCH_HTTPS;
const SCALE = Number(process.env.BENCH_SCALE || "1");
const ID = "AKIDEXAMPLEFAKEVOD0000000000000000";
const KEY = "fakeVodSecretKeyEXAMPLE0000000000";
// bench.lua's PARAMS
const PARAMS = { SubAppId: 221073, SubjectName: "hero", SubjectImages: ["https://example.com/hero.png"],
                 SessionId: "hero-v1", TasksPriority: 10 };
const TASK_ID = "221073-CreateAigcSubject-f9aa5a12bench";

// Connections opened, counted where Node opens them: the SDK passes no agent of
// its own, so node-fetch uses https.globalAgent, which keeps connections alive
// by default since Node 19. On an older Node the SDK is given a keep-alive agent
// (httpProfile.agent), so that the comparison stays one of kept-alive calls.
let connections = 0;
const ownAgent = !https.globalAgent.keepAlive;
const agent = ownAgent ? new https.Agent({ keepAlive: true }) : https.globalAgent;
const createConnection = agent.createConnection;
agent.createConnection = function (...args) {
  connections += 1;
  return createConnection.apply(this, args);
};

function version(pkg) {
  return require(require.resolve(pkg + "/package.json")).version;
}

async function main() {
  if (!HTTPS) throw new Error("BENCH_HTTPS is not set");
  // The SDK takes the endpoint as host[:port] (httpProfile.endpoint) and derives
  // the signature's service from its first dot-separated label: "127" here
  // instead of "vod", the same length, so the signing work is the same. The
  // static endpoint checks no signature.
  const client = new tencentcloud.vod.v20180717.Client({
    credential: { secretId: ID, secretKey: KEY },
    region: "",
    profile: { httpProfile: ownAgent ? { endpoint: HTTPS, agent } : { endpoint: HTTPS } },
  });
  const call = async () => {
    const res = await client.CreateAigcSubject(PARAMS);
    if (res.TaskId !== TASK_ID) throw new Error("unexpected answer: " + JSON.stringify(res));
  };

  const n = Math.floor(20000 * SCALE);
  // warm-up: V8 compiles the hot paths, the TLS connection is opened
  const warm = Math.max(200, Math.floor(n / 10));
  for (let i = 0; i < warm; i++) await call();

  // the median of three rounds, as bench.lua
  const rounds = [];
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    const w0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await call();
    const wall = Number(process.hrtime.bigint() - w0) / 1e9;
    const c = process.cpuUsage(c0);
    rounds.push({ calls_per_s: n / wall, cpu_us: (c.user + c.system) / n, sys_us: c.system / n });
  }
  rounds.sort((a, b) => a.cpu_us - b.cpu_us);
  const m = rounds[1];
  m.connections = connections;
  m.calls = n;
  m.warmup_calls = warm;

  const out = {
    interpreter: "node " + process.version,
    sdk: "tencentcloud-sdk-nodejs-vod " + version("tencentcloud-sdk-nodejs-vod"),
    sdk_common: "tencentcloud-sdk-nodejs-common " + version("tencentcloud-sdk-nodejs-common"),
    agent: ownAgent ? "https.Agent({ keepAlive: true }) in httpProfile.agent" : "https.globalAgent (the default)",
    https_keepalive: m,
    rss_kb: Math.round(process.memoryUsage().rss / 1024),
  };
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  process.stderr.write("bench_node: " + (e && e.stack || e) + "\n");
  process.exit(1);
});
