// A real OpenID provider (npm oidc-provider) for hocvuso's sign-in tests.
//
// Started by tests/accounts/oidc/provider.py with, in the environment:
//   OIDC_REDIRECT_URI         the relying party's callback (the live server's)
//   OIDC_POST_LOGOUT_URI      where RP-initiated logout returns
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET
// It listens on a free port of 127.0.0.1 and, once the server answers, prints
// one JSON line {"issuer": "http://127.0.0.1:PORT"} on stdout: the readiness
// handshake. Keys are generated at each start (nothing is kept on disk).
// Login and consent use oidc-provider's development interactions: any
// password is accepted for the accounts below; "[ Cancel ]" denies consent.

import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

// People with the claims an identity provider such as VNeID gives: a name, a
// phone number, the birth date, the citizen ID number and the assurance level.
const ACCOUNTS = {
  lan: {
    name: 'Nguyễn Thị Lan',
    phone_number: '0912000111',
    birthdate: '1968-04-12',
    national_id: '001168000111',
    assurance_level: 'urn:vneid:level2',
  },
  binh: {
    name: 'Trần Văn Bình',
    phone_number: '0912000222',
    birthdate: '1975-09-30',
    national_id: '001175000222',
    assurance_level: 'urn:vneid:level1',
  },
  chi: {
    name: 'Lê Thị Chi',
    birthdate: '1981-01-05',
    national_id: '001181000333',
    assurance_level: 'urn:vneid:level2',
  },
  dung: {
    name: 'Phạm Văn Dũng',
    birthdate: '1959-11-20',
    national_id: '001159000444',
    assurance_level: 'urn:vneid:level2',
  },
};

function required(name) {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`provider.mjs: ${name} is not set\n`);
    process.exit(2);
  }
  return value;
}

const redirectUri = required('OIDC_REDIRECT_URI');
const postLogoutUri = required('OIDC_POST_LOGOUT_URI');
const clientId = required('OIDC_CLIENT_ID');
const clientSecret = required('OIDC_CLIENT_SECRET');

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-1', use: 'sig', alg: 'RS256' };

const server = http.createServer();
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: [postLogoutUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingKey] },
    // PKCE for every client, confidential ones too (S256 is the only method).
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      profile: ['name', 'birthdate'],
      phone: ['phone_number'],
      vneid: ['national_id', 'assurance_level'],
    },
    scopes: ['openid', 'profile', 'phone', 'vneid'],
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    cookies: { keys: ['hocvuso-test-cookie-key'] },
    async findAccount(ctx, id) {
      const claims = ACCOUNTS[id];
      if (!claims) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...claims }; } };
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
