// Sends one request through the official SDK core (AK/SK signing done by the SDK) and prints
// {"status":N,"body":...,"elapsed_ms":N} on stdout (an exception: its status, error_code and
// error_msg instead of body). Usage:
//   node sdk_sign.js ENDPOINT AK SK PROJECT METHOD PATH [JSON_BODY] [QUERY_JSON]
// PATH may contain {project_id}, filled in by the SDK from the credential.
const core = require("@huaweicloud/huaweicloud-sdk-core");
const { ClientBuilder } = require("@huaweicloud/huaweicloud-sdk-core/ClientBuilder");
const { BasicCredentials } = require("@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials");

async function main() {
  const [endpoint, ak, sk, project, method, path, body, query] = process.argv.slice(2);
  const cred = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(project);
  const client = new ClientBuilder((c) => c).withCredential(cred).withEndpoint(endpoint).build();
  const opts = {
    method,
    url: path,
    contentType: "application/json",
    queryParams: query ? JSON.parse(query) : {},
    pathParams: {},
    headers: { "Content-Type": "application/json" },
  };
  if (body) opts.data = JSON.parse(body);
  const t0 = Date.now(); // elapsed_ms: the request as the SDK saw it, node's start-up left out
  try {
    const res = await client.sendRequest(opts);
    console.log(JSON.stringify({ status: res.httpStatusCode ?? 200, body: res,
                                 elapsed_ms: Date.now() - t0 }));
  } catch (e) {
    console.log(JSON.stringify({ status: e.status ?? e.httpStatusCode ?? 0,
                                 error_code: e.errorCode, error_msg: e.errorMsg ?? String(e),
                                 elapsed_ms: Date.now() - t0 }));
  }
}
main();
void core;
