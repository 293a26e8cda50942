// Sends one request through the official SDK core (AK/SK signing done by the SDK) and prints
// {"status":N,"body":...} on stdout. Usage:
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
  try {
    const res = await client.sendRequest(opts);
    console.log(JSON.stringify({ status: res.httpStatusCode ?? 200, body: res }));
  } catch (e) {
    console.log(JSON.stringify({ status: e.status ?? e.httpStatusCode ?? 0,
                                 error_code: e.errorCode, error_msg: e.errorMsg ?? String(e) }));
  }
}
main();
void core;
