#!/usr/bin/env node
// Cross-implementation check of Lapse's Confluent wire format, with an independent implementation:
// @kafkajs/confluent-schema-registry (avsc + mappersmith), against the same registry as Java.
//
//   node check.js <ccompat-base-url> <dir> [run-id]
//
// Java -> Node: reads <dir>/java-to-node/manifest.json and the .hex files Lapse's Java serializer
//   wrote; decodes each with kafkajs (schema fetched by id from the registry), compares every field
//   with the values Java recorded, and re-encodes with kafkajs to check the bytes are identical.
// Node -> Java: registers Lapse's schemas (read from schemas/src/main/avro) with kafkajs under
//   subjects of its own, encodes records with kafkajs, and writes <dir>/node-to-java/*.hex plus a
//   manifest with the values, for the Java side to decode and compare.
// Writes <dir>/node-report.json; exit code 0 when everything passed, 1 on a failed check, 2 when
// the check could not run. Values are compared in a neutral JSON form: instants as epoch millis,
// enums as symbols, bytes as {"bytes-hex": "..."}.
'use strict';

const fs = require('fs');
const path = require('path');
const { SchemaRegistry, SchemaType, COMPATIBILITY } = require('@kafkajs/confluent-schema-registry');

const AVRO_DIR = process.env.LAPSE_AVRO_DIR || path.join(__dirname, '..', 'schemas', 'src', 'main', 'avro');

function usage(message) {
  console.error(`${message}\nusage: node check.js <ccompat-base-url> <dir> [run-id]`);
  process.exit(2);
}

// --- neutral JSON form and comparison -----------------------------------------------------------

function neutral(value) {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return { 'bytes-hex': value.toString('hex') };
  if (Array.isArray(value)) return value.map(neutral);
  if (typeof value === 'object') {
    const out = {};
    for (const key of Object.keys(value)) out[key] = neutral(value[key]);
    return out;
  }
  return value;
}

function fromNeutral(value) {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(fromNeutral);
  if (typeof value === 'object') {
    if (Object.keys(value).length === 1 && typeof value['bytes-hex'] === 'string') {
      return Buffer.from(value['bytes-hex'], 'hex');
    }
    const out = {};
    for (const key of Object.keys(value)) out[key] = fromNeutral(value[key]);
    return out;
  }
  return value;
}

/** Every difference between expected and actual, as "path: expected X, got Y". */
function diff(expected, actual, at = '') {
  const where = at || '(root)';
  if (expected === null || typeof expected !== 'object' || actual === null || typeof actual !== 'object') {
    return Object.is(expected, actual) ? [] : [`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
  }
  if (Array.isArray(expected) !== Array.isArray(actual)) {
    return [`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
  }
  const problems = [];
  if (Array.isArray(expected)) {
    if (expected.length !== actual.length) problems.push(`${where}: expected ${expected.length} items, got ${actual.length}`);
    for (let i = 0; i < Math.min(expected.length, actual.length); i++) problems.push(...diff(expected[i], actual[i], `${at}[${i}]`));
    return problems;
  }
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  for (const key of [...keys].sort()) {
    const sub = at ? `${at}.${key}` : key;
    if (!(key in actual)) problems.push(`${sub}: missing (expected ${JSON.stringify(expected[key])})`);
    else if (!(key in expected)) problems.push(`${sub}: unexpected field (got ${JSON.stringify(actual[key])})`);
    else problems.push(...diff(expected[key], actual[key], sub));
  }
  return problems;
}

// --- Lapse's schemas as standalone JSON (named references inlined, as avro-maven-plugin does) ---

function loadSchemas(dir) {
  const byName = new Map();
  const walk = d => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.avsc')) {
        const schema = JSON.parse(fs.readFileSync(p, 'utf8'));
        byName.set(`${schema.namespace}.${schema.name}`, schema);
      }
    }
  };
  walk(dir);
  return byName;
}

function standalone(fullName, byName) {
  const defined = new Set();
  const inline = (type, namespace) => {
    if (typeof type === 'string') {
      const full = type.includes('.') ? type : `${namespace}.${type}`;
      if (!byName.has(full) || defined.has(full)) return type;
      return inline(structuredClone(byName.get(full)), namespace);
    }
    if (Array.isArray(type)) return type.map(t => inline(t, namespace));
    if (type && typeof type === 'object') {
      const ns = type.namespace || namespace;
      if (type.name && ['record', 'enum', 'fixed'].includes(type.type)) defined.add(`${ns}.${type.name}`);
      const out = { ...type };
      if (out.type === 'record') out.fields = out.fields.map(f => ({ ...f, type: inline(f.type, ns) }));
      else if (out.type === 'array') out.items = inline(out.items, ns);
      else if (out.type === 'map') out.values = inline(out.values, ns);
      else if (typeof out.type !== 'string' || !['enum', 'fixed'].includes(out.type)) out.type = inline(out.type, ns);
      return out;
    }
    return type;
  };
  const schema = byName.get(fullName);
  if (!schema) throw new Error(`No schema ${fullName} under ${AVRO_DIR}`);
  return inline(structuredClone(schema), schema.namespace);
}

// --- records kafkajs writes for Java (values in neutral form) -----------------------------------

const T0 = Date.UTC(2026, 4, 17, 9, 30, 0, 457);
const SID = 'YC' + 'fedcba9876543210'.repeat(2);
const common = { sid: SID, serviceSid: 'VA' + '9'.repeat(32), identity: 'node-identity', factorSid: 'YF' + '8'.repeat(32) };

function nodeRecords(runId) {
  const topic = name => `compat-node-${runId}-${name}`;
  return [
    {
      name: 'ChallengeCreated', schema: 'io.lapse.events.v1.ChallengeCreated', topic: topic('challenge-created'), strategy: 'topic',
      value: {
        sid: SID, accountSid: 'AC' + '7'.repeat(32), serviceSid: common.serviceSid, entitySid: 'YE' + '6'.repeat(32),
        identity: common.identity, factorSid: common.factorSid, factorType: 'push', createdAt: T0, expirationDate: T0 + 600000,
        detailsMessage: 'Written by kafkajs ✓', detailsFields: [{ label: 'Action', value: 'Login' }, { label: 'Where', value: 'Zürich' }],
        detailsDate: T0, hiddenDetails: { ip: '10.0.0.1' }, idempotencyKey: null,
        macKeyId: 'k-node', mac: { 'bytes-hex': 'ff'.repeat(16) + '00'.repeat(16) },
      },
    },
    {
      name: 'VerificationAttempted', schema: 'io.lapse.events.v1.VerificationAttempted', topic: topic('challenge-responses'), strategy: 'topic',
      value: {
        ...common, attemptId: 'att-node-1', attemptAt: T0 + 5000, outcome: 'DENIED', metadata: null,
        macKeyId: 'k-node', mac: { 'bytes-hex': '00'.repeat(16) + 'ff'.repeat(16) },
      },
    },
    {
      name: 'VerificationRejected', schema: 'io.lapse.events.v1.VerificationRejected', topic: topic('challenge-outcomes'), strategy: 'topic-record',
      value: { ...common, attemptId: 'att-node-2', code: 60322, reason: 'Challenge already responded', decidedAt: T0 + 7000 },
    },
    {
      name: 'ChallengeExpired', schema: 'io.lapse.events.v1.ChallengeExpired', topic: topic('challenge-expired'), strategy: 'topic',
      value: { ...common, expirationDate: T0 + 600000, expiredAt: T0 + 600001 },
    },
    {
      name: 'FactorSnapshot', schema: 'io.lapse.state.v1.FactorSnapshot', topic: topic('lapse-factors'), strategy: 'topic',
      value: {
        sid: common.factorSid, accountSid: 'AC' + '7'.repeat(32), serviceSid: common.serviceSid, entitySid: 'YE' + '6'.repeat(32),
        identity: common.identity, friendlyName: 'node phone', factorType: 'totp', status: 'unverified', createdAt: T0, updatedAt: T0 + 1,
        metadata: { os: 'linux' }, credentialSid: null, failedVerifications: 0, bindingAlg: null, bindingPublicKey: null, appId: null,
        sdkVersion: null, notificationPlatform: null, notificationToken: null,
        totpSecretCiphertext: { 'bytes-hex': '00ff10203040506070809aabbccddeeff0' }, totpSecretKeyId: 'k-node',
        totpAlg: 'sha256', totpTimeStep: 30, totpCodeLength: 8, totpSkew: 2,
      },
    },
  ];
}

// --- the two directions -------------------------------------------------------------------------

async function javaToNode(registry, dir, report) {
  const inDir = path.join(dir, 'java-to-node');
  const manifest = JSON.parse(fs.readFileSync(path.join(inDir, 'manifest.json'), 'utf8'));
  console.log(`Java -> Node: kafkajs decodes ${manifest.records.length} records Lapse's Java serializer wrote`);
  for (const entry of manifest.records) {
    const result = { name: entry.name, ok: false, problems: [] };
    report.decoded.push(result);
    try {
      const bytes = Buffer.from(fs.readFileSync(path.join(inDir, entry.file), 'utf8').trim(), 'hex');
      const id = bytes.readInt32BE(1);
      const decoded = await registry.decode(bytes);
      result.problems.push(...diff(entry.expected, neutral(decoded)));
      const reencoded = await registry.encode(id, decoded);
      if (!reencoded.equals(bytes)) {
        result.problems.push(`re-encoding with kafkajs gave different bytes:\n      java:    ${bytes.toString('hex')}\n      kafkajs: ${reencoded.toString('hex')}`);
      }
      result.ok = result.problems.length === 0;
      result.schemaId = id;
      console.log(result.ok
        ? `  PASS ${entry.name} (schema id ${id}, ${bytes.length} bytes, every field equal, re-encoded byte-identical)`
        : `  FAIL ${entry.name} (schema id ${id}):\n    ${result.problems.join('\n    ')}`);
    } catch (error) {
      result.problems.push(String(error && error.stack || error));
      console.log(`  FAIL ${entry.name}: ${error && error.message || error}`);
    }
  }
}

async function nodeToJava(registry, url, dir, runId, report) {
  const outDir = path.join(dir, 'node-to-java');
  fs.mkdirSync(outDir, { recursive: true });
  const schemas = loadSchemas(AVRO_DIR);
  const records = nodeRecords(runId);
  console.log(`Node -> Java: kafkajs registers and encodes ${records.length} records for Lapse's Java deserializer`);
  const manifest = { records: [] };
  for (const record of records) {
    const result = { name: record.name, ok: false, problems: [] };
    report.written.push(result);
    try {
      const schema = standalone(record.schema, schemas);
      const subject = record.strategy === 'topic' ? `${record.topic}-value` : `${record.topic}-${record.schema}`;
      // Set the subject's compatibility first: kafkajs' register() compares it with its option and
      // fails if they differ (Apicurio answers NONE for subjects without a level of their own).
      const put = await fetch(`${url}/config/${encodeURIComponent(subject)}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ compatibility: 'BACKWARD' }),
      });
      if (!put.ok) throw new Error(`PUT /config/${subject}: HTTP ${put.status} ${await put.text()}`);
      const { id } = await registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
        { subject, compatibility: COMPATIBILITY.BACKWARD });
      const bytes = await registry.encode(id, fromNeutral(record.value));
      const file = `${record.name}.hex`;
      fs.writeFileSync(path.join(outDir, file), bytes.toString('hex') + '\n');
      manifest.records.push({
        name: record.name, javaType: record.schema, topic: record.topic, subject, schemaId: id, file, expected: record.value,
      });
      result.ok = true;
      result.schemaId = id;
      console.log(`  WROTE ${record.name} (schema id ${id} under ${subject}, ${bytes.length} bytes)`);
    } catch (error) {
      result.problems.push(String(error && error.stack || error));
      console.log(`  FAIL ${record.name}: ${error && error.message || error}`);
    }
  }
  fs.writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
}

async function main() {
  const [url, dir, runId = String(Date.now())] = process.argv.slice(2);
  if (!url || !dir) usage('missing arguments');
  if (!/^https?:\/\//.test(url)) usage(`not an http(s) URL: ${url}`);
  if (!fs.existsSync(path.join(dir, 'java-to-node', 'manifest.json'))) usage(`no ${path.join(dir, 'java-to-node', 'manifest.json')}`);
  const base = url.replace(/\/+$/, '');
  const registry = new SchemaRegistry({ host: base, clientId: 'lapse-compat-check' });
  const report = { library: '@kafkajs/confluent-schema-registry', version: require('@kafkajs/confluent-schema-registry/package.json').version, node: process.version, decoded: [], written: [] };
  console.log(`kafkajs confluent-schema-registry ${report.version} on Node ${process.version}, registry ${base}`);
  await javaToNode(registry, dir, report);
  await nodeToJava(registry, base, dir, runId, report);
  fs.writeFileSync(path.join(dir, 'node-report.json'), JSON.stringify(report, null, 2) + '\n');
  const failed = [...report.decoded, ...report.written].filter(r => !r.ok);
  console.log(failed.length === 0
    ? `OK: ${report.decoded.length} decoded, ${report.written.length} written`
    : `FAILED: ${failed.map(r => r.name).join(', ')}`);
  process.exit(failed.length === 0 ? 0 : 1);
}

main().catch(error => {
  console.error(`compat check could not run: ${error && error.stack || error}`);
  process.exit(2);
});
