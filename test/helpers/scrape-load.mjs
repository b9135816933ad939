/**
 * @module scrape-load — a worker thread that loads a Sluice server from outside its event loop: `scrapers`
 * clients scraping `/metrics` back to back, `scrapes` times each, while a probe client does an MNS send, receive
 * and delete over HTTP every `probeEveryMs`. It posts the timings (ms; each scraper's first scrape apart, as it runs
 * code not yet optimized), the probe's failures and the texts scraped.
 * A worker, so that the clients' own work (parsing megabytes of text) is not counted in the server's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';

const { url, scrapers, scrapes, probeEveryMs } = workerData;
const mnsHeaders = () => ({ date: new Date().toUTCString(), 'x-mns-version': '2015-06-06' });

const probeLatencies = [];
const failures = [];
let probing = true;

async function timed(what, target, init) {
  const t0 = performance.now();
  const res = await fetch(url + target, init);
  const text = await res.text();
  probeLatencies.push(performance.now() - t0);
  if (res.status >= 300) failures.push(`${what}: ${res.status} ${text.slice(0, 200)}`);
  return text;
}

async function probe() {
  while (probing) {
    const next = performance.now() + probeEveryMs;
    await timed('send', '/queues/probe/messages', {
      method: 'POST',
      headers: { ...mnsHeaders(), 'content-type': 'text/xml' },
      body: '<Message><MessageBody>probe</MessageBody></Message>',
    });
    const got = await timed('receive', '/queues/probe/messages?waitseconds=0', { headers: mnsHeaders() });
    const handle = /<ReceiptHandle>([^<]+)</.exec(got)?.[1];
    if (handle === undefined) failures.push(`receive: no message: ${got.slice(0, 200)}`);
    else {
      await timed('delete', `/queues/probe/messages?ReceiptHandle=${handle}`, {
        method: 'DELETE',
        headers: mnsHeaders(),
      });
    }
    const wait = next - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

const scrapeTimes = [];
const coldScrapeTimes = [];
const texts = [];
async function scraper() {
  for (let i = 0; i < scrapes; i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}/metrics`);
    const text = await res.text();
    (i === 0 ? coldScrapeTimes : scrapeTimes).push(performance.now() - t0);
    if (res.status !== 200) failures.push(`scrape: ${res.status}`);
    texts.push(text);
  }
}

const probing$ = probe();
// The probe runs alone for a moment first, then the scrapers start together.
await new Promise((resolve) => setTimeout(resolve, 200));
await Promise.all(Array.from({ length: scrapers }, scraper));
probing = false;
await probing$;
parentPort.postMessage({ scrapeTimes, coldScrapeTimes, probeLatencies, failures, texts });
