// Baseline for the whole-run benchmark: the least a Node process can do for one round trip
// on the same broker — open a WebSocket consumer on the reply topic, publish one message
// with a producer WebSocket, wait for one reply, exit. Plain ws, no pulsar-gate code.
import WebSocket from 'ws';

const [base, token, requestTopic, replyTopic] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${token}` };
const open = (url) =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
const sub = `baseline-${process.pid}-${Date.now()}`;
const consumer = await open(`${base}/ws/v2/consumer/persistent/public/default/${replyTopic}/${sub}?subscriptionType=Exclusive`);
const producer = await open(`${base}/ws/v2/producer/persistent/public/default/${requestTopic}`);
const reply = new Promise((resolve) => consumer.once('message', resolve));
producer.send(JSON.stringify({ payload: Buffer.from('ping').toString('base64'), context: '1' }));
await reply;
process.exit(0);
