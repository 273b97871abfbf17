// Calls the gateway the way an application would, with the official SDKs from npm, and prints one
// JSON object per line for each call: what the client saw (ids, usage, text), or the error it got.
// Usage: node sdk-calls.mjs CLIENTS_DIR GATEWAY_URL GATEWAY_KEY
// CLIENTS_DIR is where bench/clients.sh installed the packages (they are not in this repository).
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [clientsDir, gateway, key] = process.argv.slice(2);
const require = createRequire(join(clientsDir, 'package.json'));
const Anthropic = require('@anthropic-ai/sdk').default;
const OpenAI = require('openai').default;

const anthropic = new Anthropic({ apiKey: key, baseURL: gateway, maxRetries: 0 }); // x-api-key
const bearer = new Anthropic({ apiKey: null, authToken: key, baseURL: gateway, maxRetries: 0 }); // Authorization: Bearer
const openai = new OpenAI({ apiKey: key, baseURL: gateway + '/v1', maxRetries: 0 });
const ask = { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };

async function call(name, fn) {
  try {
    const r = await fn();
    console.log(JSON.stringify({ call: name, ok: true, ...r }));
  } catch (e) {
    console.log(JSON.stringify({ call: name, ok: false, error: String(e && e.stack || e) }));
  }
}

const textOf = (message) => message.content.filter((b) => b.type === 'text').map((b) => b.text).join('');

// ---------------------------------------------------------------- Anthropic
await call('anthropic.messages.create', async () => {
  const m = await anthropic.messages.create(ask);
  return { requestId: m._request_id, id: m.id, text: textOf(m), usage: m.usage, metered: true };
});

await call('anthropic.messages.stream', async () => {
  const stream = anthropic.messages.stream(ask);
  let deltas = 0;
  stream.on('text', () => deltas++);
  const m = await stream.finalMessage();
  return { requestId: stream.request_id, id: m.id, text: textOf(m), usage: m.usage, deltas, metered: true };
});

await call('anthropic.messages.create stream:true', async () => {
  const { data: stream, request_id } = await anthropic.messages.create({ ...ask, stream: true }).withResponse();
  const types = [];
  let text = '';
  let usage = {};
  let id;
  for await (const e of stream) {
    types.push(e.type);
    if (e.type === 'message_start') { id = e.message.id; usage = { ...e.message.usage }; }
    if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
    if (e.type === 'message_delta') usage = { ...usage, ...e.usage };
  }
  return { requestId: request_id, id, text, usage, types, metered: true };
});

await call('anthropic.beta.messages.create (Bearer)', async () => {
  const m = await bearer.beta.messages.create({ ...ask, betas: ['interleaved-thinking-2025-05-14'] });
  return { requestId: m._request_id, id: m.id, text: textOf(m), usage: m.usage, metered: true };
});

await call('anthropic.beta.messages.stream', async () => {
  const stream = anthropic.beta.messages.stream({ ...ask, betas: ['context-1m-2025-08-07'] });
  const m = await stream.finalMessage();
  return { requestId: stream.request_id, id: m.id, text: textOf(m), usage: m.usage, metered: true };
});

await call('anthropic.messages.countTokens', async () => {
  const c = await anthropic.messages.countTokens({ model: ask.model, messages: ask.messages });
  return { inputTokens: c.input_tokens, metered: false };
});

await call('anthropic.models.list', async () => {
  const ids = [];
  for await (const m of anthropic.models.list()) ids.push(m.id);
  return { ids, metered: false };
});

// ---------------------------------------------------------------- OpenAI
const chat = { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] };

await call('openai.chat.completions.create', async () => {
  const c = await openai.chat.completions.create(chat);
  return { requestId: c.id, id: c.id, text: c.choices[0].message.content, usage: c.usage, metered: true };
});

await call('openai.chat.completions.create stream:true', async () => {
  // no stream_options: the client did not ask for usage, so it must not get a usage chunk
  const stream = await openai.chat.completions.create({ ...chat, stream: true });
  let text = '';
  let id;
  let chunks = 0;
  let usageChunks = 0;
  let emptyChoices = 0;
  for await (const chunk of stream) {
    chunks++;
    id = chunk.id;
    if (chunk.usage) usageChunks++;
    if (chunk.choices.length === 0) emptyChoices++;
    for (const c of chunk.choices) text += c.delta.content ?? '';
  }
  return { requestId: id, id, text, chunks, usageChunks, emptyChoices, metered: true };
});

await call('openai.chat.completions.stream (include_usage)', async () => {
  const stream = openai.chat.completions.stream({ ...chat, stream_options: { include_usage: true } });
  let usage;
  stream.on('chunk', (c) => { if (c.usage) usage = c.usage; });
  const c = await stream.finalChatCompletion();
  return { requestId: c.id, id: c.id, text: c.choices[0].message.content, usage, metered: true };
});

await call('openai.responses.create stream:true', async () => {
  const stream = await openai.responses.create({ model: 'gpt-5-codex', input: 'hi', stream: true });
  const types = [];
  let done;
  for await (const e of stream) {
    types.push(e.type);
    if (e.type === 'response.completed') done = e.response;
  }
  return { requestId: done.id, id: done.id, text: done.output_text ?? done.output[0].content[0].text, usage: done.usage, types, metered: true };
});

await call('openai.responses.create', async () => {
  const r = await openai.responses.create({ model: 'gpt-5-codex', input: 'hi' });
  return { requestId: r.id, id: r.id, text: r.output_text, usage: r.usage, metered: true };
});

await call('openai.embeddings.create', async () => {
  const e = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' });
  return { requestId: e._request_id, dimensions: e.data[0].embedding.length, usage: e.usage, metered: true };
});

await call('openai.models.list', async () => {
  const ids = [];
  for await (const m of openai.models.list()) ids.push(m.id);
  return { ids, metered: false };
});
