// The official COS Node.js SDK (cos-nodejs-sdk-v5, the version pinned in
// bench/upload/node/package.json), driven by bench/upload/harness.py: uploads
// one file with sliceUploadFile (what the VOD Node.js SDK, vod-node-sdk, calls),
// with the temporary credentials of an upload session, to the fake COS over
// plain HTTP. Prints one JSON object: what it did and what it sent.
//   COS_SECRET_ID, COS_SECRET_KEY, COS_TOKEN    ApplyUpload's TempCertificate
//   COS_BUCKET, COS_REGION, COS_KEY             ApplyUpload's bucket, region, storage path
//   COS_DOMAIN=127.0.0.1:PORT                   the fake COS (cos_http)
//   COS_FILE                                    the file
//   COS_CONF_DIR                                where the SDK keeps its cache of UploadIds
//                                               (ConfCwd; by default under ~/.config)
//   COS_CHUNK_SIZE, COS_PARALLEL                optional: ChunkSize, ChunkParallelLimit
//                                               (unset: the SDK's defaults)
"use strict";
const COS = require("cos-nodejs-sdk-v5");

const env = process.env;
// The token: the SDK sends it in x-cos-security-token but leaves it out of the
// signature (its signer sees the request's headers before the token is added),
// and the fake COS refuses an x-cos-* header that is not signed. So the
// signature is made by the SDK's own signer (COS.getAuthorization, the
// function it calls itself) through its getAuthorization hook, with the token
// among the headers to sign: one header more in the same computation.
const credentials = { id: env.COS_SECRET_ID, key: env.COS_SECRET_KEY, token: env.COS_TOKEN };
let signatures = 0;
const options = {
  getAuthorization(o, callback) {
    signatures += 1;
    const headers = Object.assign({}, o.Headers, { "x-cos-security-token": credentials.token });
    callback({
      Authorization: COS.getAuthorization({
        SecretId: credentials.id, SecretKey: credentials.key, Method: o.Method,
        Pathname: o.Pathname, Query: o.Query, Headers: headers,
        SystemClockOffset: o.SystemClockOffset, ForceSignHost: o.ForceSignHost,
      }),
      SecurityToken: credentials.token,
    });
  },
  // The SDK builds http://<Domain>/<key>: the template's {Bucket}/{Region} are
  // not needed, the fake finds the session by q-ak. Protocol "http:" (the SDK's
  // default is https). The Host header and the signed host are then
  // 127.0.0.1:PORT, which the fake accepts (it checks only a Host of the form
  // <bucket>.cos.<region>.*).
  Domain: env.COS_DOMAIN,
  Protocol: "http:",
  // The SDK remembers each multipart upload's UploadId in a file (package
  // "conf"), to resume it: kept in the bench's directory, not the user's home.
  ConfCwd: env.COS_CONF_DIR,
};
if (env.COS_CHUNK_SIZE) options.ChunkSize = Number(env.COS_CHUNK_SIZE);
if (env.COS_PARALLEL) options.ChunkParallelLimit = Number(env.COS_PARALLEL);
const cos = new COS(options);

// What goes out: every request the SDK sends passes 'before-send' (method,
// url, qs, headers): the header names of the first request of each kind are
// kept (the fake's ledger counts the requests).
const headersOf = {};
function kind(opt) {
  const qs = opt.qs || {};
  const action = /\?uploads(&|$)/.test(opt.url);
  if (opt.method === "GET" && action) return "ListMultipartUploads";
  if (opt.method === "POST" && action) return "InitiateMultipartUpload";
  if (opt.method === "PUT" && qs.partNumber) return "UploadPart";
  if (opt.method === "POST" && qs.uploadId) return "CompleteMultipartUpload";
  if (opt.method === "GET" && qs.uploadId) return "ListParts";
  return opt.method + " " + opt.url.replace(/^https?:\/\/[^/]+/, "");
}
cos.on("before-send", (opt) => {
  const k = kind(opt);
  if (!headersOf[k]) headersOf[k] = Object.keys(opt.headers || {}).map((h) => h.toLowerCase()).sort();
});

const t0 = process.hrtime.bigint();
cos.sliceUploadFile({
  Bucket: env.COS_BUCKET,
  Region: env.COS_REGION,
  Key: env.COS_KEY,
  FilePath: env.COS_FILE,
}, (err, data) => {
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (err) {
    console.error("sliceUploadFile failed:", JSON.stringify(err, null, 1));
    process.exit(1);
  }
  const pkg = require("cos-nodejs-sdk-v5/package.json");
  console.log(JSON.stringify({
    sdk: "cos-nodejs-sdk-v5 " + pkg.version,
    node: process.version,
    chunk_size: cos.options.ChunkSize,
    chunk_parallel_limit: cos.options.ChunkParallelLimit,
    upload_check_content_md5: cos.options.UploadCheckContentMd5,
    upload_seconds: seconds,
    signatures,
    headers_sent: headersOf,
    etag: data.ETag,
    answer_crc64: data.headers && data.headers["x-cos-hash-crc64ecma"],
  }));
});
