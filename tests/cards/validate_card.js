// Validate Adaptive Cards with Microsoft's SDK: reads a JSON array of cards on stdin and prints a
// JSON array with, per card, the parse and validation messages (empty when the card is valid).
// The cards are checked at schema 1.5, or at the version given as the first argument.
// The UMD bundle works in plain Node; requiring the package root fails (ESM-only).
"use strict";
const AC = require("adaptivecards/dist/adaptivecards.min.js");

const VERSIONS = { "1.5": AC.Versions.v1_5, "1.6": AC.Versions.v1_6 };
const version = VERSIONS[process.argv[2] || "1.5"];
if (!version) {
  process.stderr.write(`unknown schema version ${process.argv[2]}\n`);
  process.exit(2);
}

function problems(payload) {
  const context = new AC.SerializationContext(version);
  const card = new AC.AdaptiveCard();
  card.parse(payload, context);
  const found = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    found.push(`parse: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  for (const e of card.validateProperties().validationEvents) {
    found.push(`validate: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  return found;
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(JSON.parse(input).map(problems)));
});
