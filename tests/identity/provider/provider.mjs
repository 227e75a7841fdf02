// A real OpenID Connect provider for the test suite (node's certified `oidc-provider`), standing in for
// Inera's IdP: authorization code flow with PKCE, signed ID tokens (RS256, published JWKS), RP-initiated
// logout, and test persons whose claims mimic a SITHS login (employeeHsaId, the chosen commission, all
// commissions, acr). Started by tests/identity/conftest.py:
//   node provider.mjs <port> <accounts.json> <client.json>
// accounts.json: {"<login>": {"acr": "...", "claims": {...}}}; client.json: oidc-provider client metadata.
import fs from 'node:fs';
import http from 'node:http';
import { URLSearchParams } from 'node:url';

import Provider from 'oidc-provider';

const [port, accountsFile, clientFile] = process.argv.slice(2);
const accounts = JSON.parse(fs.readFileSync(accountsFile, 'utf8'));
const client = JSON.parse(fs.readFileSync(clientFile, 'utf8'));
const issuer = `http://127.0.0.1:${port}`;

const CLAIMS = [
  'name', 'given_name', 'family_name', 'employeeHsaId', 'commissionHsaId', 'commissionPurpose',
  'healthCareUnitHsaId', 'healthCareProviderHsaId', 'allCommissions',
];

const provider = new Provider(issuer, {
  clients: [client],
  pkce: { required: () => true },
  scopes: ['openid', 'profile'],
  claims: { openid: ['sub'], profile: CLAIMS },
  conformIdTokenClaims: false, // put the person's claims in the ID token too, as Inera's IdP does
  acrValues: [...new Set(Object.values(accounts).map((a) => a.acr))],
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        // Sign out at once (no confirmation page): the form posts itself.
        ctx.body = `<!DOCTYPE html><html><body>${form}<script>document.forms[0].submit()</script></body></html>`;
      },
    },
  },
  findAccount: async (ctx, sub) => (accounts[sub]
    ? { accountId: sub, claims: async () => ({ sub, ...accounts[sub].claims }) }
    : undefined),
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, IdToken: 300, AccessToken: 300, AuthorizationCode: 60 },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['test-provider-cookie-key'] },
});
provider.proxy = false;

function page(title, body) {
  return `<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>${title}</title></head>`
    + `<body><h1>${title}</h1>${body}</body></html>`;
}

function readForm(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(new URLSearchParams(data)));
  });
}

// The provider's own login page: the person types their login (as if their SITHS card answered).
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(page('Test-IdP: logga in med SITHS', `<form method="post">`
      + `<label for="login">Inloggning</label> <input id="login" name="login" autofocus>`
      + `<button type="submit">Logga in</button></form>`));
    return;
  }
  const form = await readForm(req);
  const login = form.get('login') || '';
  const account = accounts[login];
  if (!account) {
    res.statusCode = 400;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(page('Okänd inloggning', '<p>Ingen sådan testperson.</p>'));
    return;
  }
  const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
  grant.addOIDCScope('openid profile');
  grant.addOIDCClaims(CLAIMS);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, {
    login: { accountId: login, acr: account.acr, amr: ['smartcard'] },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => {
      res.statusCode = 500;
      res.end(String(err));
    });
    return;
  }
  callback(req, res);
}).listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
