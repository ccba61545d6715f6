// Verifies a webhook request with the standardwebhooks package (an
// implementation independent of Passerelle's). Reads {"secret", "headers",
// "body"} as JSON on stdin; prints the verified payload, or fails.
// NODE_PATH points at the installed node_modules (see notify/webhook_test.go).
const { Webhook } = require("standardwebhooks");

let input = "";
process.stdin.on("data", (c) => (input += c));
process.stdin.on("end", () => {
  const { secret, headers, body } = JSON.parse(input);
  const payload = new Webhook(secret).verify(body, headers);
  process.stdout.write(JSON.stringify(payload));
});
