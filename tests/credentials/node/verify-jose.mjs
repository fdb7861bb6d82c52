// Verify a VC-JOSE credential (application/vc+jwt) with the `jose` library.
// stdin: {"token", "jwks", "now"?}; stdout: {"verified", "error", "issuer"}
// The key is the JWKS entry whose kid is the fragment of the header's kid,
// and the header's DID must be the credential's issuer.
import {readFileSync} from 'node:fs';
import {compactVerify, decodeProtectedHeader, importJWK} from 'jose';

const input = JSON.parse(readFileSync(0, 'utf8'));
let out;
try {
  const header = decodeProtectedHeader(input.token);
  if(header.typ !== 'vc+jwt' || header.alg !== 'EdDSA') {
    throw new Error(`unexpected header ${JSON.stringify(header)}`);
  }
  const [did, kid] = header.kid.split('#');
  const jwk = input.jwks.keys.find(k => k.kid === kid);
  if(!jwk) {
    throw new Error(`no key ${kid} in the JWKS`);
  }
  const key = await importJWK(jwk, 'EdDSA');
  const {payload} = await compactVerify(input.token, key);
  const credential = JSON.parse(new TextDecoder().decode(payload));
  const issuer = typeof credential.issuer === 'string' ?
    credential.issuer : credential.issuer.id;
  if(issuer !== did) {
    throw new Error(`key of ${did}, issuer ${issuer}`);
  }
  const now = new Date(input.now || Date.now());
  if(credential.validUntil && new Date(credential.validUntil) <= now) {
    throw new Error('expired');
  }
  out = {verified: true, error: null, issuer};
} catch(e) {
  out = {verified: false, error: String(e && e.message || e), issuer: null};
}
process.stdout.write(JSON.stringify(out) + '\n');
