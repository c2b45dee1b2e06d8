// Drives the gateway through register -> items and prints "N passed, N failed".
//   node infra/images/flow.mjs http://127.0.0.1:3001
const base = process.argv[2] ?? 'http://127.0.0.1:3001';
let passed = 0;
let failed = 0;

async function call(method, path, body, token) {
  // A ref'd timer, unlike AbortSignal.timeout's: it keeps the process alive while a
  // request hangs (e.g. a published port accepted before the server listens) and fails it.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`${method} ${path} timed out`)), 15_000);
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: abort.signal,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, requestId: res.headers.get('x-request-id') };
  } finally {
    clearTimeout(timer);
  }
}

async function step(name, fn) {
  try {
    await fn();
    passed += 1;
    process.stdout.write(`ok   ${name}\n`);
  } catch (err) {
    failed += 1;
    process.stdout.write(`FAIL ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

const email = `owner-${Date.now()}@example.com`;
let token;
let itemId;

await step('gateway becomes ready', async () => {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const status = await call('GET', '/health/ready').then((r) => r.status, (err) => String(err));
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`last answer ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
});
await step('register creates an owner and returns tokens', async () => {
  const r = await call('POST', '/auth/register', { email, password: 'Correct-horse-battery-9', name: 'Ada', organization: 'Acme' });
  expect(r.status === 201, `status ${r.status} ${JSON.stringify(r.body)}`);
  expect(r.body.user?.role === 'owner', `role ${r.body.user?.role}`);
  expect(typeof r.body.accessToken === 'string', 'no accessToken');
  token = r.body.accessToken;
});
await step('create an item', async () => {
  const r = await call('POST', '/items', { title: 'Ship the cluster', reach: 100, impact: 2, confidence: 80, effort: 4 }, token);
  expect(r.status === 201, `status ${r.status} ${JSON.stringify(r.body)}`);
  expect(r.body.status === 'idea', `status field ${r.body.status}`);
  itemId = r.body.id;
});
await step('list items shows it', async () => {
  const r = await call('GET', '/items', undefined, token);
  expect(r.status === 200, `status ${r.status}`);
  const items = Array.isArray(r.body) ? r.body : r.body.items ?? r.body.data;
  expect(items?.some((i) => i.id === itemId), `item ${itemId} not listed`);
});
await step('get the item by id', async () => {
  const r = await call('GET', `/items/${itemId}`, undefined, token);
  expect(r.status === 200 && r.body.id === itemId, `status ${r.status}`);
  expect(r.requestId, 'no x-request-id');
});
await step('an anonymous call is refused', async () => {
  const r = await call('GET', '/items');
  expect(r.status === 401, `status ${r.status}`);
});

process.stdout.write(`container flow: ${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
