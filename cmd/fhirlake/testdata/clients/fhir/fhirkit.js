// fhirkit.js drives fhirlake's FHIR REST API with fhir-kit-client, a FHIR
// client library from npm, and checks every answer against FHIR R4
// (https://hl7.org/fhir/R4/http.html). It prints "ok <step>" per step and
// exits non-zero at the first failure. Run by cmd/fhirlake/fhirkit_test.go:
//
//	node fhirkit.js http://127.0.0.1:8080/fhir/clinic
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from 'fhir-kit-client';

const base = process.argv[2];
if (!base) {
  console.error('usage: node fhirkit.js BASE_URL (e.g. http://127.0.0.1:8080/fhir/clinic)');
  process.exit(2);
}
const client = new Client({ baseUrl: base });
const mrnSystem = 'http://example.org/fhir/mrn';
const run = randomUUID().slice(0, 8);

function ok(step) {
  console.log(`ok ${step}`);
}

// response is the fetch Response behind a value a Client method returned.
function response(value) {
  const { response: res } = Client.httpFor(value);
  assert.ok(res, 'fhir-kit-client attached no Response to the result');
  return res;
}

// rejects runs fn, which must fail with an HTTP error of the given status
// (or one of an array of them) whose body is an OperationOutcome; it
// returns that OperationOutcome.
async function rejects(fn, status, what) {
  const want = [status].flat();
  let err;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `${what}: expected HTTP ${status}, but the request succeeded`);
  assert.ok(err.response, `${what}: expected HTTP ${status}, got a non-HTTP error: ${err.stack}`);
  assert.ok(want.includes(err.response.status), `${what}: status ${err.response.status}, want ${want}; body ${JSON.stringify(err.response.data)}`);
  const oo = err.response.data;
  assert.equal(oo?.resourceType, 'OperationOutcome', `${what}: body ${JSON.stringify(oo)}`);
  assert.ok(oo.issue?.length > 0, `${what}: OperationOutcome without issues`);
  return oo;
}

// idFromLocation takes the id out of a Location of the form
// [base]/Type/id/_history/vid, or Type/id/_history/vid (relative, as
// Bundle.entry.response.location may be).
function idFromLocation(location, type) {
  const m = new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})/_history/([^/]+)$`).exec(location ?? '');
  assert.ok(m, `Location ${JSON.stringify(location)} is not [base]/${type}/[id]/_history/[vid]`);
  return { id: m[1], vid: m[2] };
}

async function capability() {
  const cs = await client.capabilityStatement();
  assert.equal(cs.resourceType, 'CapabilityStatement');
  assert.match(cs.fhirVersion, /^4\.0\./);
  assert.ok(cs.format?.some((f) => f.includes('json')), `format ${JSON.stringify(cs.format)}`);
  const rest = cs.rest?.find((r) => r.mode === 'server');
  assert.ok(rest, 'no rest entry with mode server');
  const patient = rest.resource?.find((r) => r.type === 'Patient');
  assert.ok(patient, 'Patient is not listed');
  const codes = new Set(patient.interaction?.map((i) => i.code));
  for (const code of ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create']) {
    assert.ok(codes.has(code), `Patient interaction ${code} missing from ${[...codes]}`);
  }
  const sys = new Set(rest.interaction?.map((i) => i.code));
  for (const code of ['transaction', 'batch', 'history-system']) {
    assert.ok(sys.has(code), `system interaction ${code} missing from ${[...sys]}`);
  }
  ok('capabilityStatement');
}

async function crud() {
  const body = {
    resourceType: 'Patient',
    identifier: [{ system: mrnSystem, value: `crud-${run}` }],
    name: [{ family: 'Kit', given: ['Fhir'] }],
    gender: 'unknown',
    birthDate: '1990-01-02',
  };
  const created = await client.create({ resourceType: 'Patient', body });
  const res = response(created);
  assert.equal(res.status, 201);
  assert.equal(created.resourceType, 'Patient');
  assert.ok(created.id, 'created Patient has no id');
  assert.equal(created.meta?.versionId, '1');
  assert.ok(created.meta?.lastUpdated, 'no meta.lastUpdated');
  assert.deepEqual(idFromLocation(res.headers.get('location'), 'Patient'), { id: created.id, vid: '1' });
  assert.equal(res.headers.get('etag'), 'W/"1"');
  const id = created.id;
  ok('create');

  const read = await client.read({ resourceType: 'Patient', id });
  assert.equal(read.id, id);
  assert.deepEqual(read.name, body.name);
  assert.equal(read.meta.versionId, '1');
  assert.equal(response(read).headers.get('etag'), 'W/"1"');
  ok('read');

  const updated = await client.update({
    resourceType: 'Patient',
    id,
    body: { ...read, gender: 'male' },
    options: { headers: { 'If-Match': 'W/"1"' } },
  });
  assert.equal(response(updated).status, 200);
  assert.equal(updated.gender, 'male');
  assert.equal(updated.meta.versionId, '2', 'update increments the version');
  assert.equal(response(updated).headers.get('etag'), 'W/"2"');
  // A stale If-Match is a version conflict: 412 (http.html#concurrency).
  await rejects(
    () => client.update({ resourceType: 'Patient', id, body: { ...read, gender: 'other' }, options: { headers: { 'If-Match': 'W/"1"' } } }),
    412,
    'update with a stale If-Match',
  );
  ok('update');

  const v1 = await client.vread({ resourceType: 'Patient', id, version: '1' });
  assert.equal(v1.id, id);
  assert.equal(v1.meta.versionId, '1');
  assert.equal(v1.gender, 'unknown', 'vread 1 returns the first version');
  ok('vread');

  const patched = await client.patch({
    resourceType: 'Patient',
    id,
    jsonPatch: [
      { op: 'test', path: '/gender', value: 'male' },
      { op: 'replace', path: '/gender', value: 'female' },
      { op: 'add', path: '/active', value: true },
    ],
  });
  assert.equal(response(patched).status, 200);
  assert.equal(patched.gender, 'female');
  assert.equal(patched.active, true);
  assert.equal(patched.meta.versionId, '3');
  assert.deepEqual((await client.read({ resourceType: 'Patient', id })).active, true, 'the patch is stored');
  // A failing test operation refuses the whole patch (RFC 6902 section 5;
  // RFC 5789 section 2.2 allows 409 or 422 for a patch that cannot apply).
  const failed = await rejects(
    () => client.patch({ resourceType: 'Patient', id, jsonPatch: [{ op: 'test', path: '/gender', value: 'male' }, { op: 'remove', path: '/active' }] }),
    [409, 422],
    'patch whose test fails',
  );
  assert.ok(['error', 'fatal'].includes(failed.issue[0].severity), `issue ${JSON.stringify(failed.issue[0])}`);
  const after = await client.read({ resourceType: 'Patient', id });
  assert.equal(after.meta.versionId, '3', 'a refused patch writes nothing');
  assert.equal(after.active, true, 'a refused patch writes nothing');
  ok('patch');

  const hist = await client.resourceHistory({ resourceType: 'Patient', id });
  assert.equal(hist.resourceType, 'Bundle');
  assert.equal(hist.type, 'history');
  assert.deepEqual(hist.entry.map((e) => e.resource.meta.versionId), ['3', '2', '1'], 'history is newest first');
  const methods = hist.entry.map((e) => e.request?.method);
  assert.ok(['PATCH', 'PUT'].includes(methods[0]), `history entry methods ${methods}`);
  assert.deepEqual(methods.slice(1), ['PUT', 'POST'], `history entry methods ${methods}`);
  for (const e of hist.entry) {
    assert.ok(e.fullUrl?.endsWith(`/Patient/${id}`), `fullUrl ${e.fullUrl}`);
    assert.match(e.response?.status ?? '', /^20[01]/, `history entry response.status ${JSON.stringify(e.response)}`);
  }
  ok('resourceHistory');
  return id;
}

async function typeHistory(id) {
  const hist = await client.typeHistory({ resourceType: 'Patient' });
  assert.equal(hist.type, 'history');
  assert.ok(hist.entry.every((e) => e.resource?.resourceType === 'Patient' || e.request?.method === 'DELETE'));
  const versions = hist.entry.filter((e) => e.resource?.id === id).map((e) => e.resource.meta.versionId);
  assert.deepEqual(versions, ['3', '2', '1']);
  // Page through it one entry at a time with the next links.
  let page = await client.request('Patient/_history?_count=1');
  const seen = [];
  for (let n = 0; page; n++) {
    assert.ok(n < 100, 'more than 100 pages of one entry');
    assert.ok(page.entry.length <= 1, `_count=1 gave ${page.entry.length} entries`);
    seen.push(...page.entry.map((e) => `${e.resource?.id}/${e.resource?.meta?.versionId}`));
    page = await client.nextPage({ bundle: page });
  }
  assert.deepEqual(seen, hist.entry.map((e) => `${e.resource?.id}/${e.resource?.meta?.versionId}`), 'the pages add up to the whole history');
  const sys = await client.systemHistory();
  assert.equal(sys.type, 'history');
  assert.ok(sys.entry.some((e) => e.resource?.id === id), 'system history holds the patient');
  ok('typeHistory');
}

async function conditionalCreate() {
  const ident = { system: mrnSystem, value: `cond-${run}` };
  const body = { resourceType: 'Patient', identifier: [ident], gender: 'other' };
  const options = { headers: { 'If-None-Exist': `identifier=${ident.system}|${ident.value}` } };
  const first = await client.create({ resourceType: 'Patient', body, options });
  assert.equal(response(first).status, 201);
  const second = await client.create({ resourceType: 'Patient', body: { ...body, gender: 'male' }, options });
  const res = response(second);
  assert.equal(res.status, 200, 'a matching If-None-Exist answers 200 (http.html#ccreate)');
  const secondID = second.resourceType === 'Patient' ? second.id : idFromLocation(res.headers.get('location'), 'Patient').id;
  assert.equal(secondID, first.id, 'the second conditional create returns the same patient');
  const now = await client.read({ resourceType: 'Patient', id: first.id });
  assert.equal(now.gender, 'other', 'the second conditional create wrote nothing');
  assert.equal(now.meta.versionId, '1');
  // _id criteria work too.
  const byID = await client.create({ resourceType: 'Patient', body, options: { headers: { 'If-None-Exist': `_id=${first.id}` } } });
  assert.equal(response(byID).status, 200);
  ok('conditional create');
}

async function transaction() {
  const pat = `urn:uuid:${randomUUID()}`;
  const bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: pat,
        resource: { resourceType: 'Patient', identifier: [{ system: mrnSystem, value: `tx-${run}` }], gender: 'female' },
        request: { method: 'POST', url: 'Patient' },
      },
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
          subject: { reference: pat },
          effectiveDateTime: '2026-11-28T10:00:00Z',
          valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
        },
        request: { method: 'POST', url: 'Observation' },
      },
    ],
  };
  const resp = await client.transaction({ body: bundle });
  assert.equal(response(resp).status, 200);
  assert.equal(resp.resourceType, 'Bundle');
  assert.equal(resp.type, 'transaction-response');
  assert.equal(resp.entry.length, 2);
  const [p, o] = resp.entry.map((e, i) => {
    assert.match(e.response?.status ?? '', /^201/, `entry ${i} status ${JSON.stringify(e.response)}`);
    return idFromLocation(e.response.location, i === 0 ? 'Patient' : 'Observation');
  });
  assert.equal(p.vid, '1');
  const obs = await client.read({ resourceType: 'Observation', id: o.id });
  assert.equal(obs.subject.reference, `Patient/${p.id}`, 'the urn:uuid reference is resolved to the created Patient');
  const patient = await client.resolve({ reference: obs.subject.reference });
  assert.equal(patient.id, p.id);
  assert.equal(patient.gender, 'female');
  ok('transaction');
}

async function batch() {
  const bundle = {
    resourceType: 'Bundle',
    type: 'batch',
    entry: [
      { resource: { resourceType: 'Patient', gender: 'male' }, request: { method: 'POST', url: 'Patient' } },
      // The resource does not match the URL's type: a 400 for this entry only.
      { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' } }, request: { method: 'POST', url: 'Patient' } },
    ],
  };
  const resp = await client.batch({ body: bundle });
  assert.equal(response(resp).status, 200);
  assert.equal(resp.type, 'batch-response');
  assert.equal(resp.entry.length, 2);
  const [good, bad] = resp.entry;
  assert.match(good.response?.status ?? '', /^201/, `good entry ${JSON.stringify(good.response)}`);
  const { id } = idFromLocation(good.response.location, 'Patient');
  assert.equal((await client.read({ resourceType: 'Patient', id })).gender, 'male');
  assert.match(bad.response?.status ?? '', /^4\d\d/, `bad entry ${JSON.stringify(bad.response)}`);
  assert.equal(bad.response.outcome?.resourceType, 'OperationOutcome', `bad entry ${JSON.stringify(bad.response)}`);
  ok('batch');
}

async function deleteThenRead(id) {
  const del = await client.delete({ resourceType: 'Patient', id });
  assert.ok([200, 202, 204].includes(response(del).status), `delete status ${response(del).status}`);
  const oo = await rejects(() => client.read({ resourceType: 'Patient', id }), 410, 'read after delete');
  assert.equal(oo.issue[0].code, 'deleted', `issue ${JSON.stringify(oo.issue[0])}`);
  // Earlier versions stay readable, and the history records the delete.
  assert.equal((await client.vread({ resourceType: 'Patient', id, version: '3' })).meta.versionId, '3');
  const hist = await client.resourceHistory({ resourceType: 'Patient', id });
  assert.equal(hist.entry[0].request?.method, 'DELETE');
  assert.equal(hist.entry[0].resource, undefined, 'a delete entry has no resource');
  ok('delete');
}

async function unknown() {
  const oo = await rejects(() => client.read({ resourceType: 'Patient', id: `no-such-${run}` }), 404, 'read of an unknown id');
  assert.equal(oo.issue[0].code, 'not-found', `issue ${JSON.stringify(oo.issue[0])}`);
  ok('read unknown');
}

try {
  await capability();
  const id = await crud();
  await typeHistory(id);
  await conditionalCreate();
  await transaction();
  await batch();
  await deleteThenRead(id);
  await unknown();
  console.log('all ok');
} catch (err) {
  const body = err.response ? `\nHTTP ${err.response.status} body: ${JSON.stringify(err.response.data)}` : '';
  const cause = err.cause ? `\ncause: ${err.cause}` : '';
  console.error(`FAIL: ${err.stack ?? err}${cause}${body}`);
  process.exit(1);
}
