// The adviser's journey through a typed TypeScript client: openapi-fetch over
// the types openapi-typescript generated from openapi/openapi.yaml
// (client/typescript/schema.d.ts). A company posts an offer, an adviser finds
// it by search, registers a trainee who consents to matching, takes the
// matcher's suggestion to a proposal, and the company answers it.
//
//   .data/npm/node_modules/.bin/tsc -p examples/ts
//   NODE_PATH=.data/npm/node_modules node .data/examples-ts/journey.js http://localhost:8080 "$(cat .data/admin.key)"
import createClient from "openapi-fetch";
import type { paths } from "../../client/typescript/schema";

// Node's globals this program uses (no @types/node needed).
declare const process: { argv: string[]; env: Record<string, string | undefined>; exit(code: number): never };

const [base = "http://localhost:8080", adminKey = process.env.PASSERELLE_ADMIN_KEY ?? ""] = process.argv.slice(2);

function as(key: string) {
  return createClient<paths>({ baseUrl: base, headers: { Authorization: `Bearer ${key}` } });
}

// ok returns the body of a successful answer, or throws with the problem.
function ok<T>(what: string, r: { data?: T; error?: unknown; response: Response }): T {
  if (r.data === undefined) {
    throw new Error(`${what}: ${r.response.status} ${JSON.stringify(r.error)}`);
  }
  console.log(`${what.padEnd(34)} ${r.response.status}`);
  return r.data;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function randomSIRET(): string {
  for (;;) {
    const digits = String(1e12 + Math.floor(Math.random() * 9e12)).slice(0, 13);
    for (let c = 0; c <= 9; c++) {
      const s = digits + c;
      let sum = 0;
      for (let i = 0; i < 14; i++) {
        let d = Number(s[i]) * (i % 2 === 0 ? 2 : 1);
        sum += d > 9 ? d - 9 : d;
      }
      if (sum % 10 === 0 && !s.startsWith("356000000")) return s;
    }
  }
}

async function main() {
  const admin = as(adminKey);
  const org = ok("organisation", await admin.POST("/v1/organisations", {
    body: { kind: "programme", name: "Fabrique numérique (exemple TypeScript)", town: "Gonesse" },
  }));
  const adviserRecord = ok("adviser", await admin.POST("/v1/organisations/{id}/advisers", {
    params: { path: { id: org.id } },
    body: { name: "Samia Exemple", email: `samia.${Date.now()}@example.org` },
  }));
  const adviserKey = ok("adviser key", await admin.POST("/v1/api-keys", {
    body: { name: "Samia", role: "adviser", organisation_id: org.id, adviser_id: adviserRecord.id },
  }));
  const adviser = as(adviserKey.key);

  // Offer: the adviser registers a partner company and posts on its behalf.
  const company = ok("company", await adviser.POST("/v1/companies", {
    body: { siret: randomSIRET(), name: "Boulangerie du Marché", address: { street: "1 rue de la Gare", postal_code: "95500", town: "Gonesse" } },
  }));
  const start = new Date(Date.now() + 20 * 86400e3).toISOString().slice(0, 10);
  const offer = ok("offer (draft)", await adviser.POST("/v1/offers", {
    body: { company_id: company.id, kind: "apprenticeship", title: "Apprenti·e boulanger·ère", rome_codes: ["D1102"],
      postal_code: "95500", start_date: start, required_skills: ["Hygiène alimentaire"] },
  }));
  ok("offer published", await adviser.POST("/v1/offers/{id}/publish", { params: { path: { id: offer.id } } }));

  // Search: the offer reaches the index in the background.
  let found = false;
  for (let i = 0; i < 100 && !found; i++) {
    const res = await adviser.GET("/v1/offers/search", { params: { query: { q: "boulangier", postal_code: "95500" } } });
    if (!res.data) throw new Error(`search: ${res.response.status} ${JSON.stringify(res.error)}`);
    found = res.data.items.some((hit) => hit.id === offer.id);
    if (!found) await sleep(200);
  }
  if (!found) throw new Error("search: the offer was not found");
  console.log(`${"search finds it".padEnd(34)} boulangier near 95500`);

  // Trainee: registered with a profile, consenting to matching.
  const birth = new Date(Date.now() - 19 * 365.25 * 86400e3).toISOString().slice(0, 10);
  const trainee = ok("trainee", await adviser.POST("/v1/organisations/{id}/trainees", {
    params: { path: { id: org.id } },
    body: { referent_id: adviserRecord.id,
      identity: { first_name: "Mia", last_name: "Exemple", birth_date: birth, email: "mia@example.org" },
      profile: { home_postal_code: "95500", mobility_radius_km: 25, wanted_kinds: ["apprenticeship"], wanted_rome_codes: ["D1102"],
        skills: [{ name: "hygiène alimentaire", evidence: "adviser_validated" }] } },
  }));
  ok("consent to matching", await adviser.POST("/v1/trainees/{id}/consents", {
    params: { path: { id: trainee.id } }, body: { scope: "matching" },
  }));

  // Suggestion: the matcher runs in the background.
  let proposalId = "";
  for (let i = 0; i < 100 && !proposalId; i++) {
    const res = await adviser.GET("/v1/trainees/{id}/suggestions", { params: { path: { id: trainee.id } } });
    if (!res.data) throw new Error(`suggestions: ${res.response.status} ${JSON.stringify(res.error)}`);
    const s = res.data.items.find((sg) => sg.offer.id === offer.id);
    if (s) {
      proposalId = s.proposal_id;
      console.log(`${"suggestion".padEnd(34)} score ${s.score}, ${s.reasons.map((r) => r.code).join(", ")}`);
    } else {
      await sleep(200);
    }
  }
  if (!proposalId) throw new Error("suggestions: the offer was not suggested");

  // Proposal: the adviser proposes the trainee to the company.
  ok("proposed to the company", await adviser.POST("/v1/proposals/{id}/transitions", {
    params: { path: { id: proposalId } }, body: { to: "proposed", reason: "Profil solide" },
  }));

  // Company: it gets a key, sees a pseudonym, and invites to an interview.
  const companyKey = ok("company key", await adviser.POST("/v1/api-keys", {
    body: { name: "Boulangerie", role: "company", company_id: company.id },
  }));
  const asCompany = as(companyKey.key);
  const seen = ok("the company reads the proposal", await asCompany.GET("/v1/proposals/{id}", { params: { path: { id: proposalId } } }));
  if (seen.candidate.identity || seen.trainee_id) throw new Error("the company sees the trainee's identity without consent");
  console.log(`${"candidate".padEnd(34)} ${seen.candidate.pseudonym}`);
  ok("the company invites to an interview", await asCompany.POST("/v1/proposals/{id}/transitions", {
    params: { path: { id: proposalId } }, body: { to: "interview" },
  }));
}

main().catch((err) => {
  console.error("journey:", err instanceof Error ? err.message : err);
  process.exit(1);
});
